// The transfer service's pattern generator (stack/app/pattern.ts): the eight-at-a-time
// fill and the 256-byte copies must give exactly patternByte at any start and length.
import { fillPattern, patternByte } from "../../stack/app/pattern";

describe("transfer pattern", () => {
  it("fillPattern equals patternByte for odd starts and lengths, across 2 KiB blocks", () => {
    const buf = heap.alloc(4200);
    const starts: u32[] = [0, 1, 7, 255, 256, 2040, 2047, 2048, 4095, 123457, 0xfffff7f3];
    const lengths: i32[] = [0, 1, 7, 8, 9, 255, 256, 257, 511, 512, 2049, 4100];
    let mismatches = 0;
    for (let s = 0; s < starts.length; s++) {
      for (let l = 0; l < lengths.length; l++) {
        const n = lengths[l];
        memory.fill(buf, 0xee, 4200);
        fillPattern(buf, starts[s], n);
        for (let i = 0; i < n; i++) if (load<u8>(buf + i) != patternByte(starts[s] + <u32>i)) mismatches++;
        for (let i = n; i < 4200; i++) if (load<u8>(buf + i) != 0xee) mismatches++; // nothing past the end
      }
    }
    expect(mismatches).toBe(0);
    heap.free(buf);
  });
});
