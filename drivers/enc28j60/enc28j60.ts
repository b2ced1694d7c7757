// ENC28J60 10BASE-T controller on SPI (datasheet DS39662E, Rev. B7 errata DS80349).
// Sans-IO: every wait is a state with a deadline returned from poll(now); the driver never
// reads a clock. Costs: a register access is one SPI transaction (the bank is cached), a
// frame moves in one RBM or WBM burst.
import {
  spi_transfer, gpio_irq_enable, board_info, BoardKey, GpioEdge, NO_DEADLINE, LogLevel,
} from "../../hal/generated/hal";
import { NetDriver } from "../../stack/net/netdev";
import { reserve } from "../../stack/runtime/memory";
import { count, Counter } from "../../stack/runtime/counters";
import { logBegin, logStr, logU32, logEnd } from "../../stack/runtime/log";
import { Reg, Phy, Bit, Op, REG_ADDR_MASK, REG_MAC_MII, REG_COMMON, RSV_RECEIVED_OK, TSV_LATE_COLLISION } from "./registers";

const BUFFER_END: i32 = 0x1fff;
const TSV_BYTES: i32 = 7;
const HEADER_BYTES: i32 = 6; // next packet pointer + receive status vector
const FCS_BYTES: i32 = 4;
const MIN_FRAME: i32 = 14;
/** Errata 2: after SRC wait at least 1 ms; CLKRDY may read set too early. */
const RESET_WAIT_US: i64 = 2000;
const RESET_RETRY_US: i64 = 1_000_000;
const CLKRDY_TRIES: i32 = 5;
/** An MII operation takes 10.24 µs (DS39662E 3.3); this bounds the MISTAT.BUSY poll. */
const MII_POLL_LIMIT: i32 = 200;
const ERRATA1_MIN_SPI_HZ: i32 = 8_000_000;
const REV_B4: i32 = 4;

export class Enc28j60Config {
  /** SPI device and interrupt pin; -1 takes them from the board (BoardKey). */
  spiDevice: i32 = -1;
  intPin: i32 = -1;
  /** Station address, first byte on the wire in bits 47..40. */
  mac: u64 = 0x02_00_00_00_00_01;
  /** Last byte of the receive ring, odd (errata 14). The ring starts at 0x0000 (errata 5);
   *  transmit uses rxEnd+1..0x1FFF, which must hold 1 control byte + a frame + the 7-byte TSV. */
  rxEnd: i32 = 0x19ff;
  fullDuplex: bool = false;
  acceptMulticast: bool = false;
  /** Largest frame without FCS (1514, or 1518 with a VLAN tag). */
  maxFrame: i32 = 1518;
  /** Received frames handled per poll before yielding (poll returns `now` to continue). */
  maxRxPerPoll: i32 = 8;
  /** Safety net for lost edges and errata 6: EPKTCNT and EIR are checked this often. */
  housekeepingUs: i64 = 20_000;
  /** Retransmissions after a late collision (errata 13) before the frame counts as failed. */
  maxTxRetries: i32 = 3;
  /** A transmission still pending after this is reset (errata 12 stall). */
  txTimeoutUs: i64 = 50_000;
}

export enum Enc28j60State { Reset = 0, WaitReset = 1, Running = 2, Failed = 3 }

export class Enc28j60 extends NetDriver {
  readonly config: Enc28j60Config;
  readonly spiDevice: i32;
  readonly intPin: i32;
  state: Enc28j60State = Enc28j60State.Reset;
  revision: i32 = 0;
  /** SPI transactions issued so far (benchmarks divide by frames). */
  spiTransactions: u32 = 0;
  spiErrors: u32 = 0;
  rxResets: u32 = 0;
  txResets: u32 = 0;

