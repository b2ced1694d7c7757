/* hal_spi_transfer over the ESP-IDF SPI master (one device per board "spi" entry, e.g. the
   ENC28J60 on VSPI/HSPI), and GPIO output/input/interrupts. */
#include <string.h>

#include "driver/gpio.h"
#include "driver/spi_master.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_sleep.h"
#include "esp_timer.h"

#include "host.h"

#define MAX_SPI 2
#define SPI_SCRATCH 2048 /* one transaction: command + an ENC28J60 frame (<= 1518 + status) */

static spi_device_handle_t s_dev[MAX_SPI];
static int s_dev_id[MAX_SPI];
static int s_ndev;
static uint8_t *s_tx, *s_rx; /* DMA-capable bounce buffers (linear memory is not DMA-safe) */
static uint8_t s_irq_edge[GPIO_NUM_MAX];

/* cs_ena_posttrans counts SPI bit clocks (max 16): enough to hold CS >= cs_hold_ns after the
   last clock edge (ENC28J60: 210 ns for MAC/MII registers, datasheet section 4.1). */
static uint8_t cs_hold_cycles(int hz, int ns)
{
    uint64_t cycles = ((uint64_t)hz * (uint64_t)ns + 999999999ull) / 1000000000ull;
    if (cycles < 1) cycles = 1;
    return cycles > 16 ? 16 : (uint8_t)cycles;
}

void hal_spi_gpio_setup(void)
{
    for (int i = 0; i < g_board->n_spi && s_ndev < MAX_SPI; i++) {
        const board_spi_t *b = &g_board->spi[i];
        if (b->device < 0) continue;
        int hz = b->hz > 20000000 ? 20000000 : b->hz; /* ENC28J60 maximum */
        spi_bus_config_t bus = {
            .mosi_io_num = b->mosi, .miso_io_num = b->miso, .sclk_io_num = b->sclk,
            .quadwp_io_num = -1, .quadhd_io_num = -1, .max_transfer_sz = SPI_SCRATCH,
        };
        esp_err_t err = spi_bus_initialize((spi_host_device_t)b->host, &bus, SPI_DMA_CH_AUTO);
        if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) { ESP_LOGE(WASMNET_TAG, "spi bus %d: %s", b->host, esp_err_to_name(err)); continue; }
        spi_device_interface_config_t dev = {
            .mode = (uint8_t)b->mode, .clock_speed_hz = hz, .spics_io_num = b->cs, .queue_size = 1,
            .cs_ena_pretrans = 0, .cs_ena_posttrans = cs_hold_cycles(hz, b->cs_hold_ns),
        };
        err = spi_bus_add_device((spi_host_device_t)b->host, &dev, &s_dev[s_ndev]);
        if (err != ESP_OK) { ESP_LOGE(WASMNET_TAG, "spi device %d: %s", b->device, esp_err_to_name(err)); continue; }
        s_dev_id[s_ndev++] = b->device;
        ESP_LOGI(WASMNET_TAG, "spi device %d: host %d, %d Hz, CS GPIO%d hold %u clocks", b->device, b->host, hz, b->cs, dev.cs_ena_posttrans);
    }
    if (s_ndev) {
        s_tx = heap_caps_malloc(SPI_SCRATCH, MALLOC_CAP_DMA);
        s_rx = heap_caps_malloc(SPI_SCRATCH, MALLOC_CAP_DMA);
        ESP_ERROR_CHECK(s_tx && s_rx ? ESP_OK : ESP_ERR_NO_MEM);
    }
    int reset = board_info_get(g_board, HAL_BOARD_KEY_ETH_RESET_PIN);
    if (reset >= 0) { /* hold the controller out of reset; the driver may pulse it */
        gpio_set_direction(reset, GPIO_MODE_INPUT_OUTPUT);
        gpio_set_level(reset, 1);
    }
    /* Not ESP_INTR_FLAG_IRAM: the ISR is deferred while flash is busy and may live in flash. */
    esp_err_t err = gpio_install_isr_service(0);
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) ESP_LOGE(WASMNET_TAG, "gpio isr service: %s", esp_err_to_name(err));
}

int32_t hal_spi_transfer(int32_t device, const uint8_t *tx, int32_t tx_len, uint8_t *rx, int32_t rx_len)
{
    spi_device_handle_t h = NULL;
    for (int i = 0; i < s_ndev; i++)
        if (s_dev_id[i] == device) h = s_dev[i];
    if (!h) return HAL_HAL_ERROR_NO_DEVICE;
    if (tx_len < 0 || rx_len < 0 || tx_len + rx_len > SPI_SCRATCH) return HAL_HAL_ERROR_INVALID;
    if (tx_len + rx_len == 0) return 0;
    /* One full-duplex transaction, CS asserted throughout: tx bytes, then zeros while reading. */
    memcpy(s_tx, tx, (size_t)tx_len);
    memset(s_tx + tx_len, 0, (size_t)rx_len);
    spi_transaction_t t = { .length = (size_t)(tx_len + rx_len) * 8, .tx_buffer = s_tx, .rx_buffer = s_rx };
    if (spi_device_polling_transmit(h, &t) != ESP_OK) return HAL_HAL_ERROR_IO;
    memcpy(rx, s_rx + tx_len, (size_t)rx_len);
    return 0;
}

