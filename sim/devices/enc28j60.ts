// ENC28J60 chip model: the SPI command set, banked control registers, the 8 KiB buffer
// with its receive ring, the MAC/PHY, the INT pin, and the silicon errata a driver must
// work around (DS39662E datasheet, DS80349 Rev. B7 errata). Misuse the datasheet forbids
// throws SimError rather than being accepted silently.
//
// Time: every SPI transaction occupies the bus for (bytes * 8 / clock) µs. Calls within one
// host step happen at the same scheduler time, so the model keeps its own "device time"
// (the scheduler's now, or the end of the last transaction if later): busy-polling MISTAT
// therefore costs bus time exactly as on hardware.
import { Scheduler, SimError, type EventHandle } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";
import {
  REGISTERS, PHY_REGISTERS, type RegisterDef, OP, OPCODE_RBM, OPCODE_WBM, OPCODE_SRC, REVISION_ID,
  EIE, EIR, ESTAT, ECON1, ECON2, ERXFCON, MACON1, MACON3, MICMD, MISTAT,
  PHCON1, PHSTAT1, PHSTAT2, PHIE, PHIR,
} from "./enc28j60-registers.ts";

export interface SpiDevice { transfer(tx: Uint8Array, rxLen: number): Uint8Array; readonly maxHz: number; setClockHz(hz: number): void }

export type Enc28j60Revision = keyof typeof REVISION_ID;

export interface Enc28j60Options {
  scheduler: Scheduler;
  rng: Rng;
  revision?: Enc28j60Revision;
  onInterruptLine: (level: 0 | 1) => void;
  transmitToWire: (frame: Uint8Array) => void;
  wireBitsPerSecond?: number;
}

/** Fault injection and errata strength, for tests. */
export interface Enc28j60Faults {
  /** Errata 6: probability that a received packet fails to set EIR.PKTIF. */
  pktifMissProbability: number;
  /** Probability that a stored packet's 6-byte header (next pointer + RSV) gets random bit flips. */
  rsvCorruptionProbability: number;
  /** Errata 13: the next N half-duplex transmissions see a (false) late collision and abort. */
  lateCollisions: number;
}

const BUFFER_SIZE = 8192;
const MII_BUSY_US = 10.24; // DS39662E 3.3.1: an MII operation takes 10.24 µs
const RESET_WAIT_US = 1000; // errata 2: wait 1 ms after SRC; CLKRDY is not reliable
const MAX_SPI_HZ = 20e6;
const ERRATA1_MIN_SPI_HZ = 8e6;

const byName = new Map(REGISTERS.map((r) => [r.name, r]));
const phyByName = new Map(PHY_REGISTERS.map((r) => [r.name, r]));

/** Ethernet CRC-32 (IEEE 802.3), appended little-endian as on the wire. */
export function ethernetCrc(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i];
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** How long the chip transmits a frame of `frameLen` bytes (FCS excluded) at `bps`: preamble
 *  and SFD, the frame padded to 60 plus the FCS, and the inter-frame gap. The link sees the
 *  frame when this ends. */
export function transmitDurationUs(frameLen: number, bps = 10e6): number {
  return ((8 + Math.max(frameLen + 4, 64) + 12) * 8 * 1e6) / bps;
}

export class Enc28j60Model implements SpiDevice {
  readonly maxHz = MAX_SPI_HZ;
  readonly revision: Enc28j60Revision;
  readonly buffer = new Uint8Array(BUFFER_SIZE);
  readonly faults: Enc28j60Faults = { pktifMissProbability: 0.25, rsvCorruptionProbability: 0, lateCollisions: 0 };
  readonly stats = {
    spiTransactions: 0, rxStored: 0, rxFiltered: 0, rxDisabled: 0, rxNoLink: 0, rxTooLong: 0, rxOverflow: 0,
    rxCorruptedHeaders: 0, pktifMissed: 0, pktdecAtZero: 0, powerGlitches: 0, txGarbage: 0, txFrames: 0, txAborted: 0, txNoLink: 0, txStalledStarts: 0,
  };

  private readonly scheduler: Scheduler;
  private readonly rng: Rng;
  private readonly onInterruptLine: (level: 0 | 1) => void;
  private readonly transmitToWire: (frame: Uint8Array) => void;
  private readonly wireBps: number;

