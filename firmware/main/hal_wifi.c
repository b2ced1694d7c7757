/* Wi-Fi station without esp_netif/lwIP: the driver hands us Ethernet II frames
   (esp_wifi_internal_reg_rxcb) and takes ours (esp_wifi_internal_tx); our own supplicant in
   the wasm module does the 4-way handshake through the hooks in hal_wifi_supplicant.c.
   No esp_netif_create_default_wifi_sta() is ever called, so ESP-IDF starts no netif and no
   DHCP client on the STA interface.

   Record layouts (proposed; must match drivers/esp32-wifi, to be moved into hal/abi.json):
     WifiScanParams (wifi_scan):  u8 flags (bit0 passive), u8 channel (0 = all),
                                  u16 dwell_min_ms, u16 dwell_max_ms           (6 bytes, LE)
     WifiJoinParams (wifi_join):  u8 bssid[6], u8 channel, u8 ssid_len, u8 ssid[32],
                                  u8 ie_len, u8 ie[ie_len] (our RSN element, id 48 + length)
     ScanResult event data:       u8 bssid[6], u8 channel, i8 rssi, u8 authmode (wifi_auth_mode_t),
                                  u8 pairwise, u8 group (wifi_cipher_type_t), u8 ssid_len, u8 ssid[32]
     Associated event data:       u8 bssid[6], u8 channel
     Disassociated/AssocFailed:   status = 802.11 reason code (wifi_err_reason_t) */
#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_pm.h"
#include "esp_private/wifi.h"
#include "esp_timer.h"
#include "esp_wifi.h"

#include "host.h"

#define SCAN_MAX 16
#define JOIN_FIXED 41

static bool s_connected;
static wifi_ap_record_t s_aps[SCAN_MAX];
#if CONFIG_PM_ENABLE
static esp_pm_lock_handle_t s_no_sleep;
static bool s_no_sleep_held;
#endif

static esp_err_t wifi_rx(void *buffer, uint16_t len, void *eb)
{
    hal_event_t ev = { .kind = HAL_EV_WIFI_RX, .a = 0, .len = len, .buf = buffer, .owner = eb, .time_us = esp_timer_get_time() };
    if (!events_push(&ev)) esp_wifi_internal_free_rx_buffer(eb); /* queue full: drop */
    return ESP_OK;
}

void hal_wifi_release_rx(void *owner)
{
    esp_wifi_internal_free_rx_buffer(owner);
}

static void post(int32_t event, int32_t status, const void *data, uint16_t len)
{
    events_push_copy(HAL_EV_WIFI_EVENT, event, status, data, len, esp_timer_get_time());
}

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg; (void)base;
    switch (id) {
    case WIFI_EVENT_SCAN_DONE: {
        uint16_t n = SCAN_MAX;
        if (esp_wifi_scan_get_ap_records(&n, s_aps) != ESP_OK) n = 0;
        for (uint16_t i = 0; i < n; i++) {
            uint8_t rec[44] = { 0 };
            memcpy(rec, s_aps[i].bssid, 6);
            rec[6] = s_aps[i].primary;
            rec[7] = (uint8_t)s_aps[i].rssi;
            rec[8] = (uint8_t)s_aps[i].authmode;
            rec[9] = (uint8_t)s_aps[i].pairwise_cipher;
            rec[10] = (uint8_t)s_aps[i].group_cipher;
            size_t sl = strnlen((const char *)s_aps[i].ssid, 32);
            rec[11] = (uint8_t)sl;
            memcpy(rec + 12, s_aps[i].ssid, sl);
            post(HAL_WIFI_EVENT_SCAN_RESULT, 0, rec, sizeof rec);
        }
        post(HAL_WIFI_EVENT_SCAN_DONE, n, NULL, 0);
        break;
    }
    case WIFI_EVENT_STA_CONNECTED: {
        wifi_event_sta_connected_t *c = data;
        uint8_t rec[7];
        memcpy(rec, c->bssid, 6);
        rec[6] = c->channel;
        s_connected = true;
        post(HAL_WIFI_EVENT_ASSOCIATED, 0, rec, sizeof rec);
        break;
    }
    case WIFI_EVENT_STA_DISCONNECTED: {
        wifi_event_sta_disconnected_t *d = data;
        post(s_connected ? HAL_WIFI_EVENT_DISASSOCIATED : HAL_WIFI_EVENT_ASSOC_FAILED, d->reason, NULL, 0);
        s_connected = false;
        break;
    }
    case WIFI_EVENT_STA_BEACON_TIMEOUT:
        post(HAL_WIFI_EVENT_BEACON_LOSS, 0, NULL, 0);
        break;
    default:
        break;
    }
}

void hal_wifi_setup(void)
{
    ESP_ERROR_CHECK(esp_event_loop_create_default());
    wifi_init_config_t cfg = WIFI_INIT_CONFIG_DEFAULT();
    cfg.nvs_enable = 0; /* credentials live in our config store, not in ESP-IDF's NVS */
    ESP_ERROR_CHECK(esp_wifi_init(&cfg));
    ESP_ERROR_CHECK(esp_wifi_set_storage(WIFI_STORAGE_RAM));
    ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
    ESP_ERROR_CHECK(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL));
    hal_wifi_supplicant_install(); /* after esp_wifi_init: it patches the registered wpa_funcs */
    ESP_ERROR_CHECK(esp_wifi_start());
    ESP_ERROR_CHECK(esp_wifi_internal_reg_rxcb(WIFI_IF_STA, wifi_rx));
    ESP_ERROR_CHECK(esp_wifi_set_ps(WIFI_PS_NONE));
