/* wasm3 v0.5.0 embedding: slot -> checks -> m3_ParseModule/m3_LoadModule -> hal_link_all ->
   export lookup, and the calls into the module's exports.
   The image is used in place through esp_partition_mmap (wasm3 keeps pointers into the wasm
   bytes for lazy compilation, so the mapping lives as long as the runtime; no RAM copy).
   The interpreter stack is CONFIG_WASMNET_WASM3_STACK_BYTES (= WASM3_STACK_BYTES = 8192 in
   tools/budget.ts); linear memory is capped at one 64 KiB page by d_m3MaxLinearMemoryPages=1
   (components/wasm3/CMakeLists.txt). */
#include <string.h>

#include "esp_log.h"
#include "esp_partition.h"
#include "wasm3.h"

#include "host.h"
#include "portable/boot_state.h"
#include "portable/wasm_image.h"
#include "wasm_host.h"

#if CONFIG_WASMNET_WASM3_STACK_BYTES != 8192
#error "CONFIG_WASMNET_WASM3_STACK_BYTES must match WASM3_STACK_BYTES in tools/budget.ts (8192)"
#endif

M3Result hal_link_all(IM3Module module); /* generated/hal_wasm3_link.c */
const esp_partition_t *hal_flash_partition(int32_t which); /* hal_flash.c */

static const char *TAG = WASMNET_TAG;

static struct {
    IM3Environment env;
    IM3Runtime rt;
    IM3Module mod;
    IM3Function init, poll, on_gpio, staging_buffer, staging_capacity, on_uart_rx, on_wifi_event, on_wifi_rx;
    esp_partition_mmap_handle_t map;
    uint8_t *staging[3];
    uint32_t staging_cap[3];
} s;

static void report(void *ctx, const char *kind, const char *name, const char *problem)
{
    (void)ctx;
    ESP_LOGE(TAG, "module %s %s%s%s %s", kind, *name ? "\"" : "", name, *name ? "\"" : "", problem);
}

static void log_trap(const char *what, M3Result r)
{
    M3ErrorInfo info;
    m3_GetErrorInfo(s.rt, &info);
    ESP_LOGE(TAG, "wasm %s: %s%s%s", what, r, info.message ? ": " : "", info.message ? info.message : "");
}

static bool find(IM3Function *f, const char *name)
{
    M3Result r = m3_FindFunction(f, s.rt, name);
    if (r) ESP_LOGE(TAG, "export %s: %s", name, r);
    return r == m3Err_none;
}

int wasm_host_load(uint8_t slot)
{
    const esp_partition_t *part = hal_flash_partition(slot);
    if (!part) { ESP_LOGE(TAG, "slot %u: no partition", slot); return BOOT_REASON_SLOT_INVALID; }
    uint8_t hdr[WASM_SLOT_HEADER_SIZE];
    wasm_slot_header_t h;
    if (esp_partition_read(part, 0, hdr, sizeof hdr) != ESP_OK) return BOOT_REASON_SLOT_INVALID;
    wasm_img_status_t st = wasm_slot_parse_header(hdr, sizeof hdr, part->size - WASM_SLOT_HEADER_SIZE, HAL_ABI_VERSION, &h);
    if (st != WASM_IMG_OK) { ESP_LOGE(TAG, "slot %s: %s", part->label, wasm_img_status_str(st)); return BOOT_REASON_SLOT_INVALID; }
    const void *mapped;
    esp_err_t err = esp_partition_mmap(part, 0, WASM_SLOT_HEADER_SIZE + h.image_len, ESP_PARTITION_MMAP_DATA, &mapped, &s.map);
    if (err != ESP_OK) { ESP_LOGE(TAG, "slot %s: mmap failed: %s", part->label, esp_err_to_name(err)); return BOOT_REASON_SLOT_INVALID; }
    const uint8_t *image = (const uint8_t *)mapped + WASM_SLOT_HEADER_SIZE;
    st = wasm_slot_check_image(&h, image);
    if (st != WASM_IMG_OK) { ESP_LOGE(TAG, "slot %s: %s", part->label, wasm_img_status_str(st)); return BOOT_REASON_SLOT_INVALID; }
    ESP_LOGI(TAG, "slot %s: %u byte module, build %u", part->label, (unsigned)h.image_len, (unsigned)h.build_id);

    /* Missing or mismatched imports are found here, with names, before wasm3 is involved:
       wasm3 would only fail lazily, when a function calling the import is first compiled. */
    int problems = wasm_check_module(image, h.image_len, report, NULL);
    if (problems) { ESP_LOGE(TAG, "module does not fit this firmware's HAL (%d problem(s))", problems); return BOOT_REASON_LINK_FAILED; }

    s.env = m3_NewEnvironment();
    s.rt = s.env ? m3_NewRuntime(s.env, CONFIG_WASMNET_WASM3_STACK_BYTES, NULL) : NULL;
    if (!s.rt) { ESP_LOGE(TAG, "wasm3: out of memory creating the runtime"); return BOOT_REASON_SLOT_INVALID; }
    M3Result r = m3_ParseModule(s.env, &s.mod, image, h.image_len);
    if (r) { ESP_LOGE(TAG, "wasm3 parse: %s", r); return BOOT_REASON_SLOT_INVALID; }
    r = m3_LoadModule(s.rt, s.mod);
    if (r) { ESP_LOGE(TAG, "wasm3 load: %s", r); m3_FreeModule(s.mod); return BOOT_REASON_SLOT_INVALID; }
    r = hal_link_all(s.mod);
    if (r) { log_trap("link", r); return BOOT_REASON_LINK_FAILED; }
    bool ok = find(&s.init, "init") & find(&s.poll, "poll") & find(&s.on_gpio, "on_gpio") &
              find(&s.staging_buffer, "staging_buffer") & find(&s.staging_capacity, "staging_capacity") &
              find(&s.on_uart_rx, "on_uart_rx") & find(&s.on_wifi_event, "on_wifi_event") & find(&s.on_wifi_rx, "on_wifi_rx");
    return ok ? 0 : BOOT_REASON_LINK_FAILED;
}

