/* GENERATED from boards/<name>.json by tools/gen-board.ts. Do not edit; run `npx tsx tools/gen-board.ts`. */
#include "board.h"

/* ESP32-DevKitC (ESP32-WROOM-32) with an ENC28J60 module on VSPI; Wi-Fi also available. */
static const board_info_kv_t info_esp32_devkitc_enc28j60[] = {
    { 1, 0 }, /* EthSpiDevice */
    { 2, 4 }, /* EthIntPin */
    { 3, -1 }, /* EthResetPin */
    { 4, 20000000 }, /* EthSpiHz */
    { 5, 1 }, /* HasWifi */
    { 6, 0 }, /* ConsoleUart */
    { 7, 115200 }, /* ConsoleBaud */
    { 8, 2 }, /* StatusLedPin */
};
static const board_spi_t spi_esp32_devkitc_enc28j60[] = {
    { .device = 0, .host = 2, .sclk = 18, .mosi = 23, .miso = 19, .cs = 5, .hz = 20000000, .mode = 0, .cs_hold_ns = 210 },
};
static const board_uart_t uart_esp32_devkitc_enc28j60[] = {
    { .port = 0, .tx = 1, .rx = 3, .baud = 115200 },
};

/* ESP32-DevKitC (ESP32-WROOM-32), Wi-Fi only. */
static const board_info_kv_t info_esp32_devkitc_wifi[] = {
    { 5, 1 }, /* HasWifi */
    { 6, 0 }, /* ConsoleUart */
    { 7, 115200 }, /* ConsoleBaud */
    { 8, 2 }, /* StatusLedPin */
};
static const board_spi_t spi_esp32_devkitc_wifi[] = {
    { .device = -1 },
};
static const board_uart_t uart_esp32_devkitc_wifi[] = {
    { .port = 0, .tx = 1, .rx = 3, .baud = 115200 },
};

/* ESP32-DevKitC-VE (ESP32-WROVER-E, PSRAM on GPIO16/17) with an ENC28J60 module on HSPI routed through the GPIO matrix, hardware reset line wired; Wi-Fi also available. */
static const board_info_kv_t info_esp32_devkitc_wrover_enc28j60[] = {
    { 1, 0 }, /* EthSpiDevice */
    { 2, 26 }, /* EthIntPin */
    { 3, 25 }, /* EthResetPin */
    { 4, 10000000 }, /* EthSpiHz */
    { 5, 1 }, /* HasWifi */
    { 6, 0 }, /* ConsoleUart */
    { 7, 115200 }, /* ConsoleBaud */
    { 8, -1 }, /* StatusLedPin */
};
static const board_spi_t spi_esp32_devkitc_wrover_enc28j60[] = {
    { .device = 0, .host = 1, .sclk = 14, .mosi = 13, .miso = 27, .cs = 15, .hz = 10000000, .mode = 0, .cs_hold_ns = 210 },
};
static const board_uart_t uart_esp32_devkitc_wrover_enc28j60[] = {
    { .port = 0, .tx = 1, .rx = 3, .baud = 115200 },
};

const board_t BOARDS[] = {
    { .name = "esp32-devkitc-enc28j60", .info = info_esp32_devkitc_enc28j60, .n_info = 8,
      .spi = spi_esp32_devkitc_enc28j60, .n_spi = 1, .uart = uart_esp32_devkitc_enc28j60, .n_uart = 1,
      .eth_int_pin = 4, .eth_int_edge = 1, .eth_int_pull = 1 },
    { .name = "esp32-devkitc-wifi", .info = info_esp32_devkitc_wifi, .n_info = 4,
      .spi = spi_esp32_devkitc_wifi, .n_spi = 0, .uart = uart_esp32_devkitc_wifi, .n_uart = 1,
      .eth_int_pin = -1, .eth_int_edge = 0, .eth_int_pull = 0 },
    { .name = "esp32-devkitc-wrover-enc28j60", .info = info_esp32_devkitc_wrover_enc28j60, .n_info = 8,
      .spi = spi_esp32_devkitc_wrover_enc28j60, .n_spi = 1, .uart = uart_esp32_devkitc_wrover_enc28j60, .n_uart = 1,
      .eth_int_pin = 26, .eth_int_edge = 1, .eth_int_pull = 1 },
};
const int BOARD_COUNT = 3;
