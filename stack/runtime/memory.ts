// Memory discipline: every pool is reserved while the module initialises, and nothing is
// allocated afterwards. The stub runtime never frees, so an allocation on the packet path
// would show up as a growing heap top (tests watch MemStat.HeapTop) and finally as an
// out-of-memory panic, never as silent growth. Linear memory is one 64 KiB page.
import { MemStat } from "../../hal/generated/hal";

let reservedTop: usize = 0;

/** Zeroed bytes that live for the whole run. Call only during initialisation. */
export function reserve(bytes: i32): usize {
  const p = heap.alloc(<usize>bytes);
  memory.fill(p, 0, <usize>bytes);
  return p;
}

/** Marks the end of initialisation: everything below this address is reserved. */
export function sealReservations(): void {
  reservedTop = heap.alloc(0);
}

export function memStat(which: i32): i32 {
  if (which == MemStat.StaticEnd) return <i32>__heap_base;
  if (which == MemStat.ReservedTop) return <i32>reservedTop;
  if (which == MemStat.MemoryBytes) return memory.size() << 16;
  // Probing the heap top allocates a zero-sized block (a few bytes); tests and the
  // budget use it at a handful of points, never per packet.
  if (which == MemStat.HeapTop) return <i32>heap.alloc(0);
  return -1;
}