static bool staging_setup(void)
{
    uint32_t mem_size = 0;
    uint8_t *mem = m3_GetMemory(s.rt, &mem_size, 0);
    for (int k = 0; k < 3; k++) {
        int32_t off = 0, cap = 0;
        if (m3_CallV(s.staging_buffer, k) || m3_GetResultsV(s.staging_buffer, &off)) return false;
        if (m3_CallV(s.staging_capacity, k) || m3_GetResultsV(s.staging_capacity, &cap)) return false;
        if (!mem || !hal_range_ok((uint32_t)off, cap, mem_size)) {
            ESP_LOGE(TAG, "staging buffer %d (%d bytes at %d) outside linear memory", k, (int)cap, (int)off);
            return false;
        }
        s.staging[k] = mem + (uint32_t)off;
        s.staging_cap[k] = (uint32_t)cap;
    }
    return true;
}

int wasm_host_init(void)
{
    M3Result r = m3_RunStart(s.mod);
    if (!r) r = m3_CallV(s.init);
    if (r) { log_trap("init", r); return BOOT_REASON_INIT_TRAPPED; }
    /* Linear memory never grows (one page, stub runtime), so the staging pointers stay valid. */
    return staging_setup() ? 0 : BOOT_REASON_INIT_TRAPPED;
}

int64_t wasm_host_poll(int64_t now, bool *trapped)
{
    int64_t deadline = HAL_NO_DEADLINE;
    M3Result r = m3_CallV(s.poll, now);
    if (!r) r = m3_GetResultsV(s.poll, &deadline);
    *trapped = r != m3Err_none;
    if (r) log_trap("poll", r);
    return deadline;
}

bool wasm_host_deliver(const hal_event_t *ev)
{
    M3Result r = m3Err_none;
    switch (ev->kind) {
    case HAL_EV_GPIO:
        r = m3_CallV(s.on_gpio, ev->a, ev->b, ev->time_us);
        break;
    case HAL_EV_UART: {
        uint8_t *dst = s.staging[HAL_STAGING_KIND_UART_RX];
        int n;
        while (!r && (n = hal_uart_read(ev->a, dst, (int)s.staging_cap[HAL_STAGING_KIND_UART_RX])) > 0)
            r = m3_CallV(s.on_uart_rx, ev->a, n, ev->time_us);
        break;
    }
    case HAL_EV_WIFI_RX:
        if (ev->len <= s.staging_cap[HAL_STAGING_KIND_WIFI_RX]) {
            memcpy(s.staging[HAL_STAGING_KIND_WIFI_RX], ev->buf, ev->len);
            r = m3_CallV(s.on_wifi_rx, ev->a, (int32_t)ev->len, ev->time_us);
        } else {
            ESP_LOGD(TAG, "wifi rx frame of %u bytes exceeds the staging buffer", ev->len);
        }
        break;
    case HAL_EV_WIFI_EVENT: {
        uint16_t len = ev->len <= s.staging_cap[HAL_STAGING_KIND_WIFI_EVENT] ? ev->len : (uint16_t)s.staging_cap[HAL_STAGING_KIND_WIFI_EVENT];
        if (len) memcpy(s.staging[HAL_STAGING_KIND_WIFI_EVENT], ev->buf, len);
        r = m3_CallV(s.on_wifi_event, ev->a, ev->b, (int32_t)len, ev->time_us);
        break;
    }
    default:
        break;
    }
    if (r) log_trap("event", r);
    return r == m3Err_none;
}
