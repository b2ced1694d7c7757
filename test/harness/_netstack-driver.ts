// The in-memory NetDriver of the netstack harnesses: frames the stack transmits are
// appended to the output buffer as [len u32][bytes] records for the test to read.
import { output_buffer, IO_CAPACITY } from "./_io";
import { NetDriver } from "../../stack/net/netdev";
import { reserve } from "../../stack/runtime/memory";
import { NO_DEADLINE } from "../../hal/generated/hal";
import { count, Counter } from "../../stack/runtime/counters";

export class MemoryDriver extends NetDriver {
  /** 02:00:00:00:00:01 */
  mac: usize = reserve(6);
  up: bool = true;
  busy: bool = false;
  frames: i32 = 0;
  used: i32 = 0;

  constructor() {
    super();
    store<u8>(this.mac, 0x02);
    store<u8>(this.mac, 0x01, 5);
  }

  macAddress(): usize { return this.mac; }
  linkUp(): bool { return this.up; }
  transmit(frame: usize, len: i32, now: i64): bool {
    // A driver counts its own frames (stack/net/link.ts does not).
    if (this.busy || !this.up) { count(Counter.EthTxErrors); return false; }
    count(Counter.EthTxFrames);
    // Beyond the capacity frames are dropped silently; tests clear the buffer often.
    if (this.used + 4 + len > IO_CAPACITY) return true;
    const out = output_buffer();
    store<u32>(out + <usize>this.used, <u32>len);
    memory.copy(out + <usize>(this.used + 4), frame, <usize>len);
    this.used += 4 + len;
    this.frames++;
    return true;
  }
  poll(now: i64): i64 { return NO_DEADLINE; }
  /** Carrier change, counted as a real driver does. */
  setLink(up: bool, now: i64): void {
    if (up == this.up) return;
    this.up = up;
    count(Counter.EthLinkChanges);
    this.sink!.onLinkChange(up, now);
  }
  /** A frame arrives from the (pretend) wire. */
  receive(ptr: usize, len: i32, now: i64): void {
    count(Counter.EthRxFrames);
    this.sink!.onFrame(ptr, len, now);
  }
}
