/* app_main: pick the board and the wasm slot, load the module, then the host loop:
     drain queued events into the module's exports -> poll(now) -> sleep until the returned
     deadline or the next event (task notification with timeout), feeding the task watchdog.
   With CONFIG_PM_ENABLE + tickless idle the sleep becomes automatic light sleep whenever the
   power profile allows it (no PM lock held: see hal_wifi_set_power_save). */
#include <string.h>

#include "esp_log.h"
#include "esp_pm.h"
#include "esp_system.h"
#include "esp_task_wdt.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "nvs_flash.h"

#include "host.h"
#include "portable/boot_state.h"
#include "wasm_host.h"

static const char *TAG = WASMNET_TAG;
const board_t *g_board;

/* hal_flash.c */
bool hal_flash_slot_valid(uint8_t slot);
bool hal_boot_state_read(boot_record_t *rec);
bool hal_boot_state_append(const boot_record_t *rec);

static void halt_forever(const char *why)
{
    /* No module to run: keep the chip up for `fw flash` and the serial log; no reboot loop. */
    for (;;) {
        ESP_LOGE(TAG, "%s; waiting for a new image (see docs/firmware.md, first flash)", why);
        vTaskDelay(pdMS_TO_TICKS(10000));
    }
}

static void rollback_and_restart(const boot_record_t *cur, uint8_t slot, uint8_t reason)
{
    uint8_t other = slot == HAL_FLASH_PARTITION_WASM_SLOT_A ? HAL_FLASH_PARTITION_WASM_SLOT_B : HAL_FLASH_PARTITION_WASM_SLOT_A;
    if (!hal_flash_slot_valid(other)) halt_forever("module rejected and the other slot holds no valid image");
    boot_record_t next;
    boot_rollback(cur, slot, reason, &next);
    hal_boot_state_append(&next);
    ESP_LOGE(TAG, "rolling back to the other slot (reason %u) and restarting", reason);
    vTaskDelay(pdMS_TO_TICKS(100));
    esp_restart();
}

void app_main(void)
{
    esp_err_t err = nvs_flash_init(); /* PHY calibration data */
    if (err == ESP_ERR_NVS_NO_FREE_PAGES || err == ESP_ERR_NVS_NEW_VERSION_FOUND) {
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);

    g_board = board_find(CONFIG_WASMNET_BOARD);
    if (!g_board) {
        for (int i = 0; i < BOARD_COUNT; i++) ESP_LOGE(TAG, "known board: %s", BOARDS[i].name);
        halt_forever("CONFIG_WASMNET_BOARD names no known board");
    }
    ESP_LOGI(TAG, "board %s, HAL ABI v%d", g_board->name, HAL_ABI_VERSION);
    events_init(xTaskGetCurrentTaskHandle());
    if (hal_flash_setup() != 0) halt_forever("partition table lacks wasmnet partitions (firmware/partitions.csv)");

    /* Slot selection from the BootState log. */
    boot_record_t rec;
    bool have = hal_boot_state_read(&rec);
    boot_choice_t choice;
    boot_choose(have ? &rec : NULL, hal_flash_slot_valid(HAL_FLASH_PARTITION_WASM_SLOT_A),
                hal_flash_slot_valid(HAL_FLASH_PARTITION_WASM_SLOT_B), &choice);
    if (!choice.slot) halt_forever("no valid wasm image in wasm_a or wasm_b");
    if (choice.write_record) hal_boot_state_append(&choice.next);
    if (choice.reason > BOOT_REASON_DEFAULT) ESP_LOGW(TAG, "booting slot %u (reason %u)", choice.slot, choice.reason);

    hal_uart_setup();
    hal_spi_gpio_setup();
    if (board_info_get(g_board, HAL_BOARD_KEY_HAS_WIFI) == 1) hal_wifi_setup();

    int why = wasm_host_load(choice.slot);
    if (why) rollback_and_restart(have ? &rec : NULL, choice.slot, (uint8_t)why);

#if CONFIG_PM_ENABLE
    esp_pm_config_t pm = { .max_freq_mhz = 240, .min_freq_mhz = 80, .light_sleep_enable = CONFIG_WASMNET_LIGHT_SLEEP };
    err = esp_pm_configure(&pm);
    if (err != ESP_OK) ESP_LOGW(TAG, "esp_pm_configure: %s", esp_err_to_name(err));
#endif

    ESP_ERROR_CHECK(esp_task_wdt_add(NULL));
    why = wasm_host_init();
    if (why) rollback_and_restart(have ? &rec : NULL, choice.slot, (uint8_t)why);

    const uint32_t max_wait = pdMS_TO_TICKS(CONFIG_WASMNET_MAX_WAIT_MS);
    for (;;) {
        hal_event_t ev;
        while (events_pop(&ev)) {
            bool ok = wasm_host_deliver(&ev);
            events_release(&ev);
            if (!ok) hal_panic((const uint8_t *)"trap in event handler", 21, 0, 0);
        }
        bool trapped;
        int64_t deadline = wasm_host_poll(esp_timer_get_time(), &trapped);
        if (trapped) hal_panic((const uint8_t *)"trap in poll", 12, 0, 0);
        hal_gpio_recheck_levels();
        esp_task_wdt_reset();
        events_wait(hal_deadline_to_ticks(esp_timer_get_time(), deadline, configTICK_RATE_HZ, max_wait));
    }
}
