/* Native implementations behind the accel_* HAL imports that need no hardware. */
#ifndef WASMNET_ACCEL_SW_H
#define WASMNET_ACCEL_SW_H
#include <stddef.h>
#include <stdint.h>
/* RFC 1071 partial sum over buf (big-endian 16-bit words, odd byte padded with zero), added to
   seed and folded to 16 bits; not complemented. */
uint32_t accel_sw_inet_checksum(const uint8_t *buf, size_t len, uint32_t seed);
/* SHA-1 compression of one 64-byte block; state is 5 native-endian u32 words. */
void accel_sw_sha1_block(uint32_t state[5], const uint8_t block[64]);
#endif