  // Register file: one byte per (bank, address); common registers live in bank 0's slots.
  private readonly regs = new Uint8Array(4 * 32);
  private readonly phy = new Map<number, number>();
  private clockHz = MAX_SPI_HZ;
  private busFreeAt = 0;
  private readyAt = 0;
  private miiBusyUntil = 0;
  private pendingMiiRead = -1;
  private rxReadPtrLowLatch = 0xfa;
  private link = false;
  private pktifLatched = false;
  private tx: { handle: EventHandle } | null = null;
  private txStalled = false; // errata 12
  private txAbortedSinceReset = false;
  private intLevelShown: 0 | 1 = 1;
  private intDelivery: EventHandle | null = null;

  constructor(opts: Enc28j60Options) {
    this.scheduler = opts.scheduler;
    this.rng = opts.rng.fork("enc28j60");
    this.revision = opts.revision ?? "B7";
    this.onInterruptLine = opts.onInterruptLine;
    this.transmitToWire = opts.transmitToWire;
    this.wireBps = opts.wireBitsPerSecond ?? 10e6;
    this.resetRegisters();
  }

  // ---- SpiDevice ----

  setClockHz(hz: number): void {
    if (!(hz > 0) || hz > MAX_SPI_HZ) throw new SimError(`enc28j60: SPI clock ${hz} Hz is outside 0..20 MHz (DS39662E Table 16-6)`);
    this.clockHz = hz;
  }

  transfer(tx: Uint8Array, rxLen: number): Uint8Array {
    if (tx.length < 1) throw new SimError("enc28j60: empty SPI transaction");
    const now = this.deviceTime();
    this.busFreeAt = now + ((tx.length + rxLen) * 8 * 1e6) / this.clockHz;
    this.stats.spiTransactions++;
    const op = tx[0] >> 5, arg = tx[0] & 0x1f;
    if (tx[0] === OPCODE_SRC) {
      this.expectLengths("SRC", tx, rxLen, 1, 0);
      this.softReset(now);
      this.glitched = false;
      return new Uint8Array(0);
    }
    if (now < this.glitchStartupUntil) return new Uint8Array(rxLen); // starting up after a glitch
    if (now < this.readyAt) throw new SimError(`enc28j60: SPI access ${(this.readyAt - now).toFixed(1)} µs before the reset completed (errata 2: wait 1 ms after SRC, CLKRDY is not reliable)`);
    switch (op) {
      case OP.RCR: return this.readControl(arg, tx, rxLen, now);
      case OP.WCR: this.expectLengths("WCR", tx, rxLen, 2, 0); this.writeControl(arg, tx[1], "write", now); return new Uint8Array(0);
      case OP.BFS: this.expectLengths("BFS", tx, rxLen, 2, 0); this.writeControl(arg, tx[1], "set", now); return new Uint8Array(0);
      case OP.BFC: this.expectLengths("BFC", tx, rxLen, 2, 0); this.writeControl(arg, tx[1], "clear", now); return new Uint8Array(0);
      case OP.RBM:
        if (tx[0] !== OPCODE_RBM) break;
        this.expectLengths("RBM", tx, rxLen, 1, rxLen);
        return this.readBuffer(rxLen);
      case OP.WBM:
        if (tx[0] !== OPCODE_WBM) break;
        this.writeBuffer(tx.subarray(1));
        return new Uint8Array(0);
    }
    throw new SimError(`enc28j60: invalid SPI opcode 0x${tx[0].toString(16)} (DS39662E Table 4-1)`);
  }

  // ---- the network side ----