  private readonly mac: usize;
  private readonly spiOut: usize;   // command bytes for register access
  private readonly spiIn: usize;
  private readonly header: usize;   // next packet pointer + RSV of the packet to read
  private readonly tsv: usize;
  private readonly rxFrame: usize;  // frame + FCS + pad + the next packet's header
  private readonly txFrame: usize;  // WBM opcode + control byte + frame
  private readonly txStart: i32;

  private bank: i32 = 0;
  private link: bool = false;
  private deadline: i64 = 0;
  private clockChecks: i32 = 0;
  private interruptPending: bool = false;
  private serviceAgain: bool = false;
  private housekeepingAt: i64 = 0;
  private nextPacket: i32 = 0;
  private readPointerValid: bool = false;
  private txBusy: bool = false;
  private txRetries: i32 = 0;
  private txDeadline: i64 = 0;
  private txEndCache: i32 = -1;
  private writePointerCache: i32 = -1;

  constructor(config: Enc28j60Config) {
    super();
    this.config = config;
    this.spiDevice = config.spiDevice >= 0 ? config.spiDevice : board_info(BoardKey.EthSpiDevice);
    this.intPin = config.intPin >= 0 ? config.intPin : board_info(BoardKey.EthIntPin);
    this.txStart = config.rxEnd + 1;
    this.mac = reserve(6);
    for (let i = 0; i < 6; i++) store<u8>(this.mac + i, <u8>(config.mac >> (40 - 8 * i)));
    this.spiOut = reserve(4);
    this.spiIn = reserve(4);
    this.header = reserve(HEADER_BYTES);
    this.tsv = reserve(TSV_BYTES);
    this.rxFrame = reserve(config.maxFrame + FCS_BYTES + 1 + HEADER_BYTES);
    this.txFrame = reserve(2 + config.maxFrame);
  }

  macAddress(): usize { return this.mac; }
  linkUp(): bool { return this.link; }

  onInterrupt(level: i32, now: i64): void {
    if (level == 0) this.interruptPending = true; // INT is active low
  }

  poll(now: i64): i64 {
    if (this.state == Enc28j60State.Reset) {
      this.issueReset(now);
    } else if (this.state == Enc28j60State.WaitReset) {
      if (now >= this.deadline) this.configure(now);
    } else if (this.state == Enc28j60State.Failed) {
      if (now >= this.deadline) this.issueReset(now);
    } else {
      if (this.interruptPending || this.serviceAgain || now >= this.housekeepingAt) {
        this.interruptPending = false;
        this.housekeepingAt = now + this.config.housekeepingUs;
        this.service(now);
      }
      if (this.txBusy && now >= this.txDeadline) this.transmitTimedOut();
      let next = this.housekeepingAt;
      if (this.txBusy && this.txDeadline < next) next = this.txDeadline;
      if (this.serviceAgain) next = now;
      return next;
    }
    return this.state == Enc28j60State.Running ? now : this.deadline;
  }

  transmit(frame: usize, len: i32, now: i64): bool {
    if (this.state != Enc28j60State.Running || !this.link || this.txBusy) return false;
    if (len < MIN_FRAME || len > this.config.maxFrame) { count(Counter.EthTxErrors); return false; }
    // Control byte 0: padding and CRC as MACON3 says (DS39662E 7.1, Figure 7-1).
    store<u8>(this.txFrame, Op.WBM);
    store<u8>(this.txFrame + 1, 0);
    memory.copy(this.txFrame + 2, frame, len);
    this.writeCached16(Reg.EWRPTL, this.txStart, this.writePointerCache);
    this.spi(this.txFrame, 2 + len, 0, 0);
    this.writePointerCache = this.txStart + 1 + len;
    const txEnd = this.txStart + len; // the last frame byte
    this.writeCached16(Reg.ETXNDL, txEnd, this.txEndCache);
    this.txEndCache = txEnd;
    this.setBits(Reg.ECON1, Bit.TXRTS);
    this.txBusy = true;
    this.txRetries = 0;
    this.txDeadline = now + this.config.txTimeoutUs;
    return true;
  }

  // ---- bring-up ----

