/* firmware/main/hal_wifi.c on the host, against the ESP-IDF stand-ins in stubs/: the RSSI
   reports (WifiEvent.Rssi, docs/wifi-hal.md). The fakes below play the blob: the AP's RSSI
   that esp_wifi_sta_get_ap_info returns, the threshold armed with esp_wifi_set_rssi_threshold,
   the poll timer, and the events hal_wifi.c posts to the module. */
#include <string.h>

#include "esp_private/wifi.h"
#include "esp_timer.h"
#include "host.h"
#include "runner.h"

void hal_wifi_setup(void);

/* ---- fakes ---- */
esp_event_base_t const WIFI_EVENT = "WIFI_EVENT";
static esp_event_handler_t f_wifi_handler, f_poll_handler;
static esp_event_base_t f_poll_base;
static void (*f_timer_cb)(void *);
static bool f_timer_running;
static int f_connected, f_ap_rssi, f_armed, f_arms;
static struct { int32_t event, status; uint16_t len; } f_posted[32];
static int f_nposted;

esp_err_t esp_event_loop_create_default(void) { return ESP_OK; }
esp_err_t esp_event_handler_register(esp_event_base_t base, int32_t id, esp_event_handler_t handler, void *arg)
{
    (void)id; (void)arg;
    if (base == WIFI_EVENT) f_wifi_handler = handler;
    else { f_poll_base = base; f_poll_handler = handler; }
    return ESP_OK;
}
esp_err_t esp_event_post(esp_event_base_t base, int32_t id, const void *data, size_t size, uint32_t ticks)
{
    (void)size; (void)ticks; /* the default loop runs the handler later, in its own task */
    if (base == f_poll_base && f_poll_handler) f_poll_handler(NULL, base, id, (void *)data);
    return ESP_OK;
}
int64_t esp_timer_get_time(void) { return 0; }
esp_err_t esp_timer_create(const esp_timer_create_args_t *args, esp_timer_handle_t *out)
{
    f_timer_cb = args->callback;
    *out = (esp_timer_handle_t)&f_timer_cb;
    return ESP_OK;
}
esp_err_t esp_timer_start_periodic(esp_timer_handle_t t, uint64_t period_us)
{
    (void)t; (void)period_us;
    if (f_timer_running) return ESP_ERR_INVALID_STATE;
    f_timer_running = true;
    return ESP_OK;
}
esp_err_t esp_timer_stop(esp_timer_handle_t t)
{
    (void)t;
    if (!f_timer_running) return ESP_ERR_INVALID_STATE;
    f_timer_running = false;
    return ESP_OK;
}
esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t *ap)
{
    if (!f_connected) return ESP_ERR_WIFI_NOT_CONNECT;
    memset(ap, 0, sizeof *ap);
    ap->rssi = (int8_t)f_ap_rssi;
    return ESP_OK;
}
esp_err_t esp_wifi_set_rssi_threshold(int32_t rssi)
{
    if (rssi < -100 || rssi > 10) return ESP_ERR_INVALID_STATE;
    f_armed = rssi;
    f_arms++;
    return ESP_OK;
}
bool events_push_copy(uint8_t kind, int32_t a, int32_t b, const void *data, uint16_t len, int64_t now)
{
    (void)data; (void)now;
    if (kind == HAL_EV_WIFI_EVENT && f_nposted < 32) {
        f_posted[f_nposted].event = a; f_posted[f_nposted].status = b; f_posted[f_nposted].len = len;
        f_nposted++;
    }
    return true;
}
bool events_push(const hal_event_t *ev) { (void)ev; return true; }

/* The rest of what hal_wifi.c links against: not exercised here. */
esp_err_t esp_wifi_init(const wifi_init_config_t *c) { (void)c; return ESP_OK; }
esp_err_t esp_wifi_set_storage(wifi_storage_t s) { (void)s; return ESP_OK; }
esp_err_t esp_wifi_set_mode(wifi_mode_t m) { (void)m; return ESP_OK; }
esp_err_t esp_wifi_start(void) { return ESP_OK; }
esp_err_t esp_wifi_connect(void) { return ESP_OK; }
esp_err_t esp_wifi_disconnect(void) { return ESP_OK; }
esp_err_t esp_wifi_set_ps(wifi_ps_type_t t) { (void)t; return ESP_OK; }
esp_err_t esp_wifi_set_config(wifi_interface_t i, wifi_config_t *c) { (void)i; (void)c; return ESP_OK; }
esp_err_t esp_wifi_get_config(wifi_interface_t i, wifi_config_t *c) { (void)i; (void)c; return ESP_FAIL; }
esp_err_t esp_wifi_scan_start(const wifi_scan_config_t *c, bool b) { (void)c; (void)b; return ESP_OK; }
esp_err_t esp_wifi_scan_get_ap_records(uint16_t *n, wifi_ap_record_t *r) { (void)r; *n = 0; return ESP_OK; }
esp_err_t esp_wifi_set_promiscuous(bool en) { (void)en; return ESP_OK; }
esp_err_t esp_wifi_set_promiscuous_filter(const wifi_promiscuous_filter_t *f) { (void)f; return ESP_OK; }
esp_err_t esp_wifi_set_promiscuous_rx_cb(void (*cb)(void *, wifi_promiscuous_pkt_type_t)) { (void)cb; return ESP_OK; }
esp_err_t esp_wifi_internal_reg_rxcb(wifi_interface_t i, wifi_rxcb_t fn) { (void)i; (void)fn; return ESP_OK; }
void esp_wifi_internal_free_rx_buffer(void *b) { (void)b; }
int esp_wifi_internal_tx(wifi_interface_t i, void *b, uint16_t len) { (void)i; (void)b; (void)len; return ESP_OK; }
void hal_wifi_supplicant_install(void) {}
void hal_wifi_supplicant_set_rsn_ie(const uint8_t *ie, uint8_t len) { (void)ie; (void)len; }
int hal_wifi_eapol_send(const uint8_t *frame, int32_t len) { (void)frame; (void)len; return 0; }
bool hal_wifi_ptk_installed(void) { return true; }
bool hal_wifi_protected(void) { return false; }

