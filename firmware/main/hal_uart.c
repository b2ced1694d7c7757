/* hal_uart_write and UART receive: the ESP-IDF UART driver with an event queue; a small task
   turns UART_DATA events into HAL_EV_UART events for the wasm task, which reads the bytes
   with uart_read_bytes straight into the UartRx staging buffer. */
#include "driver/uart.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"

#include "host.h"

#define RX_BUF 1024
#define TX_BUF 1024
static QueueHandle_t s_uart_q;
static int s_port = -1;

static void uart_event_task(void *arg)
{
    (void)arg;
    uart_event_t e;
    for (;;) {
        if (xQueueReceive(s_uart_q, &e, portMAX_DELAY) != pdTRUE) continue;
        if (e.type == UART_DATA) {
            hal_event_t ev = { .kind = HAL_EV_UART, .a = s_port, .time_us = esp_timer_get_time() };
            events_push(&ev);
        } else if (e.type == UART_FIFO_OVF || e.type == UART_BUFFER_FULL) {
            uart_flush_input(s_port);
            xQueueReset(s_uart_q);
        }
    }
}

void hal_uart_setup(void)
{
    if (g_board->n_uart < 1) return;
    const board_uart_t *u = &g_board->uart[0];
    uart_config_t cfg = {
        .baud_rate = u->baud, .data_bits = UART_DATA_8_BITS, .parity = UART_PARITY_DISABLE,
        .stop_bits = UART_STOP_BITS_1, .flow_ctrl = UART_HW_FLOWCTRL_DISABLE, .source_clk = UART_SCLK_DEFAULT,
    };
    ESP_ERROR_CHECK(uart_driver_install(u->port, RX_BUF, TX_BUF, 8, &s_uart_q, 0));
    ESP_ERROR_CHECK(uart_param_config(u->port, &cfg));
    ESP_ERROR_CHECK(uart_set_pin(u->port, u->tx, u->rx, UART_PIN_NO_CHANGE, UART_PIN_NO_CHANGE));
    s_port = u->port;
    xTaskCreate(uart_event_task, "wasmnet_uart", 2560, NULL, 5, NULL);
}

int hal_uart_read(int port, uint8_t *buf, int cap)
{
    if (port != s_port || cap <= 0) return 0;
    return uart_read_bytes(port, buf, (uint32_t)cap, 0);
}

int32_t hal_uart_write(int32_t port, uint8_t *buf, int32_t len)
{
    if (port != s_port) return HAL_HAL_ERROR_NO_DEVICE;
    if (len <= 0) return 0;
    /* Never block the wasm task: accept what fits in the driver's TX ring now. */
    size_t room = 0;
    if (uart_get_tx_buffer_free_size(port, &room) != ESP_OK) return HAL_HAL_ERROR_IO;
    int n = (size_t)len < room ? len : (int)room;
    return n > 0 ? uart_write_bytes(port, (const char *)buf, (size_t)n) : 0;
}