  private issueReset(now: i64): void {
    store<u8>(this.spiOut, Op.SRC);
    this.spi(this.spiOut, 1, 0, 0);
    this.bank = 0;
    this.link = false;
    this.txBusy = false;
    this.txEndCache = -1;
    this.writePointerCache = -1;
    this.clockChecks = 0;
    this.state = Enc28j60State.WaitReset;
    this.deadline = now + RESET_WAIT_US;
  }

  private configure(now: i64): void {
    if ((this.readReg(Reg.ESTAT) & Bit.CLKRDY) == 0) {
      if (++this.clockChecks < CLKRDY_TRIES) { this.deadline = now + RESET_WAIT_US; return; }
      this.fail(now, "clock not ready");
      return;
    }
    const rev = this.readReg(Reg.EREVID);
    if (rev == 0 || rev == 0xff) { this.fail(now, "no device (EREVID 0x00/0xff)"); return; }
    this.revision = rev;
    const spiHz = board_info(BoardKey.EthSpiHz);
    if (rev <= REV_B4 && spiHz > 0 && spiHz < ERRATA1_MIN_SPI_HZ && logBegin(LogLevel.Warn)) {
      logStr("enc28j60: SPI below 8 MHz is unreliable on this revision (errata 1), EREVID "); logU32(rev); logEnd();
    }
    const c = this.config;
    // Buffer layout: receive ring 0x0000..rxEnd (errata 5), transmit after it.
    this.write16(Reg.ERXSTL, 0);
    this.write16(Reg.ERXNDL, c.rxEnd);
    this.write16(Reg.ERXRDPTL, c.rxEnd); // errata 14: odd, "nothing read yet" = the byte before ERXST
    this.write16(Reg.ERDPTL, 0);
    this.write16(Reg.ETXSTL, this.txStart);
    this.nextPacket = 0;
    this.readPointerValid = true;
    this.writeReg(Reg.ERXFCON, Bit.UCEN | Bit.CRCEN | Bit.BCEN | (c.acceptMulticast ? Bit.MCEN : 0));
    // MAC (DS39662E 6.5): receive enable, pause frames in full duplex only, pad + CRC,
    // length check, duplex matching the PHY; back-to-back gap 0x15 full / 0x12 half.
    this.writeReg(Reg.MACON1, Bit.MARXEN | (c.fullDuplex ? Bit.TXPAUS | Bit.RXPAUS : 0));
    this.writeReg(Reg.MACON3, Bit.PADCFG0 | Bit.TXCRCEN | Bit.FRMLNEN | (c.fullDuplex ? Bit.FULDPX : 0));
    this.writeReg(Reg.MACON4, c.fullDuplex ? 0 : Bit.DEFER);
    this.write16(Reg.MAMXFLL, c.maxFrame + FCS_BYTES);
    this.writeReg(Reg.MABBIPG, c.fullDuplex ? 0x15 : 0x12);
    this.writeReg(Reg.MAIPGL, 0x12);
    this.writeReg(Reg.MAIPGH, c.fullDuplex ? 0 : 0x0c);
    const m = this.mac;
    this.writeReg(Reg.MAADR1, load<u8>(m)); this.writeReg(Reg.MAADR2, load<u8>(m + 1));
    this.writeReg(Reg.MAADR3, load<u8>(m + 2)); this.writeReg(Reg.MAADR4, load<u8>(m + 3));
    this.writeReg(Reg.MAADR5, load<u8>(m + 4)); this.writeReg(Reg.MAADR6, load<u8>(m + 5));
    // PHY: duplex as in MACON3 (DS39662E 6.6), no half-duplex loopback, link interrupts.
    if (!this.phyWrite(Phy.PHCON1, c.fullDuplex ? Bit.PDPXMD : 0) ||
        !this.phyWrite(Phy.PHCON2, c.fullDuplex ? 0 : Bit.HDLDIS) ||
        !this.phyWrite(Phy.PHIE, Bit.PGEIE | Bit.PLNKIE) ||
        this.phyRead(Phy.PHIR) < 0) { this.fail(now, "MII timeout"); return; }
    const status = this.phyRead(Phy.PHSTAT2);
    if (status < 0) { this.fail(now, "MII timeout"); return; }
    this.clearBits(Reg.EIR, Bit.PKTIF | Bit.LINKIF | Bit.TXIF | Bit.TXERIF | Bit.RXERIF);
    this.writeReg(Reg.EIE, Bit.INTIE | Bit.PKTIE | Bit.LINKIE | Bit.TXIE | Bit.TXERIE | Bit.RXERIE);
    this.setBits(Reg.ECON1, Bit.RXEN);
    gpio_irq_enable(this.intPin, GpioEdge.Falling);
    this.state = Enc28j60State.Running;
    this.housekeepingAt = now + c.housekeepingUs;
    this.serviceAgain = true; // INT may have fallen before the edge was armed
    if (logBegin(LogLevel.Info)) { logStr("enc28j60: up, EREVID "); logU32(rev); logEnd(); }
    this.setLink((status & Bit.LSTAT) != 0, now);
  }