int32_t hal_gpio_write(int32_t pin, int32_t level)
{
    if (!GPIO_IS_VALID_OUTPUT_GPIO(pin)) return HAL_HAL_ERROR_INVALID;
    gpio_set_direction(pin, GPIO_MODE_INPUT_OUTPUT);
    return gpio_set_level(pin, level ? 1 : 0) == ESP_OK ? 0 : HAL_HAL_ERROR_IO;
}

int32_t hal_gpio_read(int32_t pin)
{
    if (!GPIO_IS_VALID_GPIO(pin)) return HAL_HAL_ERROR_INVALID;
    return gpio_get_level(pin);
}

static void gpio_isr(void *arg)
{
    int pin = (int)(intptr_t)arg;
    hal_event_t ev = { .kind = HAL_EV_GPIO, .a = pin, .b = gpio_get_level(pin), .time_us = esp_timer_get_time() };
    int woken = 0;
    events_push_from_isr(&ev, &woken);
    if (woken) portYIELD_FROM_ISR();
}

int32_t hal_gpio_irq_enable(int32_t pin, int32_t edge)
{
    if (!GPIO_IS_VALID_GPIO(pin)) return HAL_HAL_ERROR_INVALID;
    if (edge == HAL_GPIO_EDGE_OFF) {
        gpio_isr_handler_remove(pin);
        gpio_set_intr_type(pin, GPIO_INTR_DISABLE);
        gpio_wakeup_disable(pin);
        s_irq_edge[pin] = 0;
        return 0;
    }
    /* LowLevel is served as a falling edge plus a level re-check after every loop iteration
       (hal_gpio_recheck_levels): a true level interrupt would storm until the module ran. */
    gpio_int_type_t t = edge == HAL_GPIO_EDGE_FALLING || edge == HAL_GPIO_EDGE_LOW_LEVEL ? GPIO_INTR_NEGEDGE
                      : edge == HAL_GPIO_EDGE_RISING ? GPIO_INTR_POSEDGE
                      : edge == HAL_GPIO_EDGE_BOTH ? GPIO_INTR_ANYEDGE : GPIO_INTR_DISABLE;
    if (t == GPIO_INTR_DISABLE) return HAL_HAL_ERROR_INVALID;
    gpio_set_direction(pin, GPIO_MODE_INPUT);
    if (pin == g_board->eth_int_pin) {
        if (g_board->eth_int_pull == 1) gpio_set_pull_mode(pin, GPIO_PULLUP_ONLY);
        else if (g_board->eth_int_pull == 2) gpio_set_pull_mode(pin, GPIO_PULLDOWN_ONLY);
        else gpio_set_pull_mode(pin, GPIO_FLOATING);
    }
    gpio_set_intr_type(pin, t);
    gpio_isr_handler_remove(pin);
    if (gpio_isr_handler_add(pin, gpio_isr, (void *)(intptr_t)pin) != ESP_OK) return HAL_HAL_ERROR_IO;
    /* Light sleep: an active-low interrupt line wakes the chip (GPIO wake-up is level based). */
    if (edge == HAL_GPIO_EDGE_FALLING || edge == HAL_GPIO_EDGE_LOW_LEVEL) {
        gpio_wakeup_enable(pin, GPIO_INTR_LOW_LEVEL);
        esp_sleep_enable_gpio_wakeup();
    }
    gpio_intr_enable(pin);
    s_irq_edge[pin] = (uint8_t)edge;
    if (edge == HAL_GPIO_EDGE_LOW_LEVEL && gpio_get_level(pin) == 0) {
        hal_event_t ev = { .kind = HAL_EV_GPIO, .a = pin, .b = 0, .time_us = esp_timer_get_time() };
        events_push(&ev);
    }
    return 0;
}

void hal_gpio_recheck_levels(void)
{
    for (int pin = 0; pin < GPIO_NUM_MAX; pin++) {
        if (s_irq_edge[pin] == HAL_GPIO_EDGE_LOW_LEVEL && gpio_get_level(pin) == 0) {
            hal_event_t ev = { .kind = HAL_EV_GPIO, .a = pin, .b = 0, .time_us = esp_timer_get_time() };
            events_push(&ev);
        }
    }
}