  /** A frame (without FCS) arrives from the wire. */
  receiveFromWire(frame: Uint8Array, opts: { crcError?: boolean } = {}): void {
    if (!this.link) { this.stats.rxNoLink++; return; }
    const econ1 = this.reg("ECON1");
    if (!(econ1 & ECON1.RXEN) || econ1 & ECON1.RXRST || !(this.reg("MACON1") & MACON1.MARXEN) || this.scheduler.now < this.readyAt) {
      this.stats.rxDisabled++;
      return;
    }
    if (!this.acceptedByFilter(frame, opts.crcError === true)) { this.stats.rxFiltered++; return; }
    const byteCount = frame.length + 4;
    if (byteCount > this.reg16("MAMXFL") && !(this.reg("MACON3") & MACON3.HFRMEN)) { this.stats.rxTooLong++; return; }
    const start = this.reg16("ERXST"), end = this.reg16("ERXND");
    const need = 6 + byteCount + (byteCount & 1); // the hardware pads so packets start even (errata 14)
    if (need > this.rxFreeSpace() || this.reg("EPKTCNT") === 255) {
      // DS39662E 7.2.5: no room (or the counter is full): the packet is dropped, RXERIF set.
      this.stats.rxOverflow++;
      this.setReg("EIR", this.reg("EIR") | EIR.RXERIF);
      this.updateInterruptLine();
      return;
    }
    const wr = this.reg16("ERXWRPT");
    const next = this.ringAdvance(wr, need, start, end);
    const crc = ethernetCrc(frame);
    const dst = frame.length >= 6 ? frame : new Uint8Array(6);
    const broadcast = dst.subarray(0, 6).every((b) => b === 0xff);
    const multicast = !broadcast && (dst[0] & 1) === 1;
    const header = [
      next & 0xff, next >> 8, byteCount & 0xff, byteCount >> 8,
      0x80 | (opts.crcError ? 0x10 : 0), // bit 23 Received OK, bit 20 CRC error (Table 7-3)
      (multicast ? 0x01 : 0) | (broadcast ? 0x02 : 0),
    ];
    if (opts.crcError) header[4] &= ~0x80;
    if (this.faults.rsvCorruptionProbability > 0 && this.rng.chance(this.faults.rsvCorruptionProbability)) {
      const flips = 1 + this.rng.int(3);
      for (let i = 0; i < flips; i++) header[this.rng.int(6)] ^= 1 << this.rng.int(8);
      this.stats.rxCorruptedHeaders++;
    }
    let p = wr;
    const put = (b: number) => { this.buffer[p] = b; p = p === end ? start : (p + 1) & 0x1fff; };
    for (const b of header) put(b);
    for (const b of frame) put(b);
    for (let i = 0; i < 4; i++) put((crc >>> (8 * i)) & 0xff);
    this.setReg16("ERXWRPT", next);
    this.setReg("EPKTCNT", this.reg("EPKTCNT") + 1);
    this.stats.rxStored++;
    // Errata 6: PKTIF does not reliably report pending packets.
    if (this.faults.pktifMissProbability > 0 && this.rng.chance(this.faults.pktifMissProbability)) this.stats.pktifMissed++;
    else this.pktifLatched = true;
    this.updateInterruptLine();
  }

  /**
   * A supply dip resets the chip behind the host's back (power-on reset, DS39662E 2.2/11.0):
   * registers to their reset values, buffer contents lost, a frame being sent dropped. For
   * `startupUs` (the oscillator start-up) SPI reads answer 0 and writes are lost; no misuse
   * error, since the host cannot know.
   */
  powerGlitch(startupUs = 300): void {
    const now = this.deviceTime();
    this.softReset(now);
    this.readyAt = 0;
    this.glitchStartupUntil = now + startupUs;
    this.glitched = true;
    this.buffer.fill(0);
    this.stats.powerGlitches++;
  }
  private glitchStartupUntil = -1;
  /** From a glitch to the host's next SRC: the host's view of the registers is stale, so
   *  what it does is not misuse. */
  private glitched = false;

  setLink(up: boolean): void {
    if (up === this.link) return;
    this.link = up;
    if (!up) this.phySet("PHSTAT1", this.phyGet("PHSTAT1") & ~PHSTAT1.LLSTAT); // latching low
    this.phySet("PHIR", this.phyGet("PHIR") | PHIR.PLNKIF);
    this.updatePhyInterrupt();
  }

  // ---- inspection for tests ----

  get linkUp(): boolean { return this.link; }
  get interruptLevel(): 0 | 1 { return this.intLevel(); }
  get packetCount(): number { return this.reg("EPKTCNT"); }
  get spiClockHz(): number { return this.clockHz; }
  readRegister(name: string): number { return this.reg(name); }
  readPhy(name: string): number { return this.phyGet(name); }
  ring(): { start: number; end: number; write: number; read: number; free: number } {
    return { start: this.reg16("ERXST"), end: this.reg16("ERXND"), write: this.reg16("ERXWRPT"), read: this.reg16("ERXRDPT"), free: this.rxFreeSpace() };
  }
  /** True while a transmission is on the wire or stalled (ECON1.TXRTS). */
  get transmitting(): boolean { return (this.reg("ECON1") & ECON1.TXRTS) !== 0; }

  // ---- registers ----

