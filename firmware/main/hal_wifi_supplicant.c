/* THE SHARPEST EDGE: our own supplicant through ESP-IDF's PRIVATE supplicant interface.
   esp_wifi_init() runs esp_supplicant_init(), which fills the global `struct wpa_funcs *wpa_cb`
   (components/wpa_supplicant/esp_supplicant/src/esp_wpa_main.c) and registers it with the
   closed Wi-Fi library via esp_wifi_register_wpa_cb_internal(). We replace the station hooks
   in that same table, so the library calls us for EAPOL frames and connection state, and keep
   ESP-IDF's helpers for the rest (IE parsing for scans, AP mode is disabled).
   Keys go in with esp_wifi_set_sta_key_internal(), as wpa_supplicant's wpa_sm_set_key does.
   None of this is a public API: verified against ESP-IDF v5.2.3's
   esp_supplicant/src/esp_wifi_driver.h; any other version must be re-checked (docs/firmware.md). */
#include <string.h>

#include "esp_idf_version.h"
#include "esp_log.h"
#include "esp_private/wifi.h"
#include "esp_timer.h"
#include "esp_wifi.h"

#include "utils/includes.h"
#include "utils/common.h"
#include "esp_wifi_driver.h"

#include "host.h"

#if ESP_IDF_VERSION < ESP_IDF_VERSION_VAL(5, 2, 0) || ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(5, 3, 0)
#error "hal_wifi_supplicant.c uses private ESP-IDF v5.2.x supplicant hooks; re-verify struct wpa_funcs for this version"
#endif

extern struct wpa_funcs *wpa_cb; /* esp_wpa_main.c */

static uint8_t s_rsn_ie[64];
static uint8_t s_rsn_ie_len;
static uint8_t s_bssid[6];
static bool s_have_bssid;
static volatile bool s_in_handshake;
static volatile bool s_ptk_installed;

bool hal_wifi_ptk_installed(void) { return s_ptk_installed; }
bool hal_wifi_protected(void) { return s_rsn_ie_len != 0; }

void hal_wifi_supplicant_set_rsn_ie(const uint8_t *ie, uint8_t len)
{
    s_rsn_ie_len = len <= sizeof s_rsn_ie ? len : 0;
    memcpy(s_rsn_ie, ie, s_rsn_ie_len);
}

bool hal_wifi_supplicant_bssid(uint8_t out[6])
{
    memcpy(out, s_bssid, 6);
    return s_have_bssid;
}

static bool sta_init(void) { return true; }
static bool sta_deinit(void) { return true; }

/* Called by the driver just before it associates: install our RSN element for the
   association request (what wpa_set_bss/wpa_gen_wpa_ie do in ESP-IDF), then let it connect. */
static int sta_connect(uint8_t *bssid)
{
    memcpy(s_bssid, bssid, 6);
    s_have_bssid = true;
    if (s_rsn_ie_len) esp_wifi_set_appie_internal(WIFI_APPIE_RSN, s_rsn_ie, s_rsn_ie_len, 1);
    else esp_wifi_unset_appie_internal(WIFI_APPIE_RSN);
    s_in_handshake = s_rsn_ie_len != 0;
    s_ptk_installed = false;
    return esp_wifi_sta_connect_internal(bssid);
}

static void sta_connected(uint8_t *bssid) { (void)bssid; }

static void sta_disconnected(uint8_t reason) { (void)reason; s_in_handshake = false; s_ptk_installed = false; }

/* EAPOL payload (after LLC/SNAP) from src: rebuild the Ethernet II frame the module expects. */
static int sta_rx_eapol(u8 *src_addr, u8 *buf, u32 len)
{
    uint8_t frame[512];
    if (len + 14 > sizeof frame) return -1;
    esp_wifi_get_mac(WIFI_IF_STA, frame);
    memcpy(frame + 6, src_addr, 6);
    frame[12] = 0x88;
    frame[13] = 0x8e;
    memcpy(frame + 14, buf, len);
    return events_push_copy(HAL_EV_WIFI_RX, 1, 0, frame, (uint16_t)(len + 14), esp_timer_get_time()) ? 0 : -1;
}

static bool sta_in_4way(void) { return s_in_handshake; }

void hal_wifi_supplicant_install(void)
{
    if (!wpa_cb) {
        ESP_LOGE(WASMNET_TAG, "ESP-IDF supplicant table missing; WPA2 will not work");
        return;
    }
    wpa_cb->wpa_sta_init = sta_init;
    wpa_cb->wpa_sta_deinit = sta_deinit;
    wpa_cb->wpa_sta_connect = sta_connect;
    wpa_cb->wpa_sta_connected_cb = sta_connected;
    wpa_cb->wpa_sta_disconnected_cb = sta_disconnected;
    wpa_cb->wpa_sta_rx_eapol = sta_rx_eapol;
    wpa_cb->wpa_sta_in_4way_handshake = sta_in_4way;
}

int hal_wifi_eapol_send(const uint8_t *frame, int32_t len)
{
    /* As esp_supplicant's wpa_sendto_wrapper: an Ethernet II frame to the STA interface. */
    int r = esp_wifi_internal_tx(WIFI_IF_STA, (void *)frame, (uint16_t)len);
    return r == ESP_OK ? 0 : r == ESP_ERR_NO_MEM ? HAL_HAL_ERROR_BUSY : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_set_key(int32_t kind, int32_t index, const uint8_t *key, int32_t key_len, const uint8_t *rsc)
{
    if (!s_have_bssid || key_len != 16) return HAL_HAL_ERROR_INVALID;
    uint8_t k[16], seq[6];
    memcpy(k, key, 16);
    memcpy(seq, rsc, 6);
    int r;
    if (kind == 0) {
        r = esp_wifi_set_sta_key_internal(WIFI_WPA_ALG_CCMP, s_bssid, 0, 1, seq, 6, k, 16,
                                          (enum key_flag)(KEY_FLAG_PAIRWISE | KEY_FLAG_RX | KEY_FLAG_TX));
        s_in_handshake = false; /* PTK installed: the driver encrypts from now on */
        s_ptk_installed = r == 0;
    } else if (kind == 1 && index >= 1 && index <= 3) {
        uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        r = esp_wifi_set_sta_key_internal(WIFI_WPA_ALG_CCMP, bcast, index, 0, seq, 6, k, 16,
                                          (enum key_flag)(KEY_FLAG_GROUP | KEY_FLAG_RX));
    } else {
        return HAL_HAL_ERROR_INVALID;
    }
    return r == 0 ? 0 : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_clear_keys(void)
{
    uint8_t zero[16] = { 0 }, seq[6] = { 0 };
    uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    esp_wifi_set_sta_key_internal(WIFI_WPA_ALG_NONE, s_bssid, 0, 0, seq, 0, zero, 0, KEY_FLAG_PAIRWISE);
    for (int i = 1; i <= 3; i++)
        esp_wifi_set_sta_key_internal(WIFI_WPA_ALG_NONE, bcast, i, 0, seq, 0, zero, 0, KEY_FLAG_GROUP);
    s_ptk_installed = false;
    return 0;
}
