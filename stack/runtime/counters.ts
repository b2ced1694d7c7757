// Counters for everything that happens to a packet (frames in/out, drops by reason).
// The ids are the ABI's Counter enum, so the console, the host and the tests agree.
import { Counter } from "../../hal/generated/hal";
export { Counter };

const COUNTER_SLOTS: i32 = 128;
const counters = memory.data(COUNTER_SLOTS * 4);

// Inlined: a counter bump is two instructions, a call into wasm3 costs as much as a dozen.
@inline export function count(id: Counter): void {
  const p = counters + ((<usize>id) << 2);
  store<u32>(p, load<u32>(p) + 1);
}

@inline export function countBy(id: Counter, n: u32): void {
  const p = counters + ((<usize>id) << 2);
  store<u32>(p, load<u32>(p) + n);
}

export function counterValue(id: i32): u32 {
  if (id < 0 || id >= COUNTER_SLOTS) return 0;
  return load<u32>(counters + ((<usize>id) << 2));
}