  private def(arg: number, bank = this.reg("ECON1") & ECON1.BSEL): RegisterDef | undefined {
    return arg >= 0x1b ? REGISTERS.find((r) => r.bank === -1 && r.addr === arg) : REGISTERS.find((r) => r.bank === bank && r.addr === arg);
  }
  private slot(d: RegisterDef): number { return (d.bank < 0 ? 0 : d.bank) * 32 + d.addr; }
  private reg(name: string): number { return this.regs[this.slot(byName.get(name)!)]; }
  private setReg(name: string, v: number): void { this.regs[this.slot(byName.get(name)!)] = v & 0xff; }
  private reg16(base: string): number { return this.reg(`${base}L`) | (this.reg(`${base}H`) << 8); }
  private setReg16(base: string, v: number): void { this.setReg(`${base}L`, v & 0xff); this.setReg(`${base}H`, (v >> 8) & 0x1f); }

  private resetRegisters(): void {
    this.regs.fill(0);
    for (const r of REGISTERS) this.regs[this.slot(r)] = r.reset;
    this.setReg("EREVID", REVISION_ID[this.revision]);
    this.setReg("ESTAT", ESTAT.CLKRDY);
    for (const r of PHY_REGISTERS) this.phy.set(r.addr, r.reset);
    this.phySet("PHID2", 0x1400);
    this.rxReadPtrLowLatch = this.reg("ERXRDPTL");
    this.pktifLatched = false;
  }

  private softReset(now: number): void {
    if (this.tx) { this.scheduler.cancel(this.tx.handle); this.tx = null; }
    this.txStalled = false;
    this.resetRegisters();
    this.miiBusyUntil = 0;
    this.pendingMiiRead = -1;
    this.readyAt = now + RESET_WAIT_US;
    this.updateInterruptLine();
  }

  private expectLengths(name: string, tx: Uint8Array, rxLen: number, txLen: number, wantRx: number): void {
    if (tx.length !== txLen || rxLen !== wantRx) throw new SimError(`enc28j60: ${name} takes ${txLen} byte(s) out and ${wantRx} in, got ${tx.length} and ${rxLen}`);
  }

  private checkMacAccess(d: RegisterDef, now: number): void {
    if (d.kind === "eth") return;
    if ((this.revision === "B1" || this.revision === "B4") && this.clockHz < ERRATA1_MIN_SPI_HZ)
      throw new SimError(`enc28j60 ${this.revision}: ${d.name} accessed with SPI at ${this.clockHz} Hz; MAC/MII access is unreliable below 8 MHz (errata 1)`);
    if (d.kind === "mii" && d.name !== "MISTAT" && now < this.miiBusyUntil)
      throw new SimError(`enc28j60: ${d.name} accessed while MISTAT.BUSY (DS39662E 3.3)`);
  }

  private readControl(arg: number, tx: Uint8Array, rxLen: number, now: number): Uint8Array {
    const d = this.def(arg);
    const wantRx = d && d.kind !== "eth" ? 2 : 1; // MAC/MII reads shift out a dummy byte first (DS39662E 4.2.1)
    this.expectLengths(`RCR ${d?.name ?? `0x${arg.toString(16)}`}`, tx, rxLen, 1, wantRx);
    const out = new Uint8Array(wantRx);
    if (!d) return out; // unimplemented addresses read as 0
    this.checkMacAccess(d, now);
    let v = this.regs[this.slot(d)];
    if (d.name === "EIR") v = this.eirValue();
    else if (d.name === "ESTAT") v = (v & ~ESTAT.INT) | (this.intLevel() === 0 ? ESTAT.INT : 0);
    else if (d.name === "MISTAT") v = now < this.miiBusyUntil ? MISTAT.BUSY : 0;
    else if (d.name === "MIRDL" || d.name === "MIRDH") this.completeMiiRead(now), (v = this.regs[this.slot(d)]);
    out[wantRx - 1] = v;
    return out;
  }

  private writeControl(arg: number, value: number, how: "write" | "set" | "clear", now: number): void {
    const d = this.def(arg);
    if (!d) throw new SimError(`enc28j60: ${how} of unimplemented register 0x${arg.toString(16)} in bank ${this.reg("ECON1") & 3}`);
    if (how !== "write" && d.kind !== "eth") throw new SimError(`enc28j60: BFS/BFC on ${d.name}; bit field operations work on ETH registers only (DS39662E 4.2.5)`);
    if (d.writable === 0 && !d.clearOnly) throw new SimError(`enc28j60: write to read-only register ${d.name}`);
    this.checkMacAccess(d, now);
    const old = this.regs[this.slot(d)];
    const clearOnly = d.clearOnly ?? 0;
    const wanted = how === "write" ? value : how === "set" ? old | value : old & ~value;
    // R/C bits can be cleared but not set; other bits keep their value unless writable.
    const keep = ~(d.writable | clearOnly) & 0xff;
    const v = (old & keep) | (wanted & d.writable) | (wanted & old & clearOnly);
    this.onWrite(d, old, v, how === "clear" ? 0 : value, now);
  }

