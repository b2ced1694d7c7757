/* The event queue between interrupt/driver context and the wasm task: a portable hal_evq_t
   (tested on the host) under a spinlock, with a task notification to wake the wasm task.
   The GPIO ISR is registered without ESP_INTR_FLAG_IRAM, so it never runs while the flash
   cache is disabled and this code may live in flash. */
#include <string.h>

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#include "esp_wifi.h"
#include "host.h"

#define EVQ_DEPTH 24
#define POOL_SLOTS 8
#define POOL_SLOT_BYTES 512 /* EAPOL-Key frames (<= ~300 bytes with RSN IE/GTK KDE) and event records */

static hal_event_t s_storage[EVQ_DEPTH];
static hal_evq_t s_q;
static uint8_t s_pool_mem[POOL_SLOTS * POOL_SLOT_BYTES];
static hal_bufpool_t s_pool;
static portMUX_TYPE s_lock = portMUX_INITIALIZER_UNLOCKED;
static TaskHandle_t s_task;

void events_init(void *wasm_task)
{
    hal_evq_init(&s_q, s_storage, EVQ_DEPTH);
    hal_bufpool_init(&s_pool, s_pool_mem, POOL_SLOT_BYTES, POOL_SLOTS);
    s_task = (TaskHandle_t)wasm_task;
}

bool events_push(const hal_event_t *ev)
{
    portENTER_CRITICAL(&s_lock);
    bool ok = hal_evq_push(&s_q, ev);
    portEXIT_CRITICAL(&s_lock);
    if (ok && s_task) xTaskNotifyGive(s_task);
    return ok;
}

bool events_push_from_isr(const hal_event_t *ev, int *woken)
{
    portENTER_CRITICAL_ISR(&s_lock);
    bool ok = hal_evq_push(&s_q, ev);
    portEXIT_CRITICAL_ISR(&s_lock);
    if (ok && s_task) {
        BaseType_t w = pdFALSE;
        vTaskNotifyGiveFromISR(s_task, &w);
        if (w) *woken = 1;
    }
    return ok;
}

bool events_pop(hal_event_t *out)
{
    portENTER_CRITICAL(&s_lock);
    bool ok = hal_evq_pop(&s_q, out);
    portEXIT_CRITICAL(&s_lock);
    return ok;
}

void events_wait(uint32_t ticks)
{
    if (ticks == 0) return;
    ulTaskNotifyTake(pdTRUE, ticks);
}

bool events_push_copy(uint8_t kind, int32_t a, int32_t b, const void *data, uint16_t len, int64_t now)
{
    hal_event_t ev = { .kind = kind, .a = a, .b = b, .len = len, .time_us = now };
    if (len) {
        if (len > POOL_SLOT_BYTES) return false;
        uint8_t *buf;
        portENTER_CRITICAL(&s_lock);
        uint8_t slot = hal_bufpool_alloc(&s_pool, &buf);
        portEXIT_CRITICAL(&s_lock);
        if (!slot) {
            portENTER_CRITICAL(&s_lock);
            s_q.dropped++;
            portEXIT_CRITICAL(&s_lock);
            return false;
        }
        memcpy(buf, data, len);
        ev.buf = buf;
        ev.pool_slot = slot;
    }
    if (!events_push(&ev)) {
        events_release(&ev);
        return false;
    }
    return true;
}

void events_release(const hal_event_t *ev)
{
    if (ev->pool_slot) {
        portENTER_CRITICAL(&s_lock);
        hal_bufpool_free(&s_pool, ev->pool_slot);
        portEXIT_CRITICAL(&s_lock);
    }
    if (ev->kind == HAL_EV_WIFI_RX && ev->owner) hal_wifi_release_rx(ev->owner);
}

uint32_t events_dropped(void) { return s_q.dropped; }
