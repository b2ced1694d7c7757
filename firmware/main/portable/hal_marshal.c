#include "hal_marshal.h"

#include <string.h>

uint32_t hal_deadline_to_ticks(int64_t now_us, int64_t deadline_us, uint32_t tick_hz, uint32_t max_ticks)
{
    if (deadline_us <= now_us) return 0;
    /* deadline > now here, so the difference is positive; compute it in uint64 (no overflow:
       the true difference is < 2^64). */
    uint64_t delta = (uint64_t)deadline_us - (uint64_t)now_us;
    /* ticks = ceil(delta * hz / 1e6) without forming delta * hz. */
    uint64_t whole = delta / 1000000u;
    uint64_t rest = delta % 1000000u;
    if (tick_hz == 0) return max_ticks;
    if (whole > (uint64_t)max_ticks / tick_hz + 1) return max_ticks;
    uint64_t ticks = whole * tick_hz + (rest * tick_hz + 999999u) / 1000000u;
    return ticks > max_ticks ? max_ticks : (uint32_t)ticks;
}

void hal_evq_init(hal_evq_t *q, hal_event_t *storage, uint32_t capacity)
{
    memset(q, 0, sizeof *q);
    q->slots = storage;
    q->capacity = capacity;
}

bool hal_evq_push(hal_evq_t *q, const hal_event_t *ev)
{
    if (ev->kind == HAL_EV_GPIO) {
        for (uint32_t i = 0; i < q->count; i++) {
            hal_event_t *e = &q->slots[(q->head + i) % q->capacity];
            if (e->kind == HAL_EV_GPIO && e->a == ev->a) {
                e->b = ev->b;
                e->time_us = ev->time_us;
                q->coalesced++;
                return true;
            }
        }
    }
    if (q->count >= q->capacity) {
        q->dropped++;
        return false;
    }
    q->slots[(q->head + q->count) % q->capacity] = *ev;
    q->count++;
    return true;
}

bool hal_evq_pop(hal_evq_t *q, hal_event_t *out)
{
    if (q->count == 0) return false;
    *out = q->slots[q->head];
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    return true;
}

bool hal_bufpool_init(hal_bufpool_t *p, uint8_t *storage, uint32_t slot_size, uint32_t slots)
{
    if (slots == 0 || slots > 32 || slot_size == 0) return false;
    p->storage = storage;
    p->slot_size = slot_size;
    p->slots = slots;
    p->used_mask = 0;
    return true;
}

uint8_t hal_bufpool_alloc(hal_bufpool_t *p, uint8_t **buf)
{
    for (uint32_t i = 0; i < p->slots; i++) {
        if (!(p->used_mask & (1u << i))) {
            p->used_mask |= 1u << i;
            *buf = p->storage + (size_t)i * p->slot_size;
            return (uint8_t)(i + 1);
        }
    }
    *buf = NULL;
    return 0;
}

void hal_bufpool_free(hal_bufpool_t *p, uint8_t slot_plus_one)
{
    if (slot_plus_one == 0 || slot_plus_one > p->slots) return;
    p->used_mask &= ~(1u << (slot_plus_one - 1));
}