  private fail(now: i64, why: string): void {
    if (logBegin(LogLevel.Error)) { logStr("enc28j60: "); logStr(why); logEnd(); }
    this.state = Enc28j60State.Failed;
    this.deadline = now + RESET_RETRY_US;
  }

  // ---- interrupt service (DS39662E 12.0: INTIE off while serving, so pending flags re-assert INT) ----

  private service(now: i64): void {
    this.serviceAgain = false;
    this.clearBits(Reg.EIE, Bit.INTIE);
    const eir = this.readReg(Reg.EIR);
    if (eir & Bit.LINKIF) {
      const status = this.phyRead(Phy.PHIR) >= 0 ? this.phyRead(Phy.PHSTAT2) : -1;
      if (status >= 0) this.setLink((status & Bit.LSTAT) != 0, now);
    }
    if (eir & Bit.TXERIF) this.transmitFailed(now);
    else if (eir & Bit.TXIF) this.transmitDone();
    if (eir & Bit.RXERIF) {
      count(Counter.EthRxOverflow); // the chip dropped a frame: the ring was full (DS39662E 7.2.5)
      this.clearBits(Reg.EIR, Bit.RXERIF);
    }
    this.receive(this.pendingPackets(eir), now);
    this.setBits(Reg.EIE, Bit.INTIE);
  }

  /** Packets waiting in the ring. Errata 6: EIR.PKTIF is unreliable, EPKTCNT is the truth. */
  protected pendingPackets(eir: i32): i32 {
    return this.readReg(Reg.EPKTCNT);
  }

  private setLink(up: bool, now: i64): void {
    if (up == this.link) return;
    this.link = up;
    count(Counter.EthLinkChanges);
    const sink = this.sink;
    if (sink) sink.onLinkChange(up, now);
  }

  // ---- receive ----

