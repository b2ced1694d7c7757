/* Host stand-in for ESP-IDF's esp_wifi.h: only what firmware/main/hal_wifi.c uses, with the
   field names and types of ESP-IDF v5 (esp_wifi_types.h). Fakes live in test_hal_wifi.c. */
#ifndef STUB_ESP_WIFI_H
#define STUB_ESP_WIFI_H
#include <stdbool.h>
#include <stdint.h>

#include "esp_event.h"

/* freertos/portmacro.h */
typedef int portMUX_TYPE;
#define portMUX_INITIALIZER_UNLOCKED 0
#define portENTER_CRITICAL(m) ((void)(m))
#define portEXIT_CRITICAL(m) ((void)(m))

#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_WIFI_STATE 0x3007
#define ESP_ERR_WIFI_NOT_CONNECT 0x300f

typedef enum { WIFI_MODE_NULL, WIFI_MODE_STA } wifi_mode_t;
typedef enum { WIFI_IF_STA } wifi_interface_t;
typedef enum { WIFI_STORAGE_FLASH, WIFI_STORAGE_RAM } wifi_storage_t;
typedef enum { WIFI_PS_NONE, WIFI_PS_MIN_MODEM, WIFI_PS_MAX_MODEM } wifi_ps_type_t;
typedef enum { WIFI_AUTH_OPEN = 0, WIFI_AUTH_WPA2_PSK = 3 } wifi_auth_mode_t;
typedef enum { WIFI_FAST_SCAN, WIFI_ALL_CHANNEL_SCAN } wifi_scan_method_t;
typedef enum { WIFI_SCAN_TYPE_ACTIVE, WIFI_SCAN_TYPE_PASSIVE } wifi_scan_type_t;
typedef enum { WIFI_PKT_MGMT, WIFI_PKT_CTRL, WIFI_PKT_DATA, WIFI_PKT_MISC } wifi_promiscuous_pkt_type_t;
#define WIFI_PROMIS_FILTER_MASK_MGMT (1 << 0)

typedef enum {
    WIFI_EVENT_SCAN_DONE = 1,
    WIFI_EVENT_STA_CONNECTED = 4,
    WIFI_EVENT_STA_DISCONNECTED = 5,
    WIFI_EVENT_STA_BSS_RSSI_LOW = 18,
    WIFI_EVENT_STA_BEACON_TIMEOUT = 21,
} wifi_event_t;
extern esp_event_base_t const WIFI_EVENT;

typedef struct {
    uint8_t bssid[6];
    uint8_t ssid[33];
    uint8_t primary;
    int8_t rssi;
} wifi_ap_record_t;

typedef struct { uint8_t ssid[32]; uint8_t ssid_len; uint8_t bssid[6]; uint8_t channel; wifi_auth_mode_t authmode; uint16_t aid; } wifi_event_sta_connected_t;
typedef struct { uint8_t ssid[32]; uint8_t ssid_len; uint8_t bssid[6]; uint8_t reason; int8_t rssi; } wifi_event_sta_disconnected_t;
typedef struct { int32_t rssi; } wifi_event_bss_rssi_low_t;

typedef struct { struct { unsigned sig_len : 12; } rx_ctrl; uint8_t payload[]; } wifi_promiscuous_pkt_t;
typedef struct { uint32_t filter_mask; } wifi_promiscuous_filter_t;
typedef struct {
    uint8_t *ssid; uint8_t *bssid; uint8_t channel; bool show_hidden; wifi_scan_type_t scan_type;
    struct { struct { uint32_t min, max; } active; uint32_t passive; } scan_time;
} wifi_scan_config_t;
typedef struct {
    struct {
        uint8_t ssid[32]; uint8_t password[64]; wifi_scan_method_t scan_method; bool bssid_set; uint8_t bssid[6];
        uint8_t channel; uint16_t listen_interval;
        struct { int8_t rssi; wifi_auth_mode_t authmode; } threshold;
        struct { bool capable, required; } pmf_cfg;
    } sta;
} wifi_config_t;
typedef struct { int nvs_enable; } wifi_init_config_t;
#define WIFI_INIT_CONFIG_DEFAULT() { .nvs_enable = 1 }

esp_err_t esp_wifi_init(const wifi_init_config_t *config);
esp_err_t esp_wifi_set_storage(wifi_storage_t storage);
esp_err_t esp_wifi_set_mode(wifi_mode_t mode);
esp_err_t esp_wifi_start(void);
esp_err_t esp_wifi_connect(void);
esp_err_t esp_wifi_disconnect(void);
esp_err_t esp_wifi_set_ps(wifi_ps_type_t type);
esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf);
esp_err_t esp_wifi_get_config(wifi_interface_t interface, wifi_config_t *conf);
esp_err_t esp_wifi_scan_start(const wifi_scan_config_t *config, bool block);
esp_err_t esp_wifi_scan_get_ap_records(uint16_t *number, wifi_ap_record_t *ap_records);
esp_err_t esp_wifi_set_promiscuous(bool en);
esp_err_t esp_wifi_set_promiscuous_filter(const wifi_promiscuous_filter_t *filter);
esp_err_t esp_wifi_set_promiscuous_rx_cb(void (*cb)(void *buf, wifi_promiscuous_pkt_type_t type));
esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t *ap_info);
esp_err_t esp_wifi_set_rssi_threshold(int32_t rssi);
#endif
