// (Also compiled on its own by tools/build-harness.ts; harmless: it only exports the queue.)
// Shared by the DHCP/DNS harnesses: what the AssemblyScript clients send (UDP datagrams,
// ARP probes/announcements, TCP hook calls) is queued here for the TypeScript test to drain.
// Entry layout at out_ptr(i): kind i32, a u32, b i32, c i32, len i32, then len bytes.
export const OUT_UDP: i32 = 1;
export const OUT_ARP_PROBE: i32 = 2;
export const OUT_ARP_ANNOUNCE: i32 = 3;
export const OUT_TCP_OPEN: i32 = 4;
export const OUT_TCP_SEND: i32 = 5;
export const OUT_TCP_CLOSE: i32 = 6;

const SLOTS: i32 = 32;
const SLOT_BYTES: i32 = 1100;
const HEADER: i32 = 20;
const box = memory.data(SLOTS * SLOT_BYTES);
let n: i32 = 0;
let dropped: i32 = 0;

export function outPush(kind: i32, a: u32, b: i32, c: i32, data: usize, len: i32): bool {
  if (n >= SLOTS || len > SLOT_BYTES - HEADER || len < 0) { dropped++; return false; }
  const p = box + <usize>(n * SLOT_BYTES);
  store<i32>(p, kind); store<u32>(p + 4, a); store<i32>(p + 8, b); store<i32>(p + 12, c); store<i32>(p + 16, len);
  if (len > 0) memory.copy(p + HEADER, data, <usize>len);
  n++;
  return true;
}

export function out_count(): i32 { return n; }
export function out_ptr(i: i32): usize { return box + <usize>(i * SLOT_BYTES); }
export function out_clear(): void { n = 0; }
export function out_dropped(): i32 { return dropped; }