  private receive(pending: i32, now: i64): void {
    if (pending <= 0) return;
    const batch = pending < this.config.maxRxPerPoll ? pending : this.config.maxRxPerPoll;
    if (!this.readPointerValid) {
      this.write16(Reg.ERDPTL, this.nextPacket);
      this.readPointerValid = true;
    }
    this.readBuffer(this.header, HEADER_BYTES);
    for (let i = 0; i < batch; i++) {
      const next = <i32>load<u16>(this.header);
      const byteCount = <i32>load<u16>(this.header + 2);
      const status = <i32>load<u8>(this.header + 4);
      const stored = byteCount + (byteCount & 1); // the chip pads so packets start even
      if ((next & 1) != 0 || next > this.config.rxEnd || next != this.ringAdvance(this.nextPacket, HEADER_BYTES + stored)) {
        // The next packet pointer disagrees with the length: the ring cannot be walked.
        count(Counter.EthRxDropMalformed);
        this.resetReceiver();
        return;
      }
      const fits = byteCount <= this.config.maxFrame + FCS_BYTES;
      const more = i + 1 < batch && fits;
      if (fits) this.readBuffer(this.rxFrame, stored + (more ? HEADER_BYTES : 0));
      this.setBits(Reg.ECON2, Bit.PKTDEC);
      this.nextPacket = next;
      if (!fits) {
        count(Counter.EthRxDropMalformed);
        this.readPointerValid = false; // skip it: the next read starts at `next`
        this.serviceAgain = i + 1 < pending;
        break;
      }
      if (more) memory.copy(this.header, this.rxFrame + stored, HEADER_BYTES);
      const frameLen = byteCount - FCS_BYTES;
      if ((status & RSV_RECEIVED_OK) == 0) count(Counter.EthRxDropBadStatus);
      else if (frameLen < MIN_FRAME) count(Counter.EthRxDropMalformed);
      else {
        count(Counter.EthRxFrames);
        const sink = this.sink;
        if (sink) sink.onFrame(this.rxFrame, frameLen, now);
      }
      if (i + 1 == batch && batch < pending) this.serviceAgain = true;
    }
    // Give the space back in one go: ERXRDPT just before the next unread packet.
    this.write16(Reg.ERXRDPTL, this.receiveReadPointer(this.nextPacket));
  }

  /** Errata 14: ERXRDPT must be odd. Packets start even, so one byte before the next one,
   *  wrapping to ERXND when the next one starts the ring. */
  protected receiveReadPointer(next: i32): i32 {
    return next == 0 ? this.config.rxEnd : next - 1;
  }

  private ringAdvance(p: i32, n: i32): i32 {
    return (p + n) % (this.config.rxEnd + 1);
  }

  private resetReceiver(): void {
    this.rxResets++;
    this.clearBits(Reg.ECON1, Bit.RXEN);
    this.setBits(Reg.ECON1, Bit.RXRST);
    this.clearBits(Reg.ECON1, Bit.RXRST);
    this.write16(Reg.ERXSTL, 0);
    this.write16(Reg.ERXNDL, this.config.rxEnd);
    this.write16(Reg.ERXRDPTL, this.config.rxEnd);
    this.nextPacket = 0;
    this.readPointerValid = false;
    this.clearBits(Reg.EIR, Bit.RXERIF);
    this.setBits(Reg.ECON1, Bit.RXEN);
  }

  // ---- transmit completion ----

  private transmitDone(): void {
    this.clearBits(Reg.EIR, Bit.TXIF);
    if (!this.txBusy) return;
    this.txBusy = false;
    count(Counter.EthTxFrames);
  }

  private transmitFailed(now: i64): void {
    // Errata 12: an abort may stall the transmit logic; reset it, then clear the flags
    // (clearing TXRST can raise TXERIF again).
    this.resetTransmitter();
    if (!this.txBusy) return;
    // The TSV follows the frame (DS39662E 7.1); reading it moves ERDPT off the ring.
    this.write16(Reg.ERDPTL, this.txEndCache + 1);
    this.readBuffer(this.tsv, TSV_BYTES);
    this.readPointerValid = false;
    const lateCollision = (load<u8>(this.tsv + 3) & TSV_LATE_COLLISION) != 0;
    // Errata 13: a false collision after MACLCON2 bytes is reported as late and not retried
    // by the MAC; the frame is still in the buffer, so send it again.
    if (lateCollision && this.txRetries < this.config.maxTxRetries) {
      this.txRetries++;
      count(Counter.EthTxRetries);
      this.setBits(Reg.ECON1, Bit.TXRTS);
      this.txDeadline = now + this.config.txTimeoutUs;
    } else {
      this.txBusy = false;
      count(Counter.EthTxErrors);
    }
  }

  private transmitTimedOut(): void {
    this.resetTransmitter();
    this.txBusy = false;
    count(Counter.EthTxErrors);
  }

