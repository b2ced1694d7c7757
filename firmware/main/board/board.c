#include "board.h"

#include <stddef.h>
#include <string.h>

const board_t *board_find(const char *name)
{
    for (int i = 0; i < BOARD_COUNT; i++)
        if (strcmp(BOARDS[i].name, name) == 0) return &BOARDS[i];
    return NULL;
}

int32_t board_info_get(const board_t *b, int32_t key)
{
    for (int i = 0; i < b->n_info; i++)
        if (b->info[i].key == key) return b->info[i].value;
    return -1;
}

const board_spi_t *board_spi_get(const board_t *b, int device)
{
    for (int i = 0; i < b->n_spi; i++)
        if (b->spi[i].device == device) return &b->spi[i];
    return NULL;
}
