/* Host stand-in for ESP-IDF's esp_private/wifi.h (see ../esp_wifi.h). */
#ifndef STUB_ESP_PRIVATE_WIFI_H
#define STUB_ESP_PRIVATE_WIFI_H
#include <stdint.h>

#include "esp_wifi.h"

typedef esp_err_t (*wifi_rxcb_t)(void *buffer, uint16_t len, void *eb);
esp_err_t esp_wifi_internal_reg_rxcb(wifi_interface_t ifx, wifi_rxcb_t fn);
void esp_wifi_internal_free_rx_buffer(void *buffer);
int esp_wifi_internal_tx(wifi_interface_t ifx, void *buffer, uint16_t len);
#endif