  private resetTransmitter(): void {
    this.txResets++;
    this.setBits(Reg.ECON1, Bit.TXRST);
    this.clearBits(Reg.ECON1, Bit.TXRST);
    this.clearBits(Reg.EIR, Bit.TXERIF | Bit.TXIF);
  }

  // ---- SPI primitives ----

  private spi(out: usize, outLen: i32, into: usize, inLen: i32): void {
    this.spiTransactions++;
    if (spi_transfer(this.spiDevice, out, outLen, into, inLen) < 0) this.spiErrors++;
  }

  private selectBank(reg: i32): void {
    if (reg & REG_COMMON) return;
    const want = (reg >> 5) & 3;
    const clear = this.bank & ~want, set = want & ~this.bank;
    if (clear) this.command(Op.BFC, Reg.ECON1, clear);
    if (set) this.command(Op.BFS, Reg.ECON1, set);
    this.bank = want;
  }

  private command(op: u8, reg: i32, value: i32): void {
    store<u8>(this.spiOut, op | <u8>(reg & REG_ADDR_MASK));
    store<u8>(this.spiOut + 1, <u8>value);
    this.spi(this.spiOut, 2, 0, 0);
  }

  protected readReg(reg: i32): i32 {
    this.selectBank(reg);
    store<u8>(this.spiOut, Op.RCR | <u8>(reg & REG_ADDR_MASK));
    const n = reg & REG_MAC_MII ? 2 : 1; // MAC/MII answer after a dummy byte
    this.spi(this.spiOut, 1, this.spiIn, n);
    return <i32>load<u8>(this.spiIn + n - 1);
  }

  private writeReg(reg: i32, value: i32): void {
    this.selectBank(reg);
    this.command(Op.WCR, reg, value);
  }

  /** Low byte first: ERXRDPT and others latch the pair when the high byte is written. */
  private write16(regLow: i32, value: i32): void {
    this.writeReg(regLow, value & 0xff);
    this.writeReg(regLow + 1, (value >> 8) & 0x1f);
  }

  /** For pointers only the driver changes: write just the bytes that differ from `known`. */
  private writeCached16(regLow: i32, value: i32, known: i32): void {
    if (known < 0 || (known & 0xff) != (value & 0xff)) this.writeReg(regLow, value & 0xff);
    if (known < 0 || (known >> 8) != (value >> 8)) this.writeReg(regLow + 1, value >> 8);
  }

  private setBits(reg: i32, mask: i32): void { this.selectBank(reg); this.command(Op.BFS, reg, mask); }
  private clearBits(reg: i32, mask: i32): void { this.selectBank(reg); this.command(Op.BFC, reg, mask); }

  private readBuffer(into: usize, len: i32): void {
    store<u8>(this.spiOut, Op.RBM);
    this.spi(this.spiOut, 1, into, len);
  }

  private waitMii(): bool {
    for (let i = 0; i < MII_POLL_LIMIT; i++) if ((this.readReg(Reg.MISTAT) & Bit.BUSY) == 0) return true;
    return false;
  }

  /** A PHY register through MII (DS39662E 3.3.1), or -1 if MISTAT.BUSY never cleared. */
  private phyRead(addr: i32): i32 {
    this.writeReg(Reg.MIREGADR, addr);
    this.writeReg(Reg.MICMD, Bit.MIIRD);
    if (!this.waitMii()) return -1;
    this.writeReg(Reg.MICMD, 0);
    return this.readReg(Reg.MIRDL) | (this.readReg(Reg.MIRDH) << 8);
  }

  private phyWrite(addr: i32, value: i32): bool {
    this.writeReg(Reg.MIREGADR, addr);
    this.writeReg(Reg.MIWRL, value & 0xff);
    this.writeReg(Reg.MIWRH, value >> 8); // starts the MII write (DS39662E 3.3.2)
    return this.waitMii();
  }
}
