/* Host stand-in for ESP-IDF's esp_timer.h (see esp_wifi.h here). */
#ifndef STUB_ESP_TIMER_H
#define STUB_ESP_TIMER_H
#include <stdint.h>

#include "esp_event.h"

typedef struct esp_timer *esp_timer_handle_t;
typedef struct { void (*callback)(void *arg); void *arg; int dispatch_method; const char *name; } esp_timer_create_args_t;
int64_t esp_timer_get_time(void);
esp_err_t esp_timer_create(const esp_timer_create_args_t *args, esp_timer_handle_t *out);
esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period_us);
esp_err_t esp_timer_stop(esp_timer_handle_t timer);
#endif
