/* Wi-Fi station without esp_netif/lwIP: the driver hands us Ethernet II frames
   (esp_wifi_internal_reg_rxcb) and takes ours (esp_wifi_internal_tx); our own supplicant in
   the wasm module does the 4-way handshake through the hooks in hal_wifi_supplicant.c.
   No esp_netif_create_default_wifi_sta() is ever called, so ESP-IDF starts no netif and no
   DHCP client on the STA interface.

   Records and events follow docs/wifi-hal.md (the contract sim/wifi/radio.ts implements too).
   wifi_ap_record_t has no beacon interval, capability, DTIM or raw IEs, so while a scan runs
   the radio is also in promiscuous mode for management frames and we take those fields, and
   the RSN/WPA elements byte for byte, from the beacons and probe responses themselves (the
   4-way handshake compares the AP's RSN element in message 3 with the one from the scan).

   RSSI (WifiEvent.Rssi): posted after WIFI_EVENT_STA_CONNECTED from esp_wifi_sta_get_ap_info,
   by a poll every RSSI_POLL_US when it moved RSSI_STEP_DB, and on WIFI_EVENT_STA_BSS_RSSI_LOW.
   The blob posts that event when its averaged beacon RSSI falls below the threshold given to
   esp_wifi_set_rssi_threshold, once per call ("this API needs to be called again" for another
   one, esp_wifi.h), so after every report we arm it again: at RSSI_LOW_DBM while the signal
   is above it, one step below the report once under it. The poll is an esp_timer that posts
   to the default event loop, so all RSSI state lives in the event loop task, like s_connected. */
#include <stdlib.h>
#include <string.h>

#include "esp_event.h"
#include "esp_log.h"
#include "esp_pm.h"
#include "esp_private/wifi.h"
#include "esp_timer.h"
#include "esp_wifi.h"

#include "host.h"

#define SCAN_MAX 16
#define IE_MAX 96
#define RSSI_LOW_DBM (-75) /* the driver's default roamRssiDbm (drivers/esp32-wifi/wifi.ts) */
#define RSSI_STEP_DB 3
#define RSSI_POLL_US (4 * 1000 * 1000)

typedef struct {
    uint8_t bssid[6];
    uint16_t beacon_interval;
    uint16_t capability;
    uint8_t dtim_period;
    uint8_t ie_len;
    uint8_t ie[IE_MAX]; /* RSN (48) and WPA vendor (221, 00:50:F2 type 1) elements */
} heard_t;

static bool s_connected;
static uint8_t s_bssid[6];
static wifi_ap_record_t s_aps[SCAN_MAX];
static heard_t s_heard[SCAN_MAX];
static int s_nheard;
static uint16_t s_scan_channels; /* bit c set: report channel c (0 = all) */
static portMUX_TYPE s_scan_lock = portMUX_INITIALIZER_UNLOCKED;
static int s_rssi;       /* last posted */
static int s_rssi_armed; /* threshold armed with esp_wifi_set_rssi_threshold (0: none) */
static esp_timer_handle_t s_rssi_timer;
ESP_EVENT_DEFINE_BASE(WASMNET_RSSI_POLL);
#if CONFIG_PM_ENABLE
static esp_pm_lock_handle_t s_no_sleep;
static bool s_no_sleep_held;
#endif

bool hal_wifi_ptk_installed(void); /* hal_wifi_supplicant.c */
bool hal_wifi_protected(void);

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

