/* The generated link table must agree with itself and with the generated wrappers: every
   HAL_IMPORTS entry is linked in hal_link_all with the same signature, every signature is
   well-formed for wasm3 v0.5.0, and names are unique. (The node test
   test/sim/firmware-link-table.test.ts checks the same table against build/stack.wasm and
   hal/abi.json.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generated/hal_abi.h"
#include "board.h"
#include "runner.h"

static int well_formed(const char *sig)
{
    if (!strchr("viI*", sig[0]) || sig[1] != '(') return 0;
    const char *p = sig + 2;
    for (; *p && *p != ')'; p++)
        if (!strchr("iI*", *p)) return 0;
    return *p == ')' && p[1] == 0;
}

void test_link_table(void)
{
    FILE *f = fopen(LINK_C, "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char text[64 * 1024];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    for (int i = 0; i < HAL_IMPORT_COUNT; i++) {
        CHECK(well_formed(HAL_IMPORTS[i].signature));
        char want[160];
        snprintf(want, sizeof want, "m3_LinkRawFunction(module, HAL_IMPORT_MODULE, \"%s\", \"%s\", &m3_hal_%s);",
                 HAL_IMPORTS[i].name, HAL_IMPORTS[i].signature, HAL_IMPORTS[i].name);
        if (!strstr(text, want)) fprintf(stderr, "  not linked as expected: %s\n", want);
        CHECK(strstr(text, want) != NULL);
        for (int j = 0; j < i; j++) CHECK(strcmp(HAL_IMPORTS[i].name, HAL_IMPORTS[j].name) != 0);
    }
    for (int i = 0; i < HAL_EXPORT_COUNT; i++) CHECK(well_formed(HAL_EXPORTS[i].signature));
    /* one link call per import, no more */
    int calls = 0;
    for (const char *p = text; (p = strstr(p, "m3_LinkRawFunction(")); p++) calls++;
    CHECK_EQ(calls, HAL_IMPORT_COUNT);
}

/* Generated board tables: each board's EthSpiDevice has an SPI entry, the ENC28J60 clock is
   within its 20 MHz limit, and lookups behave. */
void test_boards(void);
void test_boards(void)
{
    CHECK(BOARD_COUNT >= 3);
    CHECK(board_find("esp32-devkitc-enc28j60") != NULL);
    CHECK(board_find("no-such-board") == NULL);
    for (int i = 0; i < BOARD_COUNT; i++) {
        const board_t *b = &BOARDS[i];
        CHECK(board_find(b->name) == b);
        CHECK_EQ(board_info_get(b, 9999), -1);
        int32_t dev = board_info_get(b, HAL_BOARD_KEY_ETH_SPI_DEVICE);
        if (dev >= 0) {
            const board_spi_t *s = board_spi_get(b, dev);
            CHECK(s != NULL);
            if (s) { CHECK(s->hz <= 20000000); CHECK(s->cs_hold_ns >= 210); }
            CHECK_EQ(b->eth_int_pin, board_info_get(b, HAL_BOARD_KEY_ETH_INT_PIN));
        }
    }
}