  /** Register side effects (the datasheet's "when set, ..." clauses). */
  private onWrite(d: RegisterDef, old: number, v: number, driven: number, now: number): void {
    const slot = this.slot(d);
    switch (d.name) {
      case "ECON1": {
        if (v & ECON1.DMAST) throw new SimError("enc28j60: the DMA engine is not modelled");
        if (driven & ECON1.TXRTS && old & ECON1.TXRTS) throw new SimError("enc28j60: TXRTS set while a transmission is in progress (DS39662E 7.1.2)");
        const rising = v & ~old;
        this.regs[slot] = v;
        if (rising & ECON1.TXRST) this.resetTransmitLogic();
        if (old & ECON1.TXRST && !(v & ECON1.TXRST) && this.txAbortedSinceReset) {
          // Errata 12: clearing TXRST after an abort may raise TXERIF again.
          this.txAbortedSinceReset = false;
          this.setReg("EIR", this.reg("EIR") | EIR.TXERIF);
        }
        if (rising & ECON1.RXRST) { this.setReg16("ERXWRPT", this.reg16("ERXST")); this.setReg("EPKTCNT", 0); this.pktifLatched = false; }
        if (rising & ECON1.RXEN) this.checkReceiveSetup();
        if (!(v & ECON1.TXRTS) && old & ECON1.TXRTS) this.abortTransmission();
        if (rising & ECON1.TXRTS) {
          if (v & ECON1.TXRST) throw new SimError("enc28j60: TXRTS set while TXRST holds the transmit logic in reset");
          this.startTransmission(now);
        }
        break;
      }
      case "ECON2":
        if (v & ECON2.PKTDEC) {
          const n = this.reg("EPKTCNT");
          if (n === 0) this.stats.pktdecAtZero++;
          else this.setReg("EPKTCNT", n - 1);
          if (n <= 1) this.pktifLatched = false;
        }
        this.regs[slot] = v & ~ECON2.PKTDEC; // PKTDEC always reads 0
        break;
      case "ERXRDPTL":
        this.rxReadPtrLowLatch = v; // DS39662E 7.2.4: takes effect when ERXRDPTH is written
        break;
      case "ERXRDPTH":
        this.regs[slot] = v;
        this.setReg("ERXRDPTL", this.rxReadPtrLowLatch);
        break;
      case "ERXSTL": case "ERXSTH": case "ERXNDL": case "ERXNDH":
        if (this.reg("ECON1") & ECON1.RXEN) throw new SimError(`enc28j60: ${d.name} written while ECON1.RXEN is set (DS39662E 3.2.1)`);
        this.regs[slot] = v;
        this.setReg16("ERXWRPT", 0); // errata 5: the internal write pointer is loaded with 0000h, not ERXST
        break;
      case "MICMD":
        this.regs[slot] = v;
        if (v & MICMD.MIISCAN) throw new SimError("enc28j60: MII scan is not modelled");
        if (v & MICMD.MIIRD && !(old & MICMD.MIIRD)) {
          this.miiBusyUntil = now + MII_BUSY_US;
          this.pendingMiiRead = this.reg("MIREGADR");
        }
        break;
      case "MIWRH":
        this.regs[slot] = v;
        this.miiBusyUntil = now + MII_BUSY_US;
        this.phyWrite(this.reg("MIREGADR"), this.reg("MIWRL") | (v << 8));
        break;
      default:
        this.regs[slot] = v;
    }
    this.updateInterruptLine();
  }

  private eirValue(): number {
    const pending = this.pktifLatched && this.reg("EPKTCNT") > 0;
    return (this.reg("EIR") & ~(EIR.PKTIF | EIR.LINKIF)) | (pending ? EIR.PKTIF : 0) | (this.phyGet("PHIR") & PHIR.PGIF ? EIR.LINKIF : 0);
  }

  // ---- INT pin: active low, asserted while EIE.INTIE and an enabled flag is set (DS39662E 12.0) ----