/* Beacons (subtype 8) and probe responses (5) heard during a scan. */
static void promisc_rx(void *buf, wifi_promiscuous_pkt_type_t type)
{
    if (type != WIFI_PKT_MGMT) return;
    const wifi_promiscuous_pkt_t *pkt = buf;
    int len = (int)pkt->rx_ctrl.sig_len - 4; /* without FCS */
    const uint8_t *f = pkt->payload;
    if (len < 36) return;
    uint8_t subtype = (f[0] >> 4) & 0xf;
    if ((f[0] & 0x0c) != 0 || (subtype != 8 && subtype != 5)) return;
    heard_t h = { 0 };
    memcpy(h.bssid, f + 16, 6);
    h.beacon_interval = (uint16_t)(f[32] | f[33] << 8);
    h.capability = (uint16_t)(f[34] | f[35] << 8);
    for (int off = 36; off + 2 <= len && off + 2 + f[off + 1] <= len; off += 2 + f[off + 1]) {
        const uint8_t id = f[off], elen = f[off + 1];
        if (id == 5 && elen >= 2) h.dtim_period = f[off + 3];
        bool wpa = id == 221 && elen >= 4 && f[off + 2] == 0x00 && f[off + 3] == 0x50 && f[off + 4] == 0xf2 && f[off + 5] == 1;
        if ((id == 48 || wpa) && h.ie_len + 2 + elen <= IE_MAX) {
            memcpy(h.ie + h.ie_len, f + off, 2u + elen);
            h.ie_len = (uint8_t)(h.ie_len + 2 + elen);
        }
    }
    portENTER_CRITICAL(&s_scan_lock);
    int i = 0;
    while (i < s_nheard && memcmp(s_heard[i].bssid, h.bssid, 6) != 0) i++;
    if (i < SCAN_MAX) {
        if (i == s_nheard) s_nheard++;
        if (h.dtim_period == 0) h.dtim_period = s_heard[i].dtim_period; /* probe responses carry no TIM */
        s_heard[i] = h;
    }
    portEXIT_CRITICAL(&s_scan_lock);
}

static void scan_finished(void)
{
    esp_wifi_set_promiscuous(false);
    uint16_t n = SCAN_MAX;
    if (esp_wifi_scan_get_ap_records(&n, s_aps) != ESP_OK) n = 0;
    uint16_t reported = 0;
    for (uint16_t i = 0; i < n; i++) {
        const wifi_ap_record_t *ap = &s_aps[i];
        if (s_scan_channels && !(s_scan_channels & (1u << ap->primary))) continue;
        heard_t h = { .beacon_interval = 100, .dtim_period = 1 };
        portENTER_CRITICAL(&s_scan_lock);
        for (int k = 0; k < s_nheard; k++)
            if (memcmp(s_heard[k].bssid, ap->bssid, 6) == 0) h = s_heard[k];
        portEXIT_CRITICAL(&s_scan_lock);
        uint8_t rec[6 + 1 + 1 + 2 + 1 + 2 + 1 + 32 + 2 + IE_MAX];
        size_t k = 0, sl = strnlen((const char *)ap->ssid, 32);
        memcpy(rec, ap->bssid, 6); k = 6;
        rec[k++] = ap->primary;
        rec[k++] = (uint8_t)ap->rssi;
        rec[k++] = (uint8_t)h.beacon_interval; rec[k++] = (uint8_t)(h.beacon_interval >> 8);
        rec[k++] = h.dtim_period;
        rec[k++] = (uint8_t)h.capability; rec[k++] = (uint8_t)(h.capability >> 8);
        rec[k++] = (uint8_t)sl;
        memcpy(rec + k, ap->ssid, sl); k += sl;
        rec[k++] = h.ie_len; rec[k++] = 0;
        memcpy(rec + k, h.ie, h.ie_len); k += h.ie_len;
        post(HAL_WIFI_EVENT_SCAN_RESULT, 0, rec, (uint16_t)k);
        reported++;
    }
    post(HAL_WIFI_EVENT_SCAN_DONE, reported, NULL, 0);
}

static void post_rssi(int rssi)
{
    s_rssi = rssi;
    post(HAL_WIFI_EVENT_RSSI, rssi, NULL, 0);
    int arm = rssi >= RSSI_LOW_DBM ? RSSI_LOW_DBM : rssi - RSSI_STEP_DB;
    if (arm < -100) arm = -100; /* the API's range is -100..10 dBm */
    if (arm != s_rssi_armed && esp_wifi_set_rssi_threshold(arm) == ESP_OK) s_rssi_armed = arm;
}

