#ifndef WASMNET_CRC32_H
#define WASMNET_CRC32_H
#include <stddef.h>
#include <stdint.h>
/* CRC-32/IEEE (zlib's crc32): crc32_update(0, data, len) for a whole buffer. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);
#endif
