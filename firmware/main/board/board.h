/* Board definitions, generated from boards/<name>.json into boards_gen.c (tools/gen-board.ts).
   The board is chosen at build time by CONFIG_WASMNET_BOARD (Kconfig.projbuild; fw.ts sets it). */
#ifndef WASMNET_BOARD_H
#define WASMNET_BOARD_H

#include <stdint.h>

typedef struct { int32_t key; int32_t value; } board_info_kv_t;
typedef struct {
    int device;     /* HAL SPI device number (spi_transfer's `device`); -1 = none */
    int host;       /* spi_host_device_t: 1 = SPI2_HOST (HSPI), 2 = SPI3_HOST (VSPI) */
    int sclk, mosi, miso, cs;
    int hz;
    int mode;
    int cs_hold_ns; /* minimum CS hold after the last clock */
} board_spi_t;
typedef struct { int port, tx, rx, baud; } board_uart_t;
typedef struct {
    const char *name;
    const board_info_kv_t *info;
    int n_info;
    const board_spi_t *spi;
    int n_spi;
    const board_uart_t *uart;
    int n_uart;
    int eth_int_pin;  /* -1: none */
    int eth_int_edge; /* hal_gpio_edge_t */
    int eth_int_pull; /* 0 none, 1 up, 2 down */
} board_t;

extern const board_t BOARDS[];
extern const int BOARD_COUNT;

const board_t *board_find(const char *name);
/* BoardKey lookup; -1 when the board does not have the key. */
int32_t board_info_get(const board_t *b, int32_t key);
const board_spi_t *board_spi_get(const board_t *b, int device);

#endif