static void rssi_poll_tick(void *arg)
{
    (void)arg; /* esp_timer task: hand over to the event loop task (dropped if its queue is full) */
    esp_event_post(WASMNET_RSSI_POLL, 0, NULL, 0, 0);
}

static void on_rssi_poll(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg; (void)base; (void)id; (void)data;
    wifi_ap_record_t ap;
    if (!s_connected || esp_wifi_sta_get_ap_info(&ap) != ESP_OK) return;
    if (abs(ap.rssi - s_rssi) >= RSSI_STEP_DB) post_rssi(ap.rssi);
}

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg; (void)base;
    switch (id) {
    case WIFI_EVENT_SCAN_DONE:
        scan_finished();
        break;
    case WIFI_EVENT_STA_CONNECTED: {
        const wifi_event_sta_connected_t *c = data;
        uint8_t rec[9];
        memcpy(rec, c->bssid, 6);
        memcpy(s_bssid, c->bssid, 6);
        rec[6] = c->channel;
        rec[7] = (uint8_t)c->aid; rec[8] = (uint8_t)(c->aid >> 8);
        s_connected = true;
        post(HAL_WIFI_EVENT_ASSOCIATED, 0, rec, sizeof rec);
        wifi_ap_record_t ap;
        s_rssi_armed = 0; /* arm afresh for this association */
        if (esp_wifi_sta_get_ap_info(&ap) == ESP_OK) post_rssi(ap.rssi);
        esp_timer_stop(s_rssi_timer); /* not running: ESP_ERR_INVALID_STATE, harmless */
        esp_timer_start_periodic(s_rssi_timer, RSSI_POLL_US);
        break;
    }
    case WIFI_EVENT_STA_DISCONNECTED: {
        const wifi_event_sta_disconnected_t *d = data;
        if (!s_connected) {
            /* ESP-IDF reports a reason, not the AP's status code; its own codes (>= 200: no AP
               found, auth/assoc timeouts) mean the AP never answered. */
            post(HAL_WIFI_EVENT_ASSOC_FAILED, d->reason >= 200 ? 0xFFFF : d->reason, d->bssid, 6);
        } else {
            /* The driver does not say which frame carried the reason: 4 (inactivity) and 8
               (leaving) are disassociation reasons, the rest are reported as deauthentication. */
            int ev = d->reason == 4 || d->reason == 8 ? HAL_WIFI_EVENT_DISASSOCIATED : HAL_WIFI_EVENT_DEAUTHENTICATED;
            post(ev, d->reason, d->bssid, 6);
        }
        s_connected = false;
        esp_timer_stop(s_rssi_timer);
        break;
    }
    case WIFI_EVENT_STA_BEACON_TIMEOUT:
        post(HAL_WIFI_EVENT_BEACON_LOSS, 0, s_bssid, 6);
        break;
    case WIFI_EVENT_STA_BSS_RSSI_LOW: {
        const wifi_event_bss_rssi_low_t *low = data;
        s_rssi_armed = 0; /* spent: post_rssi arms the next one */
        if (s_connected) post_rssi((int)low->rssi);
        break;
    }
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
    ESP_ERROR_CHECK(esp_event_handler_register(WASMNET_RSSI_POLL, ESP_EVENT_ANY_ID, on_rssi_poll, NULL));
    const esp_timer_create_args_t poll = { .callback = rssi_poll_tick, .name = "wasmnet_rssi" };
    ESP_ERROR_CHECK(esp_timer_create(&poll, &s_rssi_timer));
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
    if (len < 4 || len < 4 + params[1]) return HAL_HAL_ERROR_INVALID;
    uint8_t n = params[1];
    uint16_t dwell = (uint16_t)(params[2] | params[3] << 8);
    uint16_t mask = 0;
    for (int i = 0; i < n; i++) {
        if (params[4 + i] < 1 || params[4 + i] > 14) return HAL_HAL_ERROR_INVALID;
        mask |= (uint16_t)(1u << params[4 + i]);
    }
    bool active = params[0] & 1;
    /* ESP-IDF scans one channel or all: a list of several scans all and filters the results. */
    wifi_scan_config_t sc = { .channel = n == 1 ? params[4] : 0, .show_hidden = false,
                              .scan_type = active ? WIFI_SCAN_TYPE_ACTIVE : WIFI_SCAN_TYPE_PASSIVE };
    if (active) { sc.scan_time.active.min = dwell; sc.scan_time.active.max = dwell ? dwell : 120; }
    else sc.scan_time.passive = dwell ? dwell : 360;
    s_scan_channels = mask;
    portENTER_CRITICAL(&s_scan_lock);
    s_nheard = 0;
    portEXIT_CRITICAL(&s_scan_lock);
    wifi_promiscuous_filter_t filt = { .filter_mask = WIFI_PROMIS_FILTER_MASK_MGMT };
    esp_wifi_set_promiscuous_filter(&filt);
    esp_wifi_set_promiscuous_rx_cb(promisc_rx);
    esp_wifi_set_promiscuous(true);
    esp_err_t err = esp_wifi_scan_start(&sc, false);
    if (err != ESP_OK) esp_wifi_set_promiscuous(false);
    return err == ESP_OK ? 0 : err == ESP_ERR_WIFI_STATE ? HAL_HAL_ERROR_BUSY : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_join(const uint8_t *params, int32_t len)
{
    if (len < 8) return HAL_HAL_ERROR_INVALID;
    uint8_t ssid_len = params[7];
    if (ssid_len > 32 || len < 8 + ssid_len + 3) return HAL_HAL_ERROR_INVALID;
    const uint8_t *p = params + 8 + ssid_len;
    uint16_t listen_interval = (uint16_t)(p[0] | p[1] << 8);
    uint8_t ie_len = p[2];
    if (len < 8 + ssid_len + 3 + ie_len) return HAL_HAL_ERROR_INVALID;
    wifi_config_t wc = { 0 };
    memcpy(wc.sta.ssid, params + 8, ssid_len);
    memcpy(wc.sta.bssid, params, 6);
    wc.sta.bssid_set = true;
    wc.sta.channel = params[6];
    wc.sta.scan_method = WIFI_FAST_SCAN;
    /* The driver only needs to know the AP is protected; the PMK is derived in the module and the
       handshake runs there, so no password is given to ESP-IDF. */
    wc.sta.threshold.authmode = ie_len ? WIFI_AUTH_WPA2_PSK : WIFI_AUTH_OPEN;
    wc.sta.pmf_cfg.capable = true;
    wc.sta.pmf_cfg.required = false;
    wc.sta.listen_interval = listen_interval;
    hal_wifi_supplicant_set_rsn_ie(p + 3, ie_len);
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
    if (!s_connected) return HAL_HAL_ERROR_IO;
    if (len < 14 || len > 1514 || (frame[12] == 0x88 && frame[13] == 0x8e)) return HAL_HAL_ERROR_INVALID;
    if (hal_wifi_protected() && !hal_wifi_ptk_installed()) return HAL_HAL_ERROR_IO; /* no key yet: refused */
    /* esp_wifi_internal_tx copies the frame; ESP_ERR_NO_MEM means the driver's TX queue is full. */
    int r = esp_wifi_internal_tx(WIFI_IF_STA, (void *)frame, (uint16_t)len);
    return r == ESP_OK ? 0 : r == ESP_ERR_NO_MEM ? HAL_HAL_ERROR_BUSY : HAL_HAL_ERROR_IO;
}

int32_t hal_wifi_eapol_tx(const uint8_t *frame, int32_t len)
{
    if (!s_connected) return HAL_HAL_ERROR_IO;
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
