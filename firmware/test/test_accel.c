#include <string.h>

#include "portable/accel_sw.h"
#include "runner.h"

void test_accel(void)
{
    /* RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2 */
    const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
    CHECK_EQ(accel_sw_inet_checksum(v, sizeof v, 0), 0xddf2);
    CHECK_EQ(accel_sw_inet_checksum(v, 4, accel_sw_inet_checksum(v + 4, 4, 0)), 0xddf2); /* chained */
    const uint8_t odd[] = { 0x12, 0x34, 0x56 };
    CHECK_EQ(accel_sw_inet_checksum(odd, 3, 0), 0x6834);
    CHECK_EQ(accel_sw_inet_checksum(v, 0, 0x1ffff), 0x0001); /* seed is folded too */
    uint8_t ff[64];
    memset(ff, 0xff, sizeof ff);
    CHECK_EQ(accel_sw_inet_checksum(ff, sizeof ff, 0), 0xffff);

    /* FIPS 180 "abc": one padded block */
    uint8_t block[64] = { 'a', 'b', 'c', 0x80 };
    block[63] = 24;
    uint32_t s[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u };
    accel_sw_sha1_block(s, block);
    CHECK_EQ(s[0], 0xA9993E36u);
    CHECK_EQ(s[1], 0x4706816Au);
    CHECK_EQ(s[2], 0xBA3E2571u);
    CHECK_EQ(s[3], 0x7850C26Cu);
    CHECK_EQ(s[4], 0x9CD0D89Du);
}
