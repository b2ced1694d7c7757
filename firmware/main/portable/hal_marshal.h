/* Host-side helpers that need no ESP-IDF: argument bounds checks, the event queue between
   interrupt/driver context and the wasm task, a fixed buffer pool, and the conversion of a
   module deadline into a FreeRTOS wait. Unit-tested with gcc on the host (firmware/test). */
#ifndef WASMNET_HAL_MARSHAL_H
#define WASMNET_HAL_MARSHAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when [offset, offset+len) lies inside a linear memory of mem_size bytes.
   len < 0 is never valid; len == 0 is valid anywhere in [0, mem_size] (including offset 0). */
static inline bool hal_range_ok(uint32_t offset, int32_t len, uint32_t mem_size)
{
    if (len < 0) return false;
    return (uint64_t)offset + (uint64_t)(uint32_t)len <= (uint64_t)mem_size;
}

/* How long to block until deadline_us, in RTOS ticks (rounded up so we never wake early).
   deadline <= now -> 0. NO_DEADLINE (INT64_MAX) or anything beyond max_ticks -> max_ticks.
   No intermediate overflow for any int64 inputs. */
uint32_t hal_deadline_to_ticks(int64_t now_us, int64_t deadline_us, uint32_t tick_hz, uint32_t max_ticks);

/* ---- Event queue: single consumer (the wasm task), producers serialised by the caller's lock. */
typedef enum {
    HAL_EV_NONE = 0,
    HAL_EV_GPIO = 1,      /* a = pin, b = level */
    HAL_EV_UART = 2,      /* a = port (bytes stay in the UART driver's ring) */
    HAL_EV_WIFI_RX = 3,   /* a = kind (0 data, 1 EAPOL), buf/len = frame, owner = driver token */
    HAL_EV_WIFI_EVENT = 4 /* a = WifiEvent, b = status, buf/len = event data */
} hal_ev_kind_t;

typedef struct {
    uint8_t kind;      /* hal_ev_kind_t */
    uint8_t pool_slot; /* bufpool slot + 1 when buf came from a hal_bufpool_t, else 0 */
    uint16_t len;
    int32_t a;
    int32_t b;
    void *buf;         /* payload, or NULL */
    void *owner;       /* e.g. the Wi-Fi driver's rx buffer to free after delivery */
    int64_t time_us;
} hal_event_t;

typedef struct {
    hal_event_t *slots;
    uint32_t capacity; /* any value >= 1 */
    uint32_t head;     /* next to read */
    uint32_t count;
    uint32_t dropped;   /* push failures (queue full) */
    uint32_t coalesced; /* GPIO events merged into a pending one */
} hal_evq_t;

void hal_evq_init(hal_evq_t *q, hal_event_t *storage, uint32_t capacity);
/* Appends ev. A GPIO event for a pin that already has one pending updates that event's level
   and time instead (an interrupt line is level information, not a count). Returns false when
   full; the caller must then release ev's payload itself. */
bool hal_evq_push(hal_evq_t *q, const hal_event_t *ev);
bool hal_evq_pop(hal_evq_t *q, hal_event_t *out);
static inline uint32_t hal_evq_count(const hal_evq_t *q) { return q->count; }

/* ---- Fixed pool of equally sized buffers (EAPOL frames and Wi-Fi event records are copied
   into these from driver callbacks; nothing is malloc'ed on the event path). Max 32 slots. */
typedef struct {
    uint8_t *storage;
    uint32_t slot_size;
    uint32_t slots;
    uint32_t used_mask;
} hal_bufpool_t;

bool hal_bufpool_init(hal_bufpool_t *p, uint8_t *storage, uint32_t slot_size, uint32_t slots);
/* Returns a slot index + 1 (0 = none free); *buf receives the slot's memory. */
uint8_t hal_bufpool_alloc(hal_bufpool_t *p, uint8_t **buf);
void hal_bufpool_free(hal_bufpool_t *p, uint8_t slot_plus_one);

#endif
