#ifndef WASMNET_WASM_HOST_H
#define WASMNET_WASM_HOST_H
#include <stdint.h>
#include "portable/hal_marshal.h"

/* Loads, checks, links and instantiates the module in `slot` (FlashPartition). Returns 0, or a
   boot_reason_t (BOOT_REASON_SLOT_INVALID / BOOT_REASON_LINK_FAILED) after logging why. */
int wasm_host_load(uint8_t slot);
/* Calls init(); 0 or BOOT_REASON_INIT_TRAPPED. */
int wasm_host_init(void);
/* poll(now) -> next deadline (HAL_NO_DEADLINE on a trap, after logging; main reboots). */
int64_t wasm_host_poll(int64_t now, bool *trapped);
/* Delivers one queued event to the module's exports; false on a trap. */
bool wasm_host_deliver(const hal_event_t *ev);
#endif