  private intLevel(): 0 | 1 {
    const eie = this.reg("EIE");
    return eie & EIE.INTIE && eie & this.eirValue() & 0x7b ? 0 : 1;
  }

  /**
   * Assertions reach the host through the scheduler, never from inside transfer(). A
   * deassertion shows at once: the pin goes high as the SPI write that cleared the flag
   * ends (DS39662 12.0: INT follows EIR & EIE), and the MCU may read the pin right after.
   */
  private updateInterruptLine(): void {
    if (this.intLevel() === 1 && this.intLevelShown === 0) {
      if (this.intDelivery) { this.scheduler.cancel(this.intDelivery); this.intDelivery = null; }
      this.intLevelShown = 1;
      this.onInterruptLine(1);
      return;
    }
    if (this.intDelivery && !this.intDelivery.cancelled) return;
    if (this.intLevel() === this.intLevelShown) return;
    this.intDelivery = this.scheduler.after(0, () => {
      this.intDelivery = null;
      const level = this.intLevel();
      if (level === this.intLevelShown) return;
      this.intLevelShown = level;
      this.onInterruptLine(level);
    }, "enc28j60 INT");
  }

  // ---- MII / PHY ----

  private phyGet(name: string): number { return this.phy.get(phyByName.get(name)!.addr)!; }
  private phySet(name: string, v: number): void { this.phy.set(phyByName.get(name)!.addr, v & 0xffff); }

  private phyRead(addr: number): number {
    const def = PHY_REGISTERS.find((r) => r.addr === addr);
    if (!def) return 0;
    if (def.name === "PHSTAT2") {
      const duplex = this.phyGet("PHCON1") & PHCON1.PDPXMD ? PHSTAT2.DPXSTAT : 0;
      return (this.link ? PHSTAT2.LSTAT : 0) | duplex | (this.transmitting ? PHSTAT2.TXSTAT : 0);
    }
    if (def.name === "PHSTAT1") {
      const v = this.phyGet("PHSTAT1");
      if (this.link) this.phySet("PHSTAT1", v | PHSTAT1.LLSTAT); // latch re-arms once read with the link up
      return v;
    }
    if (def.name === "PHIR") {
      const v = this.phyGet("PHIR");
      this.phySet("PHIR", 0); // reading PHIR clears PGIF and PLNKIF (DS39662E 12.1.5)
      this.updateInterruptLine();
      return v;
    }
    return this.phy.get(addr)!;
  }

  private phyWrite(addr: number, value: number): void {
    const def = PHY_REGISTERS.find((r) => r.addr === addr);
    if (!def) throw new SimError(`enc28j60: write to unimplemented PHY register 0x${addr.toString(16)}`);
    if (def.writable === 0) throw new SimError(`enc28j60: write to read-only PHY register ${def.name}`);
    this.phy.set(addr, (this.phy.get(addr)! & ~def.writable) | (value & def.writable));
    if (def.name === "PHCON1" && value & PHCON1.PRST) this.phySet("PHCON1", value & ~PHCON1.PRST);
    if (def.name === "PHIE") this.updatePhyInterrupt();
  }

  private completeMiiRead(now: number): void {
    if (this.pendingMiiRead < 0) return;
    if (now < this.miiBusyUntil) throw new SimError("enc28j60: MIRD read while MISTAT.BUSY (DS39662E 3.3.1)");
    const v = this.phyRead(this.pendingMiiRead);
    this.pendingMiiRead = -1;
    this.setReg("MIRDL", v & 0xff);
    this.setReg("MIRDH", v >> 8);
  }

  private updatePhyInterrupt(): void {
    const phie = this.phyGet("PHIE"), phir = this.phyGet("PHIR");
    const pending = phie & PHIE.PGEIE && phie & PHIE.PLNKIE && phir & PHIR.PLNKIF;
    this.phySet("PHIR", pending ? phir | PHIR.PGIF : phir & ~PHIR.PGIF);
    this.updateInterruptLine();
  }

  // ---- buffer memory ----

  private readBuffer(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let p = this.reg16("ERDPT");
    const autoinc = this.reg("ECON2") & ECON2.AUTOINC;
    const start = this.reg16("ERXST"), end = this.reg16("ERXND");
    for (let i = 0; i < n; i++) {
      out[i] = this.buffer[p];
      // DS39662E 4.2.2: ERDPT wraps from ERXND to ERXST, and from 1FFFh to 0000h.
      if (autoinc) p = p === end ? start : (p + 1) & 0x1fff;
    }
    this.setReg16("ERDPT", p);
    return out;
  }

