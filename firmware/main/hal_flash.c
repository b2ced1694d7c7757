/* hal_flash_* over esp_partition_*, plus the slot validity check and BootState log I/O. */
#include <string.h>

#include "esp_log.h"
#include "esp_partition.h"

#include "host.h"
#include "portable/boot_state.h"
#include "portable/crc32.h"
#include "portable/wasm_image.h"

#define SUBTYPE_BASE 0x40 /* partitions.csv: config 0x40, wasm_a 0x41, wasm_b 0x42, bootstate 0x43 */
static const char *LABELS[4] = { "config", "wasm_a", "wasm_b", "bootstate" };
static const esp_partition_t *s_parts[4];

const esp_partition_t *hal_flash_partition(int32_t which)
{
    return which >= 0 && which < 4 ? s_parts[which] : NULL;
}

int hal_flash_setup(void)
{
    int missing = 0;
    for (int i = 0; i < 4; i++) {
        s_parts[i] = esp_partition_find_first(ESP_PARTITION_TYPE_DATA, (esp_partition_subtype_t)(SUBTYPE_BASE + i), LABELS[i]);
        if (!s_parts[i]) { ESP_LOGE(WASMNET_TAG, "partition %s (data, 0x%02x) not found", LABELS[i], SUBTYPE_BASE + i); missing++; }
    }
    return missing;
}

static int32_t check(int32_t which, int32_t offset, int32_t len, const esp_partition_t **p)
{
    *p = hal_flash_partition(which);
    if (!*p) return HAL_HAL_ERROR_NO_DEVICE;
    if (offset < 0 || len < 0 || (uint64_t)offset + (uint64_t)len > (*p)->size) return HAL_HAL_ERROR_OUT_OF_RANGE;
    return 0;
}

int32_t hal_flash_size(int32_t partition)
{
    const esp_partition_t *p = hal_flash_partition(partition);
    return p ? (int32_t)p->size : HAL_HAL_ERROR_NO_DEVICE;
}

int32_t hal_flash_sector_size(int32_t partition)
{
    const esp_partition_t *p = hal_flash_partition(partition);
    return p ? (int32_t)p->erase_size : HAL_HAL_ERROR_NO_DEVICE;
}

int32_t hal_flash_read(int32_t partition, int32_t offset, uint8_t *buf, int32_t len)
{
    const esp_partition_t *p;
    int32_t e = check(partition, offset, len, &p);
    if (e) return e;
    return esp_partition_read(p, (size_t)offset, buf, (size_t)len) == ESP_OK ? 0 : HAL_HAL_ERROR_IO;
}

int32_t hal_flash_write(int32_t partition, int32_t offset, uint8_t *buf, int32_t len)
{
    const esp_partition_t *p;
    int32_t e = check(partition, offset, len, &p);
    if (e) return e;
    return esp_partition_write(p, (size_t)offset, buf, (size_t)len) == ESP_OK ? 0 : HAL_HAL_ERROR_IO;
}

int32_t hal_flash_erase(int32_t partition, int32_t offset, int32_t len)
{
    const esp_partition_t *p;
    int32_t e = check(partition, offset, len, &p);
    if (e) return e;
    if ((uint32_t)offset % p->erase_size || (uint32_t)len % p->erase_size) return HAL_HAL_ERROR_INVALID;
    return esp_partition_erase_range(p, (size_t)offset, (size_t)len) == ESP_OK ? 0 : HAL_HAL_ERROR_IO;
}

bool hal_flash_slot_valid(uint8_t slot)
{
    const esp_partition_t *p = hal_flash_partition(slot);
    if (!p) return false;
    uint8_t hdr[WASM_SLOT_HEADER_SIZE];
    wasm_slot_header_t h;
    if (esp_partition_read(p, 0, hdr, sizeof hdr) != ESP_OK) return false;
    if (wasm_slot_parse_header(hdr, sizeof hdr, p->size - WASM_SLOT_HEADER_SIZE, HAL_ABI_VERSION, &h) != WASM_IMG_OK) return false;
    /* CRC over the image in 512-byte chunks (no RAM copy of the image) */
    uint8_t chunk[512];
    uint32_t crc = 0;
    for (uint32_t off = 0; off < h.image_len; off += sizeof chunk) {
        uint32_t n = h.image_len - off < sizeof chunk ? h.image_len - off : sizeof chunk;
        if (esp_partition_read(p, WASM_SLOT_HEADER_SIZE + off, chunk, n) != ESP_OK) return false;
        if (off == 0 && (n < 8 || memcmp(chunk, "\0asm", 4) != 0)) return false;
        crc = crc32_update(crc, chunk, n);
    }
    return crc == h.image_crc;
}

static uint8_t s_bs[4096];

bool hal_boot_state_read(boot_record_t *rec)
{
    const esp_partition_t *p = hal_flash_partition(HAL_FLASH_PARTITION_BOOT_STATE);
    size_t next;
    if (!p || esp_partition_read(p, 0, s_bs, sizeof s_bs) != ESP_OK) return false;
    return boot_state_scan(s_bs, sizeof s_bs, rec, &next);
}

bool hal_boot_state_append(const boot_record_t *rec)
{
    const esp_partition_t *p = hal_flash_partition(HAL_FLASH_PARTITION_BOOT_STATE);
    boot_record_t cur;
    size_t next;
    if (!p || esp_partition_read(p, 0, s_bs, sizeof s_bs) != ESP_OK) return false;
    boot_state_scan(s_bs, sizeof s_bs, &cur, &next);
    if (next >= sizeof s_bs) {
        if (esp_partition_erase_range(p, 0, p->erase_size) != ESP_OK) return false;
        next = 0;
    }
    uint8_t out[BOOT_RECORD_SIZE];
    boot_record_encode(out, rec);
    return esp_partition_write(p, next, out, sizeof out) == ESP_OK;
}
