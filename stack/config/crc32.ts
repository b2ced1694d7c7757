// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by zlib and Ethernet.
// A 16-entry nibble table keeps it to 64 bytes of static data; config records and machine
// console replies are short, so two table lookups per byte are cheap enough.
const NIBBLE: StaticArray<u32> = [
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
];

/** Feeds one byte into a running CRC state (start with 0xFFFFFFFF, finish with ~state). */
// @ts-ignore: decorator
@inline export function crc32Byte(state: u32, b: u32): u32 {
  state ^= b & 0xff;
  state = (state >>> 4) ^ unchecked(NIBBLE[state & 15]);
  state = (state >>> 4) ^ unchecked(NIBBLE[state & 15]);
  return state;
}

export function crc32Update(state: u32, ptr: usize, len: i32): u32 {
  for (let i = 0; i < len; i++) state = crc32Byte(state, load<u8>(ptr + i));
  return state;
}

export function crc32(ptr: usize, len: i32): u32 {
  return ~crc32Update(0xffffffff, ptr, len);
}