  private writeBuffer(data: Uint8Array): void {
    let p = this.reg16("EWRPT");
    const autoinc = this.reg("ECON2") & ECON2.AUTOINC;
    for (const b of data) {
      this.buffer[p] = b;
      if (autoinc) p = (p + 1) & 0x1fff; // DS39662E 4.2.4: EWRPT wraps only at 1FFFh
    }
    this.setReg16("EWRPT", p);
  }

  private ringAdvance(p: number, n: number, start: number, end: number): number {
    const size = end - start + 1;
    return start + ((p - start + n) % size);
  }

  /** Free bytes in the receive ring (DS39662E Equation 7-1), with errata 14 for an even ERXRDPT. */
  private rxFreeSpace(): number {
    const start = this.reg16("ERXST"), end = this.reg16("ERXND");
    const size = end - start + 1;
    const wr = this.reg16("ERXWRPT"), rd = this.reg16("ERXRDPT");
    const gap = (((rd - wr) % size) + size) % size; // bytes from the write pointer up to the read pointer
    // Errata 14: with an even ERXRDPT the receive hardware may corrupt the ring. Modelled as
    // the stop condition never matching: a full ring is written through, over the unread
    // packets' next packet pointers and status vectors.
    if (gap === 0 || !(rd & 1)) return size - 1;
    return gap - 1;
  }

  private checkReceiveSetup(): void {
    const start = this.reg16("ERXST"), end = this.reg16("ERXND");
    if (end <= start) throw new SimError(`enc28j60: receive buffer ERXST=${start} ERXND=${end} is empty or wraps (not modelled)`);
    this.checkDuplex("RXEN");
  }

  private checkDuplex(what: string): void {
    const mac = (this.reg("MACON3") & MACON3.FULDPX) !== 0, phy = (this.phyGet("PHCON1") & PHCON1.PDPXMD) !== 0;
    if (mac !== phy) throw new SimError(`enc28j60: ${what} with MACON3.FULDPX=${+mac} but PHCON1.PDPXMD=${+phy}; they must agree (DS39662E 6.6)`);
  }

  private acceptedByFilter(frame: Uint8Array, crcError: boolean): boolean {
    const f = this.reg("ERXFCON");
    if (f & (ERXFCON.PMEN | ERXFCON.MPEN | ERXFCON.HTEN)) throw new SimError("enc28j60: pattern, magic packet and hash filters are not modelled");
    if (crcError && f & ERXFCON.CRCEN) return false;
    const kinds = f & (ERXFCON.UCEN | ERXFCON.MCEN | ERXFCON.BCEN);
    if (!kinds) return true; // promiscuous
    if (frame.length < 6) return false;
    const broadcast = frame.subarray(0, 6).every((b) => b === 0xff);
    const multicast = !broadcast && (frame[0] & 1) === 1;
    const mac = [this.reg("MAADR1"), this.reg("MAADR2"), this.reg("MAADR3"), this.reg("MAADR4"), this.reg("MAADR5"), this.reg("MAADR6")];
    const unicastToUs = mac.every((b, i) => frame[i] === b);
    const matches: boolean[] = [];
    if (f & ERXFCON.UCEN) matches.push(unicastToUs);
    if (f & ERXFCON.MCEN) matches.push(multicast);
    if (f & ERXFCON.BCEN) matches.push(broadcast);
    return f & ERXFCON.ANDOR ? matches.every(Boolean) : matches.some(Boolean);
  }

  // ---- transmit ----