/* ---- the blob's side ---- */
static void connect_at(int rssi)
{
    f_connected = 1;
    f_ap_rssi = rssi;
    wifi_event_sta_connected_t c = { .bssid = { 2, 0, 0, 0, 0x0a, 1 }, .channel = 6, .aid = 1 };
    f_wifi_handler(NULL, WIFI_EVENT, WIFI_EVENT_STA_CONNECTED, &c);
}
static void disconnect(void)
{
    f_connected = 0;
    wifi_event_sta_disconnected_t d = { .bssid = { 2, 0, 0, 0, 0x0a, 1 }, .reason = 8 };
    f_wifi_handler(NULL, WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &d);
}
static void poll_at(int rssi)
{
    f_ap_rssi = rssi;
    if (f_timer_running) f_timer_cb(NULL);
}
/* The blob's averaged RSSI fell below the armed threshold: one event, and the arm is spent. */
static void rssi_low_at(int rssi)
{
    f_ap_rssi = rssi;
    CHECK(rssi < f_armed);
    f_armed = 0;
    wifi_event_bss_rssi_low_t low = { .rssi = rssi };
    f_wifi_handler(NULL, WIFI_EVENT, WIFI_EVENT_STA_BSS_RSSI_LOW, &low);
}
static int rssi_reports(void)
{
    int n = 0;
    for (int i = 0; i < f_nposted; i++) n += f_posted[i].event == HAL_WIFI_EVENT_RSSI;
    return n;
}
static const int32_t *last_posted(void) { return &f_posted[f_nposted - 1].event; }

void test_hal_wifi(void)
{
    hal_wifi_setup();
    CHECK(f_wifi_handler != NULL && f_poll_handler != NULL && f_timer_cb != NULL);

    /* After association: Associated, then the AP's RSSI; the low threshold armed; the poll on. */
    connect_at(-52);
    CHECK_EQ(f_nposted, 2);
    CHECK_EQ(f_posted[0].event, HAL_WIFI_EVENT_ASSOCIATED);
    CHECK_EQ(f_posted[1].event, HAL_WIFI_EVENT_RSSI);
    CHECK_EQ(f_posted[1].status, -52);
    CHECK_EQ(f_posted[1].len, 0);
    CHECK_EQ(f_armed, -75);
    CHECK(f_timer_running);

    /* The poll reports moves of 3 dB or more from the last report, nothing less. */
    poll_at(-54);
    poll_at(-50);
    CHECK_EQ(rssi_reports(), 1);
    poll_at(-55);
    CHECK_EQ(rssi_reports(), 2);
    CHECK_EQ(last_posted()[1], -55);
    poll_at(-57);
    CHECK_EQ(rssi_reports(), 2);
    CHECK_EQ(f_arms, 1); /* above -75 the threshold stays where it is */

    /* Falling below -75 between polls: the blob's event is reported at once, even 1 dB under,
       and the threshold is armed again one step lower (the event fires once per arm). */
    poll_at(-74);
    CHECK_EQ(last_posted()[1], -74);
    rssi_low_at(-76);
    CHECK_EQ(rssi_reports(), 4);
    CHECK_EQ(last_posted()[1], -76);
    CHECK_EQ(f_armed, -79);
    rssi_low_at(-80);
    CHECK_EQ(last_posted()[1], -80);
    CHECK_EQ(f_armed, -83);
    /* Recovering: the poll reports it and puts the threshold back at -75. */
    poll_at(-70);
    CHECK_EQ(last_posted()[1], -70);
    CHECK_EQ(f_armed, -75);
    /* The threshold never leaves the API's range. */
    rssi_low_at(-99);
    CHECK_EQ(f_armed, -100);

    /* Disconnected: the poll stops and nothing more is reported. */
    int before = rssi_reports();
    disconnect();
    CHECK(!f_timer_running);
    poll_at(-40);
    CHECK_EQ(rssi_reports(), before);

    /* A new association reports afresh and re-arms -75 even if that value was armed before. */
    connect_at(-60);
    CHECK_EQ(last_posted()[0], HAL_WIFI_EVENT_RSSI);
    CHECK_EQ(last_posted()[1], -60);
    CHECK_EQ(f_armed, -75);
    CHECK(f_timer_running);
}
