/* hal_log, hal_panic, hal_random_fill, hal_factory_mac, hal_board_info, hal_system_reboot, hal_accel_*. */
#include <string.h>

#include "esp_log.h"
#include "esp_mac.h"
#include "esp_random.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "mbedtls/aes.h"

#include "host.h"
#include "portable/accel_sw.h"

static const char *TAG = "wasm";

void hal_log(int32_t level, const uint8_t *msg, int32_t len)
{
    int n = len > 0 ? len : 0;
    switch (level) {
    case HAL_LOG_LEVEL_ERROR: ESP_LOGE(TAG, "%.*s", n, (const char *)msg); break;
    case HAL_LOG_LEVEL_WARN: ESP_LOGW(TAG, "%.*s", n, (const char *)msg); break;
    case HAL_LOG_LEVEL_INFO: ESP_LOGI(TAG, "%.*s", n, (const char *)msg); break;
    case HAL_LOG_LEVEL_DEBUG: ESP_LOGD(TAG, "%.*s", n, (const char *)msg); break;
    default: ESP_LOGV(TAG, "%.*s", n, (const char *)msg); break;
    }
}

void hal_panic(const uint8_t *msg, int32_t len, int32_t line, int32_t column)
{
    ESP_LOGE(TAG, "PANIC: %.*s (line %d, column %d); restarting", len > 0 ? (int)len : 0, (const char *)msg, (int)line, (int)column);
    vTaskDelay(pdMS_TO_TICKS(100)); /* let the UART drain */
    esp_restart();
}

void hal_random_fill(uint8_t *buf, int32_t len)
{
    if (len > 0) esp_fill_random(buf, (size_t)len);
}

int32_t hal_factory_mac(int32_t kind, uint8_t *out)
{
    /* The eFuse base MAC and ESP-IDF's derived per-interface addresses (esp_read_mac). */
    esp_mac_type_t type = kind == HAL_MAC_KIND_ETHERNET ? ESP_MAC_ETH : kind == HAL_MAC_KIND_WIFI_STATION ? ESP_MAC_WIFI_STA : (esp_mac_type_t)-1;
    if (type == (esp_mac_type_t)-1) return HAL_HAL_ERROR_INVALID;
    return esp_read_mac(out, type) == ESP_OK ? HAL_HAL_ERROR_OK : HAL_HAL_ERROR_IO;
}

int32_t hal_board_info(int32_t key)
{
    return board_info_get(g_board, key);
}

void hal_system_reboot(int32_t reason)
{
    ESP_LOGW(WASMNET_TAG, "reboot requested by the module (reason %d)", (int)reason);
    vTaskDelay(pdMS_TO_TICKS(100));
    esp_restart();
}

int32_t hal_accel_caps(void)
{
    /* SHA-1 and the checksum are native C (the ESP32's SHA engine cannot load an intermediate
       state, so a per-block hardware SHA-1 is not possible there); AES uses the hardware
       engine through mbedtls (CONFIG_MBEDTLS_HARDWARE_AES). */
    return HAL_ACCEL_CAP_SHA1 | HAL_ACCEL_CAP_AES128 | HAL_ACCEL_CAP_INET_CHECKSUM;
}

void hal_accel_sha1_block(uint8_t *state, const uint8_t *block)
{
    uint32_t st[5];
    memcpy(st, state, sizeof st); /* linear memory offsets need not be 4-aligned */
    accel_sw_sha1_block(st, block);
    memcpy(state, st, sizeof st);
}

void hal_accel_aes128_encrypt(const uint8_t *key, const uint8_t *input, uint8_t *output)
{
    mbedtls_aes_context ctx;
    mbedtls_aes_init(&ctx);
    mbedtls_aes_setkey_enc(&ctx, key, 128);
    mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_ENCRYPT, input, output);
    mbedtls_aes_free(&ctx);
}

int32_t hal_accel_inet_checksum(uint8_t *buf, int32_t len, int32_t seed)
{
    return (int32_t)accel_sw_inet_checksum(buf, len > 0 ? (size_t)len : 0, (uint32_t)seed);
}