#if CONFIG_PM_ENABLE
    /* Power profile: no light sleep until the module chooses a power-save mode. */
    if (esp_pm_lock_create(ESP_PM_NO_LIGHT_SLEEP, 0, "wasmnet_ps", &s_no_sleep) == ESP_OK) {
        esp_pm_lock_acquire(s_no_sleep);
        s_no_sleep_held = true;
    }
#endif
}

int32_t hal_wifi_scan(const uint8_t *params, int32_t len)
{
    if (len < 6) return HAL_HAL_ERROR_INVALID;
    uint16_t dmin = (uint16_t)(params[2] | params[3] << 8), dmax = (uint16_t)(params[4] | params[5] << 8);
    wifi_scan_config_t sc = { .channel = params[1], .show_hidden = false,
                              .scan_type = (params[0] & 1) ? WIFI_SCAN_TYPE_PASSIVE : WIFI_SCAN_TYPE_ACTIVE };
    if (params[0] & 1) sc.scan_time.passive = dmax ? dmax : 360;
    else { sc.scan_time.active.min = dmin; sc.scan_time.active.max = dmax ? dmax : 120; }
    esp_err_t err = esp_wifi_scan_start(&sc, false);
    return err == ESP_OK ? 0 : err == ESP_ERR_WIFI_STATE ? HAL_HAL_ERROR_BUSY : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_join(const uint8_t *params, int32_t len)
{
    if (len < JOIN_FIXED || params[7] > 32 || params[40] > len - JOIN_FIXED) return HAL_HAL_ERROR_INVALID;
    wifi_config_t wc = { 0 };
    memcpy(wc.sta.ssid, params + 8, params[7]);
    memcpy(wc.sta.bssid, params, 6);
    wc.sta.bssid_set = true;
    wc.sta.channel = params[6];
    wc.sta.scan_method = WIFI_FAST_SCAN;
    /* The driver only needs to know the AP is protected; the PMK is derived in the module and the
       handshake runs there, so no password is given to ESP-IDF. */
    wc.sta.threshold.authmode = params[40] ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    wc.sta.pmf_cfg.capable = true;
    wc.sta.pmf_cfg.required = false;
    wc.sta.listen_interval = 3;
    hal_wifi_supplicant_set_rsn_ie(params + JOIN_FIXED, params[40]);
    if (esp_wifi_set_config(WIFI_IF_STA, &wc) != ESP_OK) return HAL_HAL_ERROR_INVALID;
    return esp_wifi_connect() == ESP_OK ? 0 : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_leave(int32_t reason)
{
    (void)reason; /* esp_wifi_disconnect sends ASSOC_LEAVE (8); the driver picks the code */
    return esp_wifi_disconnect() == ESP_OK ? 0 : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_tx(const uint8_t *frame, int32_t len)
{
    if (len < 14 || len > 1514) return HAL_HAL_ERROR_INVALID;
    if (!s_connected) return HAL_HAL_ERROR_NO_DEVICE;
    /* esp_wifi_internal_tx copies the frame; ESP_ERR_NO_MEM means the driver's TX queue is full. */
    int r = esp_wifi_internal_tx(WIFI_IF_STA, (void *)frame, (uint16_t)len);
    return r == ESP_OK ? 0 : r == ESP_ERR_NO_MEM ? HAL_HAL_ERROR_BUSY : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_eapol_tx(const uint8_t *frame, int32_t len)
{
    if (len < 18 || len > 1514 || frame[12] != 0x88 || frame[13] != 0x8e) return HAL_HAL_ERROR_INVALID;
    return hal_wifi_eapol_send(frame, len);
}

int32_t hal_wifi_set_power_save(int32_t mode, int32_t listen_interval)
{
    wifi_ps_type_t ps = mode == 0 ? WIFI_PS_NONE : mode == 1 ? WIFI_PS_MIN_MODEM : WIFI_PS_MAX_MODEM;
    if (mode < 0 || mode > 2) return HAL_HAL_ERROR_INVALID;
    if (mode == 2 && listen_interval > 0) {
        /* listen_interval is part of the STA config and takes effect at the next association. */
        wifi_config_t wc;
        if (esp_wifi_get_config(WIFI_IF_STA, &wc) == ESP_OK) {
            wc.sta.listen_interval = (uint16_t)listen_interval;
            esp_wifi_set_config(WIFI_IF_STA, &wc);
        }
    }
    if (esp_wifi_set_ps(ps) != ESP_OK) return HAL_HAL_ERROR_IO;
#if CONFIG_PM_ENABLE
    if (s_no_sleep) {
        if (mode == 0 && !s_no_sleep_held) { esp_pm_lock_acquire(s_no_sleep); s_no_sleep_held = true; }
        else if (mode != 0 && s_no_sleep_held) { esp_pm_lock_release(s_no_sleep); s_no_sleep_held = false; }
    }
#endif
    return 0;
}
