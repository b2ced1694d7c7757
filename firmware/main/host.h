/* Internal interfaces of the ESP-IDF host (not part of the HAL ABI). */
#ifndef WASMNET_HOST_H
#define WASMNET_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "hal_abi.h"
#include "portable/hal_marshal.h"

#define WASMNET_TAG "wasmnet"

extern const board_t *g_board;

/* events.c: producers (ISR, Wi-Fi task, event loop) push; the wasm task waits and pops. */
void events_init(void *wasm_task);
bool events_push(const hal_event_t *ev);         /* task context */
bool events_push_from_isr(const hal_event_t *ev, int *higher_prio_woken);
bool events_pop(hal_event_t *out);
void events_wait(uint32_t ticks);                /* returns early when an event arrives */
/* Copies len bytes into a pool buffer and queues an event carrying it (task context). */
bool events_push_copy(uint8_t kind, int32_t a, int32_t b, const void *data, uint16_t len, int64_t now);
void events_release(const hal_event_t *ev);      /* frees the payload after delivery */
uint32_t events_dropped(void);

/* Subsystem setup, called once from app_main before the module's init(). */
void hal_spi_gpio_setup(void);
void hal_gpio_recheck_levels(void); /* re-posts LowLevel interrupts whose line is still low */
int hal_flash_setup(void);
void hal_uart_setup(void);
int hal_uart_read(int port, uint8_t *buf, int cap);
void hal_wifi_setup(void);
void hal_wifi_release_rx(void *owner);
void hal_wifi_supplicant_install(void);
void hal_wifi_supplicant_set_rsn_ie(const uint8_t *ie, uint8_t len);
bool hal_wifi_supplicant_bssid(uint8_t out[6]);
int hal_wifi_eapol_send(const uint8_t *frame, int32_t len);

#endif