  private startTransmission(now: number): void {
    this.checkDuplex("TXRTS");
    if (this.txStalled) { this.stats.txStalledStarts++; return; } // errata 12: TXRTS stays set forever
    const st = this.reg16("ETXST"), nd = this.reg16("ETXND");
    if (nd < st + 1) {
      // After a glitch the host's cached pointers no longer hold: nothing usable goes out.
      if (!this.glitched) throw new SimError(`enc28j60: ETXND ${nd} does not follow ETXST ${st}`);
      this.stats.txGarbage++;
      const handle = this.scheduler.at(Math.ceil(Math.max(now, this.scheduler.now)), () => this.finishTransmission(new Uint8Array(0), 0, false), "enc28j60 tx (garbage)");
      this.tx = { handle };
      return;
    }
    const control = this.buffer[st];
    const data = this.buffer.slice(st + 1, nd + 1);
    const macon3 = this.reg("MACON3");
    const override = control & 0x01; // POVERRIDE (DS39662E Figure 7-1)
    const padcfg = override ? (control & 0x04 ? 0x20 : 0) : macon3 & MACON3.PADCFG;
    const appendCrc = override ? (control & 0x02) !== 0 : (macon3 & MACON3.TXCRCEN) !== 0 || padcfg !== 0;
    let frame = data;
    if (!appendCrc) {
      // The host supplied the FCS: the wire model carries none, so check and strip it.
      const body = data.subarray(0, Math.max(0, data.length - 4));
      const fcs = data.length >= 4 ? (data[data.length - 4] | (data[data.length - 3] << 8) | (data[data.length - 2] << 16) | (data[data.length - 1] << 24)) >>> 0 : -1;
      frame = body.slice();
      if (fcs !== ethernetCrc(body)) frame = new Uint8Array(0);
    } else if (padcfg) {
      const min = (padcfg >> 5) === 7 ? 64 : 60;
      if (frame.length < min) { const padded = new Uint8Array(min); padded.set(frame); frame = padded; }
    }
    const halfDuplex = !(macon3 & MACON3.FULDPX);
    const lateCollision = halfDuplex && this.faults.lateCollisions > 0;
    if (lateCollision) this.faults.lateCollisions--;
    const durationUs = transmitDurationUs(frame.length, this.wireBps);
    const startAt = Math.max(now, this.scheduler.now);
    // Events land on whole microseconds, the unit of the HAL's clock.
    const handle = this.scheduler.at(Math.ceil(startAt + durationUs), () => this.finishTransmission(frame, data.length, lateCollision), "enc28j60 tx");
    this.tx = { handle };
  }

  private finishTransmission(frame: Uint8Array, byteCount: number, lateCollision: boolean): void {
    this.tx = null;
    const tsv = new Uint8Array(7);
    tsv[0] = byteCount & 0xff; tsv[1] = byteCount >> 8;
    const broadcast = frame.length >= 6 && frame.subarray(0, 6).every((b) => b === 0xff);
    const multicast = !broadcast && frame.length >= 1 && (frame[0] & 1) === 1;
    tsv[3] = (multicast ? 0x01 : 0) | (broadcast ? 0x02 : 0);
    const onWire = 8 + Math.max(frame.length + 4, 64);
    tsv[4] = onWire & 0xff; tsv[5] = onWire >> 8;
    if (lateCollision) {
      // Errata 13: a false collision past MACLCON2 bytes becomes a late collision; the MAC
      // aborts (TSV bit 29), and errata 12: the transmit logic stalls until TXRST.
      tsv[2] = 0x01; // one collision
      tsv[3] |= 0x20;
      this.setReg("ESTAT", this.reg("ESTAT") | ESTAT.TXABRT | ESTAT.LATECOL);
      this.setReg("EIR", this.reg("EIR") | EIR.TXERIF | EIR.TXIF);
      this.txStalled = true;
      this.txAbortedSinceReset = true;
      this.stats.txAborted++;
    } else {
      tsv[2] = 0x80; // bit 23 Transmit Done
      this.setReg("ESTAT", this.reg("ESTAT") & ~(ESTAT.TXABRT | ESTAT.LATECOL));
      this.setReg("EIR", this.reg("EIR") | EIR.TXIF);
      if (!this.link) this.stats.txNoLink++;
      else if (frame.length) { this.stats.txFrames++; this.transmitToWire(frame); }
    }
    let p = (this.reg16("ETXND") + 1) & 0x1fff; // the TSV follows the packet (DS39662E 7.1)
    for (const b of tsv) { this.buffer[p] = b; p = (p + 1) & 0x1fff; }
    this.setReg("ECON1", this.reg("ECON1") & ~ECON1.TXRTS);
    this.updateInterruptLine();
  }

  private abortTransmission(): void {
    if (this.tx) { this.scheduler.cancel(this.tx.handle); this.tx = null; }
  }

  private resetTransmitLogic(): void {
    this.abortTransmission();
    this.txStalled = false;
    this.setReg("ECON1", this.reg("ECON1") & ~ECON1.TXRTS);
  }

  private deviceTime(): number {
    return Math.max(this.scheduler.now, this.busFreeAt);
  }
}

