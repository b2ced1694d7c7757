// The ENC28J60 driver with a recording FrameSink, for node:test suites that run it against
// the chip model (test/sim/enc28j60-driver.test.ts). Two deliberately broken variants show
// the model catches drivers that ignore errata 14 (even ERXRDPT) or errata 6 (trusting PKTIF).
export { input_buffer, output_buffer } from "./_io";
import { IO_CAPACITY, output_buffer } from "./_io";
import { FrameSink } from "../../stack/net/netdev";
import { Enc28j60, Enc28j60Config } from "../../drivers/enc28j60/enc28j60";
import { Reg, Bit } from "../../drivers/enc28j60/registers";
import { counterValue } from "../../stack/runtime/counters";
import { memStat } from "../../stack/runtime/memory";

/** Appends every received frame to the output buffer as [u16 length][bytes]. */
class RecordingSink extends FrameSink {
  used: i32 = 0;
  frames: i32 = 0;
  dropped: i32 = 0;
  linkEvents: i32 = 0;
  lastLink: bool = false;
  onFrame(frame: usize, len: i32, now: i64): void {
    this.frames++;
    if (this.used + 2 + len > IO_CAPACITY) { this.dropped++; return; }
    const out = output_buffer() + this.used;
    store<u16>(out, <u16>len);
    memory.copy(out + 2, frame, len);
    this.used += 2 + len;
  }
  onLinkChange(up: bool, now: i64): void {
    this.linkEvents++;
    this.lastLink = up;
  }
}

class EvenReadPointerEnc28j60 extends Enc28j60 {
  protected receiveReadPointer(next: i32): i32 { return next; }
}

class TrustsPktifEnc28j60 extends Enc28j60 {
  protected receiveAvailable(): i32 { return this.readReg(Reg.EIR) & Bit.PKTIF ? super.receiveAvailable() : 0; }
}

const sink = new RecordingSink();
let driver: Enc28j60 | null = null;

/** variant: 0 correct, 1 writes an even ERXRDPT, 2 trusts EIR.PKTIF. */
export function create(variant: i32, macHigh: u32, macLow: u32, rxEnd: i32, fullDuplex: bool, housekeepingUs: i64,
                       txSlots: i32, rxReserveBytes: i32): void {
  const c = new Enc28j60Config();
  c.mac = (<u64>macHigh << 32) | <u64>macLow;
  if (rxEnd >= 0) c.rxEnd = rxEnd;
  if (txSlots >= 0) c.txSlots = txSlots;
  if (rxReserveBytes != -2) c.rxReserveBytes = rxReserveBytes;
  c.fullDuplex = fullDuplex;
  c.housekeepingUs = housekeepingUs;
  const d = variant == 1 ? new EvenReadPointerEnc28j60(c) : variant == 2 ? new TrustsPktifEnc28j60(c) : new Enc28j60(c);
  d.sink = sink;
  driver = d;
}

function drv(): Enc28j60 { return changetype<Enc28j60>(driver); }

export function poll(now: i64): i64 { return drv().poll(now); }
export function on_gpio(pin: i32, level: i32, now: i64): void { if (pin == drv().intPin) drv().onInterrupt(level, now); }
export function transmit(ptr: usize, len: i32, now: i64): bool { return drv().transmit(ptr, len, now); }
export function link_up(): bool { return drv().linkUp(); }
export function state(): i32 { return drv().state; }
export function revision(): i32 { return drv().revision; }
export function mac_address(): usize { return drv().macAddress(); }
export function spi_transactions(): u32 { return drv().spiTransactions; }
export function spi_errors(): u32 { return drv().spiErrors; }
export function rx_resets(): u32 { return drv().rxResets; }
export function tx_resets(): u32 { return drv().txResets; }
export function tx_refused_busy(): u32 { return drv().txRefusedBusy; }
export function tx_slots(): i32 { return drv().txSlots; }
export function counter(id: i32): u32 { return counterValue(id); }
export function heap_top(): i32 { return memStat(3); }

export function rx_used(): i32 { return sink.used; }
export function rx_frames(): i32 { return sink.frames; }
export function rx_take(): void { sink.used = 0; }
export function link_events(): i32 { return sink.linkEvents; }
export function last_link(): bool { return sink.lastLink; }
