// The transfer service's generated data ('G', stack/app/services.ts): byte i of a stream is
// (i * 31 + (i >> 11)) & 0xff, so a peer can check every byte without a copy of the data.

export function patternByte(i: u32): u8 {
  return <u8>((i * 31 + (i >> 11)) & 0xff);
}

const LOW7: u64 = 0x7f7f7f7f7f7f7f7f;
const STEP8: u64 = 0xf8f8f8f8f8f8f8f8; // 8 * 31 mod 256, in every byte

/** PATTERN bytes base..base+n-1 into dst. Within a 2 KiB block the pattern is 31*i plus a
 *  constant: it repeats every 256 bytes, and eight bytes advance together by 248 (a bytewise
 *  add in one u64: low seven bits added, top bits by xor, so no carry crosses a byte). So the
 *  first 256 bytes are computed eight at a time and the rest copied: byte by byte, the
 *  generator under the interpreter had been the limit, not TCP. */
export function fillPattern(dst: usize, base: u32, n: i32): void {
  let i = 0;
  while (i < n) {
    const at = base + <u32>i;
    const p = dst + <usize>i;
    let run = <i32>(2048 - (at & 2047));
    if (run > n - i) run = n - i;
    const period = run < 256 ? run : 256;
    let j = 0;
    if (period >= 8) {
      let lanes: u64 = 0;
      for (let m = 0; m < 8; m++) lanes |= <u64>patternByte(at + <u32>m) << <u64>(8 * m);
      for (; j + 8 <= period; j += 8) {
        store<u64>(p + <usize>j, lanes);
        lanes = ((lanes & LOW7) + (STEP8 & LOW7)) ^ ((lanes ^ STEP8) & ~LOW7);
      }
    }
    for (; j < period; j++) store<u8>(p + <usize>j, patternByte(at + <u32>j));
    for (; j < run; j += 256) memory.copy(p + <usize>j, p, <usize>min(256, run - j));
    i += run;
  }
}
