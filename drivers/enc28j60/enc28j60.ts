// ENC28J60 10BASE-T controller on SPI (datasheet DS39662E, Rev. B7 errata DS80349).
// Sans-IO: every wait is a state with a deadline returned from poll(now); the driver never
// reads a clock. Costs: a register access is one SPI transaction (the bank is cached), a
// frame moves in one RBM or WBM burst (sent from the caller's buffer: netdev.ts TX_HEADROOM).
// Transmit per frame in a stream that keeps both slots busy: WBM, ETXSTH and ETXNDH (the
// slots alternate), BFS TXRTS, one ECON1 read for the completion, EWRPTH every other frame.
// A lone frame reuses the loaded slot: EWRPT, WBM, TXRTS and the ECON1 read. (One slot
// would save the two pointer writes but leave the wire idle while each frame is copied.)
import {
  spi_transfer, gpio_irq_enable, gpio_read, board_info, BoardKey, GpioEdge, NO_DEADLINE, LogLevel,
} from "../../hal/generated/hal";
import { NetDriver, TX_HEADROOM } from "../../stack/net/netdev";
import { reserve } from "../../stack/runtime/memory";
import { count, Counter } from "../../stack/runtime/counters";
import { logBegin, logStr, logU32, logEnd } from "../../stack/runtime/log";
import { Reg, Phy, Bit, Op, REG_ADDR_MASK, REG_MAC_MII, REG_COMMON, RSV_RECEIVED_OK, TSV_LATE_COLLISION } from "./registers";

const BUFFER_SIZE: i32 = 0x2000;
const PAGE: i32 = 0x100;
const TSV_BYTES: i32 = 7;
const HEADER_BYTES: i32 = 6; // next packet pointer + receive status vector
const FCS_BYTES: i32 = 4;
const MIN_FRAME: i32 = 14;
/** Errata 2: after SRC wait at least 1 ms; CLKRDY may read set too early. */
const RESET_WAIT_US: i64 = 2000;
/** A failed bring-up is retried after 1 s, doubling up to Enc28j60Config.retryMaxUs. */
const RESET_RETRY_US: i64 = 1_000_000;
const CLKRDY_TRIES: i32 = 5;
/** An MII operation takes 10.24 µs (DS39662E 3.3); this bounds the MISTAT.BUSY poll. */
const MII_POLL_LIMIT: i32 = 200;
const ERRATA1_MIN_SPI_HZ: i32 = 8_000_000;
const REV_B4: i32 = 4;
/** Command and answer bytes of register access: a fixed address, so a register access loads
 *  no buffer pointers (bytes 0-1 out, 2-3 in). */
const CMD: usize = memory.data(4);
/** SPI bytes clocked between a transmit decision and TXRTS besides the frame burst: EWRPT,
 *  ETXST/ETXND and the BFS, at most 2 bytes each (an upper bound is fine: it only delays
 *  the completion check by a fraction of a microsecond). */
const TX_START_SPI_BYTES: i32 = 12;
/** The interrupt sources we enable (EIE): TXIE stays off (see checkTransmission). */
const EIE_SET: i32 = Bit.INTIE | Bit.PKTIE | Bit.LINKIE | Bit.TXERIE | Bit.RXERIE;
/** receiveAvailable(): a packet is complete but how many bytes follow is unknown. */
const RX_AT_LEAST_ONE: i32 = -1;

export class Enc28j60Config {
  /** SPI device and interrupt pin; -1 takes them from the board (BoardKey). */
  spiDevice: i32 = -1;
  intPin: i32 = -1;
  /** Station address, first byte on the wire in bits 47..40. */
  mac: u64 = 0x02_00_00_00_00_01;
  /** Last byte of the receive ring. The ring starts at 0x0000 (errata 5) and ends on a
   *  0x..FF byte (rounded down if not): odd for errata 14, and whole 256-byte pages so that
   *  ERXRDPT can move by writing its high byte only. Transmit slots use rxEnd+1..0x1FFF.
   *  Default: 5 KiB of receive ring and two 1536-byte transmit slots. */
  rxEnd: i32 = 0x13ff;
  /** Transmit slots (each a whole number of pages holding control byte + frame + TSV); fewer
   *  are used if they do not fit above rxEnd. With two, a frame is written while the previous
   *  one is on the wire and starts as soon as that one is seen complete. */
  txSlots: i32 = 2;
  /** Completion is learnt without a transmit interrupt: ECON1.TXRTS is read once the frame's
   *  wire time (10 Mbit/s, from its length and the SPI time of the burst) plus this much has
   *  passed; the CPU time between the SPI transactions is not known to the driver. */
  txCheckSlackUs: i64 = 4;
  /** TXRTS still set at that check (half-duplex deferral or backoff, or a late estimate):
   *  read it again after this long, doubling up to txCheckMaxUs. */
  txRecheckUs: i64 = 32;
  txCheckMaxUs: i64 = 1024;
  /** Memory for the packet being read (rxBufferBytes(maxFrame) bytes; a smaller one is not
   *  used), e.g. the module's staging buffer (stack/runtime/staging.ts); 0: the driver
   *  reserves its own. Frames handed to the sink live there until onFrame returns; the
   *  driver writes it only from poll (transmit() reads registers only). */
  rxBuffer: usize = 0;
  rxBufferCapacity: i32 = 0;
  /** Receive space is given back to the chip (ERXRDPT advanced, one SPI write) only when
   *  the room it has left for new packets would otherwise be below this, and always after an
   *  overflow or while packets are still waiting. -1: two maximum-size packets, so the chip
   *  can always take two back-to-back frames; a 1514-byte stream then frees space every
   *  other frame. 0 gives space back after every packet (largest burst headroom). */
  rxReserveBytes: i32 = -1;
  /** After receiving (or while space is held back) the ring is checked again after this
   *  long even without an interrupt (a 1518-byte frame takes 1.23 ms at 10 Mbit/s): errata 6
   *  can swallow PKTIF, and a stream of silent packets would otherwise overflow the ring. */
  rxRecheckUs: i64 = 1300;
  /** ...and keeps doing so for this long after the last packet. */
  rxRecheckWindowUs: i64 = 3000;
  /** A frame written to a slot is padded with up to this many bytes so the write pointer
   *  ends on a page boundary (the next slot's start, or a page whose low byte is cached). */
  txPadLimit: i32 = 64;
  fullDuplex: bool = false;
  acceptMulticast: bool = false;
  /** Largest frame without FCS (1514, or 1518 with a VLAN tag). */
  maxFrame: i32 = 1518;
  /** Received frames handled per poll before yielding (poll returns `now` to continue). */
  maxRxPerPoll: i32 = 8;
  /** Safety net for lost interrupts and errata 6: ERXWRPT is checked this often, EIR too
   *  while INT is low (a high INT means no enabled flag is set). */
  housekeepingUs: i64 = 20_000;
  /** When nothing moved for idleAfterUs, housekeeping slows to this: an idle device should
   *  sleep (the level-triggered INT and the ring re-checks carry the traffic). */
  idleHousekeepingUs: i64 = 1_000_000;
  idleAfterUs: i64 = 1_000_000;
  /** Longest wait between bring-up attempts when the chip does not answer (missing,
   *  miswired, unpowered): the retries back off to this, each one logged once. */
  retryMaxUs: i64 = 60_000_000;
  /** EIE is read back this often (with housekeeping): anything but what we wrote means the
   *  chip was reset behind our back, typically a supply dip (it draws ~180 mA while sending),
   *  and it is set up again from scratch. 0: never. */
  chipCheckUs: i64 = 1_000_000;
  /** Retransmissions after a late collision (errata 13) before the frame counts as failed. */
  maxTxRetries: i32 = 3;
  /** A transmission still pending after this is reset (errata 12 stall). */
  txTimeoutUs: i64 = 50_000;
}

/** Bytes of receive buffer the driver needs for frames up to maxFrame: the 6-byte header, frame
 *  + FCS + pad byte, and the next packet's header read in the same burst. */
export function rxBufferBytes(maxFrame: i32): i32 {
  return HEADER_BYTES + maxFrame + FCS_BYTES + 1 + HEADER_BYTES;
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
  /** transmit() calls refused because every transmit slot was busy. */
  txRefusedBusy: u32 = 0;
  /** Transmit slots in use (from the config and the buffer split). */
  readonly txSlots: i32;

  private readonly rxEnd: i32;
  private readonly ringSize: i32;
  private readonly mac: usize;
  private readonly tsv: usize;
  /** The packet being read: 6-byte header, frame + FCS + pad, and the next packet's header. */
  private readonly rxBuf: usize;
  private readonly rxBufSize: i32;
  private readonly txBase: i32;
  private readonly txSlotBytes: i32;
  private readonly txLen: usize;    // i32 per slot: frame length
  private readonly txPadMax: i32;
  /** Longest frame transmit() takes: maxFrame, and it must fit a slot with its control byte and TSV. */
  private readonly txMaxLen: i32;
  private readonly rxReserve: i32;

  private bank: i32 = 0;
  private link: bool = false;
  private deadline: i64 = 0;
  private clockChecks: i32 = 0;
  private interruptPending: bool = false;
  private serviceAgain: bool = false;
  private housekeepingAt: i64 = 0;
  private chipCheckAt: i64 = 0;
  /** Wait before the next bring-up attempt after a failure (doubles, see retryMaxUs). */
  private retryUs: i64 = RESET_RETRY_US;
  private spiErrorsAtReset: u32 = 0;
  /** The chip lost its configuration (chipCheckUs): poll starts over with a reset. */
  private chipLost: bool = false;

  // Receive: the next unread packet, how much of it is already in rxBuf (ERDPT = nextPacket
  // + rxHave while readPointerValid), the ERXRDPT value written and its buffered low byte.
  private nextPacket: i32 = 0;
  private rxHave: i32 = 0;
  private readPointerValid: bool = false;
  private rxReadPointer: i32 = 0;
  private rxReadPointerLow: i32 = -1;
  private rxLastStored: i32 = 0;
  private rxPredict: i32 = 0;
  private rxForceRelease: bool = false;
  private rxRecheckAt: i64 = NO_DEADLINE;
  private rxLastPacketAt: i64 = 0;
  /** Once the transmit queue has emptied, the ring is checked rxRecheckUs later for the
   *  answer (errata 6 can swallow its PKTIF). A new frame moves the check behind its own
   *  completion, so a stream of frames pays for no checks. */
  private replyCheckAt: i64 = NO_DEADLINE;
  /** Last frame received or sent: housekeeping slows down once this is idleAfterUs old. */
  private lastActivityAt: i64 = 0;

  // Transmit: slots form a ring; txNext is where the next frame goes, txHead the oldest
  // queued one (on the wire when txSending), txCount how many are queued.
  private txNext: i32 = 0;
  private txHead: i32 = 0;
  private txCount: i32 = 0;
  private txSending: bool = false;
  private txRetries: i32 = 0;
  private txDeadline: i64 = 0;
  /** When TXRTS is next read for the frame on the wire, and the re-check interval after that. */
  private txCheckAt: i64 = 0;
  private txRecheck: i64 = 0;
  /** SPI time per byte: the bytes clocked before TXRTS are part of a frame's expected end. */
  private readonly spiNsPerByte: i32;
  private txStartCache: i32 = -1;
  /** The slot ETXST/ETXND point at (reused when nothing is queued). */
  private txLoadedSlot: i32 = 0;
  private txEndCache: i32 = -1;
  private writePointerCache: i32 = -1;

  constructor(config: Enc28j60Config) {
    super();
    this.config = config;
    this.spiDevice = config.spiDevice >= 0 ? config.spiDevice : board_info(BoardKey.EthSpiDevice);
    this.intPin = config.intPin >= 0 ? config.intPin : board_info(BoardKey.EthIntPin);
    // Whole pages: ring 0x0000..rxEnd with rxEnd = 0x..FF (errata 5, errata 14).
    let rxEnd = ((config.rxEnd + 1) & ~(PAGE - 1)) - 1;
    if (rxEnd < PAGE - 1) rxEnd = PAGE - 1;
    if (rxEnd > BUFFER_SIZE - PAGE - 1) rxEnd = BUFFER_SIZE - PAGE - 1;
    this.rxEnd = rxEnd;
    this.ringSize = rxEnd + 1;
    this.txBase = rxEnd + 1;
    const space = BUFFER_SIZE - this.txBase;
    const need = (1 + config.maxFrame + TSV_BYTES + PAGE - 1) & ~(PAGE - 1);
    let slots = config.txSlots < 1 ? 1 : config.txSlots;
    if (slots * need > space) slots = space / need;
    if (slots < 1) slots = 1;
    this.txSlots = slots;
    this.txSlotBytes = (space / slots) & ~(PAGE - 1);
    const fit = this.txSlotBytes - 1 - TSV_BYTES;
    this.txMaxLen = config.maxFrame < fit ? config.maxFrame : fit;
    this.txLen = reserve(4 * slots);
    this.mac = reserve(6);
    for (let i = 0; i < 6; i++) store<u8>(this.mac + i, <u8>(config.mac >> (40 - 8 * i)));
    this.tsv = reserve(TSV_BYTES);
    this.rxBufSize = rxBufferBytes(config.maxFrame);
    this.rxBuf = config.rxBuffer != 0 && config.rxBufferCapacity >= this.rxBufSize ? config.rxBuffer : reserve(this.rxBufSize);
    const maxPacket = HEADER_BYTES + config.maxFrame + FCS_BYTES + 1;
    this.rxReserve = config.rxReserveBytes < 0 ? 2 * maxPacket : config.rxReserveBytes;
    this.txPadMax = config.txPadLimit < 0 ? 0 : config.txPadLimit < PAGE ? config.txPadLimit : PAGE - 1;
    const spiHz = board_info(BoardKey.EthSpiHz);
    this.spiNsPerByte = spiHz > 0 ? <i32>((8_000_000_000 + <i64>spiHz - 1) / <i64>spiHz) : 8000; // unknown: assume 1 MHz
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
      if (this.txSending && now >= this.txCheckAt) this.checkTransmission(now, false);
      if (this.chipLost) return this.restartChip(now);
      const housekeeping = now >= this.housekeepingAt;
      if (now >= this.rxRecheckAt) { this.serviceAgain = true; this.rxRecheckAt = NO_DEADLINE; }
      if (now >= this.replyCheckAt) { this.serviceAgain = true; this.replyCheckAt = NO_DEADLINE; }
      let serve = this.serviceAgain || housekeeping;
      if (this.interruptPending) {
        // The host reports INT low; if it is high again by now, every enabled flag was
        // handled already (a level interrupt re-delivered after the service that cleared it).
        this.interruptPending = false;
        if (gpio_read(this.intPin) != 1) serve = true; // low, or unreadable
      }
      if (serve) this.service(now, housekeeping);
      if (this.chipLost) return this.restartChip(now);
      if (this.txSending && now >= this.txDeadline) this.transmitTimedOut(now);
      let next = this.housekeepingAt;
      if (this.rxRecheckAt < next) next = this.rxRecheckAt;
      if (this.replyCheckAt < next) next = this.replyCheckAt;
      if (this.txSending) {
        if (this.txCheckAt < next) next = this.txCheckAt;
        if (this.txDeadline < next) next = this.txDeadline;
      }
      if (this.serviceAgain) next = now;
      return next;
    }
    return this.state == Enc28j60State.Running ? now : this.deadline;
  }

  /** Writes the frame into a free transmit slot in one WBM burst and starts it if the wire
   *  is idle; false (counted in txRefusedBusy) only when every slot is queued or on the wire.
   *  The frame's TX_HEADROOM bytes carry the WBM opcode and the per-packet control byte for
   *  the burst (saved and restored). Reads registers only, never the buffer memory: the
   *  sink may call this while it holds a received frame in the receive buffer. */
  transmit(frame: usize, len: i32, now: i64): bool {
    if (this.state != Enc28j60State.Running || !this.link) return false;
    if (<u32>(len - MIN_FRAME) > <u32>(this.txMaxLen - MIN_FRAME) || frame < <usize>TX_HEADROOM) {
      count(Counter.EthTxErrors);
      return false;
    }
    // The frame on the wire is due: learn now whether its slot is free (one ECON1 read that
    // the poll at txCheckAt would otherwise spend).
    if (this.txSending && now >= this.txCheckAt) this.checkTransmission(now, true);
    if (this.chipLost) return false; // poll sets it up again
    const queued = this.txCount;
    if (queued == this.txSlots) { this.txRefusedBusy++; return false; }
    // With nothing queued, reuse the slot ETXST/ETXND point at: a lone frame (a reply, an
    // ACK) then needs no pointer writes but EWRPTH when its length repeats.
    let slot = this.txNext;
    if (queued == 0) { slot = this.txLoadedSlot; this.txHead = slot; }
    const start = this.txBase + slot * this.txSlotBytes;
    // Pad the write to a page boundary when cheap: EWRPT then rests on the next slot's start
    // (or on a page start whose low byte is already 00), saving EWRPT writes next time. Pad
    // bytes are whatever follows the frame in memory, never sent (ETXND ends the packet), so
    // only while they stay inside linear memory.
    let written = 1 + len;
    const pad = (-written) & (PAGE - 1);
    if (pad <= this.txPadMax && frame + <usize>(len + pad) <= (<usize>memory.size() << 16)) written += pad;
    this.writeCached16(Reg.EWRPTL, start, this.writePointerCache);
    // [WBM][control byte 0: padding and CRC as MACON3 says (DS39662E 7.1, Figure 7-1)][frame]
    const head = frame - <usize>TX_HEADROOM;
    const saved = load<u16>(head);
    store<u16>(head, <u16>Op.WBM);
    this.spi(head, 1 + written, 0, 0);
    store<u16>(head, saved);
    this.writePointerCache = (start + written) & (BUFFER_SIZE - 1); // EWRPT wraps at 1FFFh only (DS39662E 4.2.4)
    store<i32>(this.txLen + 4 * slot, len);
    this.txNext = slot + 1 == this.txSlots ? 0 : slot + 1;
    this.txCount = queued + 1;
    this.replyCheckAt = NO_DEADLINE; // this frame's completion sets it again
    if (!this.txSending) this.startTransmission(now, 1 + written + 1);
    return true;
  }

  // ---- bring-up ----

  private issueReset(now: i64): void {
    this.spiErrorsAtReset = this.spiErrors;
    store<u8>(CMD, Op.SRC);
    this.spi(CMD, 1, 0, 0);
    this.bank = 0;
    this.link = false;
    this.txSending = false;
    this.txCount = 0;
    this.txNext = 0;
    this.txHead = 0;
    this.txLoadedSlot = 0;
    this.txStartCache = -1;
    this.txEndCache = -1;
    this.writePointerCache = -1;
    this.replyCheckAt = NO_DEADLINE;
    this.rxReadPointerLow = -1; // the reset clears the ERXRDPTL shadow too
    this.clockChecks = 0;
    this.state = Enc28j60State.WaitReset;
    this.deadline = now + RESET_WAIT_US;
  }

  private configure(now: i64): void {
    if (this.spiErrors != this.spiErrorsAtReset) { this.fail(now, "SPI transfers fail (no device on the bus?)"); return; }
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
    // Buffer layout: receive ring 0x0000..rxEnd (errata 5), transmit slots after it.
    this.write16(Reg.ERXSTL, 0);
    this.write16(Reg.ERXNDL, this.rxEnd);
    this.setReceiveReadPointer(this.rxEnd); // errata 14: odd, "nothing read yet" = the byte before ERXST
    this.write16(Reg.ERDPTL, 0);
    this.nextPacket = 0;
    this.rxHave = 0;
    this.readPointerValid = true;
    this.rxRecheckAt = NO_DEADLINE;
    this.rxPredict = 0;
    this.rxLastStored = 0;
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
    // INTIE stays set from here on: INT is level-triggered (GpioEdge.LowLevel), so a flag
    // still pending after a service keeps the line low and the host calls on_gpio again;
    // nothing has to toggle INTIE to re-arm an edge (DS39662E 12.0).
    // No TXIE: completions are read from ECON1.TXRTS when due (see checkTransmission); TXERIE
    // stays, so an abort holds INT low until it is handled.
    this.writeReg(Reg.EIE, EIE_SET);
    this.chipCheckAt = now + c.chipCheckUs;
    this.setBits(Reg.ECON1, Bit.RXEN);
    this.selectBank(Reg.ERDPTL); // bank 0 holds every register of the packet paths
    gpio_irq_enable(this.intPin, GpioEdge.LowLevel);
    if (this.spiErrors != this.spiErrorsAtReset) { this.fail(now, "SPI transfers fail"); return; }
    this.state = Enc28j60State.Running;
    this.retryUs = RESET_RETRY_US;
    this.housekeepingAt = now + c.housekeepingUs;
    this.serviceAgain = true;
    if (logBegin(LogLevel.Info)) { logStr("enc28j60: up, EREVID "); logU32(rev); logEnd(); }
    this.setLink((status & Bit.LSTAT) != 0, now);
  }

  /** Traffic: housekeeping back to its active rate at once (an idle one runs once a second,
   *  and it is what finds an answer whose PKTIF errata 6 swallowed after the reply check). */
  private activity(now: i64): void {
    this.lastActivityAt = now;
    const h = now + this.config.housekeepingUs;
    if (h < this.housekeepingAt) this.housekeepingAt = h;
  }

  /** The chip was reset behind our back (EIE or ECON1.RXEN read back wrong) or is gone.
   *  Only noted here (this may run inside transmit()); poll takes it from there. */
  private chipReset(): void {
    if (this.chipLost) return;
    count(Counter.EthChipResets);
    if (logBegin(LogLevel.Warn)) { logStr("enc28j60: chip lost its configuration (reset or supply dip), setting it up again"); logEnd(); }
    this.chipLost = true;
  }

  /** EIE still holds what we wrote (one read); if not, the chip was reset (chipReset). */
  private chipIntact(): bool {
    if (this.read(Reg.EIE) == EIE_SET) return true;
    this.chipReset();
    return false;
  }

  /** Whatever was queued is lost; the link is down for the stack until the new set-up reads
   *  PHSTAT2 again. */
  private restartChip(now: i64): i64 {
    this.chipLost = false;
    this.setLink(false, now);
    this.issueReset(now);
    return this.deadline;
  }

  private fail(now: i64, why: string): void {
    const wait = this.retryUs;
    if (logBegin(LogLevel.Error)) { logStr("enc28j60: "); logStr(why); logStr("; retrying in "); logU32(<u32>(wait / 1_000_000)); logStr(" s"); logEnd(); }
    this.state = Enc28j60State.Failed;
    this.deadline = now + wait;
    const next = wait * 2;
    this.retryUs = next < this.config.retryMaxUs ? next : this.config.retryMaxUs;
  }

  // ---- interrupt service ----
  // Common case costs one register read: ERXWRPTH when receiving. EIR is read when that did
  // not explain the interrupt and INT is still low (gpio_read, no SPI), on housekeeping too.
  // EIR.TXIF is not used (TXIE off): a transmission's end is learnt from ECON1.TXRTS
  // (checkTransmission); TXIF stays set.

  private service(now: i64, housekeeping: bool): void {
    this.serviceAgain = false;
    let eir = -1;
    // INT high (gpio_read, no SPI) means no enabled flag is set: EIR has nothing to say. A
    // lost interrupt leaves INT low and is caught here; -1 (unreadable) reads EIR.
    if (housekeeping) {
      eir = gpio_read(this.intPin) != 1 ? this.read(Reg.EIR) : 0;
      if (eir & Bit.TXERIF) this.transmitError(now);
    }
    // Errata 6: PKTIF is unreliable, so the ring itself (ERXWRPT) says whether packets wait.
    let received = false;
    {
      this.rxRecheckAt = NO_DEADLINE;
      const avail = this.receiveAvailable();
      if (avail != 0) {
        this.receive(avail, now);
        if (this.chipLost) return;
        received = true;
      }
      else this.rxForceRelease = true; // the ring is drained: nothing to wait for
      // While packets flow, look again one frame time later even without an interrupt:
      // errata 6 can swallow PKTIF, and space may be held back. A working PKTIF comes first.
      if (received) { this.rxLastPacketAt = now; this.activity(now); }
      const held = !this.releaseReceiveSpace();
      if (held || now - this.rxLastPacketAt < this.config.rxRecheckWindowUs) this.rxRecheckAt = now + this.config.rxRecheckUs;
    }
    // Nothing received: EIR says why INT is low (a re-check usually finds it high).
    if (eir < 0 && !received && gpio_read(this.intPin) != 1) {
      eir = this.read(Reg.EIR);
      if (eir & Bit.TXERIF) this.transmitError(now);
    }
    if (eir >= 0) {
      if (eir & Bit.LINKIF) {
        const status = this.phyRead(Phy.PHIR) >= 0 ? this.phyRead(Phy.PHSTAT2) : -1;
        if (status >= 0) this.setLink((status & Bit.LSTAT) != 0, now);
      }
      if (eir & Bit.RXERIF) {
        count(Counter.EthRxOverflow); // the chip dropped a frame: the ring was full (DS39662E 7.2.5)
        this.clearBits(Reg.EIR, Bit.RXERIF);
        this.rxForceRelease = true;
        if (this.releaseReceiveSpace()) this.rxRecheckAt = NO_DEADLINE;
      }
      if ((eir & Bit.PKTIF) != 0 && !received) this.checkPacketCount();
      if (housekeeping && this.config.chipCheckUs > 0 && now >= this.chipCheckAt) {
        this.chipCheckAt = now + this.config.chipCheckUs;
        if (!this.chipIntact()) return;
      }
      const idle = now - this.lastActivityAt > this.config.idleAfterUs && !this.txSending;
      this.housekeepingAt = now + (idle ? this.config.idleHousekeepingUs : this.config.housekeepingUs);
    }
  }

  /** PKTIF set but the ring looks empty: EPKTCNT decides (errata 6 says it is the truth).
   *  Read before ERXWRPT, so a packet completing in between cannot look like a mismatch. */
  private checkPacketCount(): void {
    const packets = this.readReg(Reg.EPKTCNT);
    if (packets == 0) return;
    const avail = this.receiveAvailable();
    if (avail != 0) { this.serviceAgain = true; return; }
    count(Counter.EthRxDropMalformed); // EPKTCNT and the ring disagree: start the ring over
    this.resetReceiver();
  }

  private setLink(up: bool, now: i64): void {
    if (up == this.link) return;
    this.link = up;
    count(Counter.EthLinkChanges);
    const sink = this.sink;
    if (sink) sink.onLinkChange(up, now);
  }

  // ---- receive ----

  /** Bytes of complete packets from nextPacket on: 0 none, RX_AT_LEAST_ONE, or a lower bound.
   *  ERXWRPT advances only once a packet is completely written (DS39662E 3.2.1, 7.2.1), and
   *  can never be in nextPacket's page before nextPacket (ERXRDPT lies in an earlier page),
   *  so its high byte alone answers when it differs from nextPacket's. While short packets of
   *  one size keep coming (pings, ACKs: rxPredict below a page) the low byte is read first:
   *  the ring holds whole pages, so once it differs from nextPacket's, the difference modulo
   *  256 is a lower bound, in one read. */
  protected receiveAvailable(): i32 {
    const next = this.nextPacket;
    if (<u32>(this.rxPredict - 1) < <u32>(PAGE - HEADER_BYTES - 1)) {
      const d = (this.read(Reg.ERXWRPTL) - next) & 0xff;
      if (d != 0) return d;
      const high = this.read(Reg.ERXWRPTH);
      if (high == next >> 8) return 0; // (a packet completing after the first read is found by the next check)
      const w = high << 8;
      return w > this.rxEnd ? RX_AT_LEAST_ONE : this.ringDistance(next, w);
    }
    const high = this.read(Reg.ERXWRPTH);
    if (high != next >> 8) {
      const w = high << 8;
      return w > this.rxEnd ? RX_AT_LEAST_ONE : this.ringDistance(next, w);
    }
    const low = this.read(Reg.ERXWRPTL);
    if (low >= (next & 0xff)) return low - (next & 0xff);
    return RX_AT_LEAST_ONE; // the pointer moved between the two reads: a packet completed
  }

  private receive(available: i32, now: i64): void {
    let avail = available;
    const buf = this.rxBuf;
    const maxStored = this.config.maxFrame + FCS_BYTES + 1;
    let handled = 0;
    while (avail != 0) {
      if (handled == this.config.maxRxPerPoll) { this.serviceAgain = true; break; }
      handled++;
      if (!this.readPointerValid) {
        this.write16(Reg.ERDPTL, this.nextPacket);
        this.readPointerValid = true;
        this.rxHave = 0;
      }
      if (this.rxHave < HEADER_BYTES) {
        // Header and, in a stream of equal frames, the whole frame in the same burst.
        let want = HEADER_BYTES + this.rxPredict;
        if (this.rxPredict > 0 && avail > want) want += HEADER_BYTES;
        this.readBuffer(buf, want);
        this.rxHave = want;
      }
      const next = <i32>load<u16>(buf);
      const byteCount = <i32>load<u16>(buf + 2);
      const status = <i32>load<u8>(buf + 4);
      const stored = byteCount + (byteCount & 1); // the chip pads so packets start even
      const total = HEADER_BYTES + stored;
      if ((next & 1) != 0 || next > this.rxEnd || byteCount > BUFFER_SIZE || next != this.ringAdvance(this.nextPacket, total)) {
        // The next packet pointer disagrees with the length: the ring cannot be walked. A
        // chip reset behind our back looks like this too; then it is set up again instead.
        if (!this.chipIntact()) return;
        count(Counter.EthRxDropMalformed);
        this.resetReceiver();
        return;
      }
      if (avail < total) avail = total; // this one is complete, whatever the estimate said
      const more = avail > total; // ERXWRPT sits on packet boundaries: the next one is complete
      if (stored > maxStored) {
        count(Counter.EthRxDropMalformed);
        this.packetDone(next);
        this.readPointerValid = false; // skip it: the next read starts at `next`
        this.rxPredict = 0;
        avail -= total;
        continue;
      }
      if (this.rxHave < total) {
        const rest = total - this.rxHave + (more ? HEADER_BYTES : 0);
        this.readBuffer(buf + this.rxHave, rest);
        this.rxHave += rest;
      }
      const frameLen = byteCount - FCS_BYTES;
      if ((status & RSV_RECEIVED_OK) == 0) count(Counter.EthRxDropBadStatus);
      else if (frameLen < MIN_FRAME) count(Counter.EthRxDropMalformed);
      else {
        count(Counter.EthRxFrames);
        const sink = this.sink;
        if (sink) sink.onFrame(buf + HEADER_BYTES, frameLen, now);
      }
      this.packetDone(next);
      avail -= total;
      // Bytes read past this packet: keep them if they are the next (complete) packet's.
      const extra = this.rxHave - total;
      if (extra >= HEADER_BYTES && more) { memory.copy(buf, buf + total, extra); this.rxHave = extra; }
      else { this.rxHave = 0; if (extra > 0) this.readPointerValid = false; }
      // Speculate on the next length after two equal ones (bulk streams).
      this.rxPredict = stored == this.rxLastStored ? stored : 0;
      this.rxLastStored = stored;
    }
    if (avail != 0) this.rxForceRelease = true; // still packets waiting: give space back now
  }

  private packetDone(next: i32): void {
    this.set(Reg.ECON2, Bit.PKTDEC);
    this.nextPacket = next;
  }

  /** Moves ERXRDPT up to just before nextPacket when the chip's room for new packets (the
   *  ring minus what lies between ERXRDPT and nextPacket; nothing unread is left when this
   *  is not forced) would be below the reserve. Never later than that: the chip drops a
   *  packet that does not fit (DS39662E 7.2.5). */
  private releaseReceiveSpace(): bool {
    const target = this.receiveReadPointer(this.nextPacket);
    if (target == this.rxReadPointer) { this.rxForceRelease = false; return true; }
    const room = this.ringSize - this.ringDistance(this.rxReadPointer, this.nextPacket);
    if (room >= this.rxReserve && !this.rxForceRelease) return false;
    this.rxForceRelease = false;
    this.setReceiveReadPointer(target);
    return true;
  }

  /** Errata 14: ERXRDPT must be odd. The end of the last whole page before the next unread
   *  packet (ERXND when that is the ring's first page): odd, and its low byte is always FF. */
  protected receiveReadPointer(next: i32): i32 {
    const p = (next & ~(PAGE - 1)) - 1;
    return p < 0 ? this.rxEnd : p;
  }

  /** ERXRDPTL goes to a shadow register that writing ERXRDPTH applies (DS39662E 7.2.4), so
   *  with the low byte unchanged (FF) one write moves the pointer. */
  private setReceiveReadPointer(value: i32): void {
    if ((value & 0xff) != this.rxReadPointerLow) {
      this.write(Reg.ERXRDPTL, value & 0xff);
      this.rxReadPointerLow = value & 0xff;
    }
    this.write(Reg.ERXRDPTH, value >> 8);
    this.rxReadPointer = value;
  }

  // @ts-ignore: decorator
  @inline private ringAdvance(p: i32, n: i32): i32 {
    return (p + n) % this.ringSize;
  }

  // @ts-ignore: decorator
  @inline private ringDistance(from: i32, to: i32): i32 {
    const d = to - from;
    return d < 0 ? d + this.ringSize : d;
  }

  private resetReceiver(): void {
    this.rxResets++;
    this.clearBits(Reg.ECON1, Bit.RXEN);
    this.setBits(Reg.ECON1, Bit.RXRST);
    this.clearBits(Reg.ECON1, Bit.RXRST);
    this.write16(Reg.ERXSTL, 0);
    this.write16(Reg.ERXNDL, this.rxEnd);
    this.rxReadPointerLow = -1;
    this.setReceiveReadPointer(this.rxEnd);
    this.nextPacket = 0;
    this.rxHave = 0;
    this.readPointerValid = false;
    this.rxPredict = 0;
    this.rxLastStored = 0;
    this.rxForceRelease = false;
    this.rxRecheckAt = NO_DEADLINE;
    this.clearBits(Reg.EIR, Bit.RXERIF);
    this.setBits(Reg.ECON1, Bit.RXEN);
  }

  // ---- transmit ----

  /** Sends the oldest queued slot: ETXST/ETXND (only the bytes that changed), TXRTS.
   *  `spiBytes`: bytes clocked for it in this call so far (its burst). */
  private startTransmission(now: i64, spiBytes: i32): void {
    const slot = this.txHead;
    const len = load<i32>(this.txLen + 4 * slot);
    const start = this.txBase + slot * this.txSlotBytes;
    const end = start + len; // the last frame byte
    this.writeCached16(Reg.ETXSTL, start, this.txStartCache);
    this.txStartCache = start;
    this.writeCached16(Reg.ETXNDL, end, this.txEndCache);
    this.txEndCache = end;
    this.txLoadedSlot = slot;
    this.set(Reg.ECON1, Bit.TXRTS);
    this.txSending = true;
    this.txRetries = 0;
    this.txDeadline = now + this.config.txTimeoutUs;
    this.armTransmitCheck(now, len, spiBytes);
  }

  /** The frame just started ends after the SPI bytes clocked before TXRTS (the frame burst
   *  when it was written just now, and the pointer writes) and its wire time at 10 Mbit/s: preamble and SFD, frame padded to 60 plus FCS,
   *  and the inter-packet gap, 0.8 µs a byte. TXRTS is read then, not before. */
  // @ts-ignore: decorator
  @inline private armTransmitCheck(now: i64, len: i32, spiBytes: i32): void {
    const wireBytes = 8 + (len < 60 ? 64 : len + FCS_BYTES) + 12;
    const ns = <i64>(spiBytes + TX_START_SPI_BYTES) * <i64>this.spiNsPerByte + <i64>wireBytes * 800;
    this.txCheckAt = now + (ns + 999) / 1000 + this.config.txCheckSlackUs;
    this.txRecheck = this.config.txRecheckUs;
  }

  /** The frame on the wire is due. ECON1.TXRTS still set: deferred or backing off (half
   *  duplex), look again later. Clear: sent or aborted. An abort sets EIR.TXERIF, and TXERIE
   *  is the one transmit interrupt enabled, so INT is low then: EIR is read only in that case
   *  (gpio_read costs no SPI). Errata 12 asks for a transmit logic reset before the next
   *  TXRTS after an abort; the next frame starts only after this check. Called from
   *  transmit(), an abort is left to poll (it reads the TSV, moving ERDPT). */
  private checkTransmission(now: i64, fromTransmit: bool): void {
    const econ1 = this.read(Reg.ECON1);
    // RXEN stays set while we run: clear, the chip was reset behind our back (free to check).
    if ((econ1 & Bit.RXEN) == 0) { this.chipReset(); return; }
    if ((econ1 & Bit.TXRTS) != 0) {
      this.txCheckAt = now + this.txRecheck;
      const r = this.txRecheck << 1;
      this.txRecheck = r < this.config.txCheckMaxUs ? r : this.config.txCheckMaxUs;
      return;
    }
    if (gpio_read(this.intPin) != 1 && (this.read(Reg.EIR) & Bit.TXERIF) != 0) { // low, or unreadable
      if (fromTransmit) { this.txCheckAt = now; return; }
      this.transmitFailed(now);
      return;
    }
    this.transmitDone(now);
  }

  /** The frame on the wire is finished with (sent or given up): free its slot, start the next. */
  private transmitFinished(now: i64): void {
    this.txSending = false;
    this.txHead = this.txHead + 1 == this.txSlots ? 0 : this.txHead + 1;
    this.txCount--;
    if (this.txCount > 0) this.startTransmission(now, 0);
  }

  private transmitDone(now: i64): void {
    count(Counter.EthTxFrames);
    this.transmitFinished(now);
    // After the last queued frame, an answer often follows what we sent: look at the ring for
    // it once, so a PKTIF lost to errata 6 delays it by one re-check, not by a housekeeping
    // period (see replyCheckAt).
    this.activity(now);
    if (this.txCount == 0) this.replyCheckAt = now + this.config.rxRecheckUs;
  }

  /** EIR.TXERIF seen by the interrupt service. */
  private transmitError(now: i64): void {
    if (this.txSending) { this.transmitFailed(now); return; }
    // No frame on the wire (its end was taken from TXRTS just before the abort showed on
    // INT): errata 12, reset the transmit logic before the next TXRTS.
    this.resetTransmitter();
    count(Counter.EthTxErrors);
  }

  private transmitFailed(now: i64): void {
    // Errata 12: an abort may stall the transmit logic; reset it, then clear the flags
    // (clearing TXRST can raise TXERIF again).
    this.resetTransmitter();
    // The TSV follows the frame (DS39662E 7.1); reading it moves ERDPT off the ring.
    this.write16(Reg.ERDPTL, this.txEndCache + 1);
    this.readBuffer(this.tsv, TSV_BYTES);
    this.readPointerValid = false;
    const lateCollision = (load<u8>(this.tsv + 3) & TSV_LATE_COLLISION) != 0;
    // Errata 13: a false collision after MACLCON2 bytes is reported as late and not retried
    // by the MAC; the frame is still in its slot, so send it again.
    if (lateCollision && this.txRetries < this.config.maxTxRetries) {
      this.txRetries++;
      count(Counter.EthTxRetries);
      this.setBits(Reg.ECON1, Bit.TXRTS);
      this.txDeadline = now + this.config.txTimeoutUs;
      this.armTransmitCheck(now, load<i32>(this.txLen + 4 * this.txHead), 24); // after the reset and the TSV read
    } else {
      count(Counter.EthTxErrors);
      this.transmitFinished(now);
    }
  }

  private transmitTimedOut(now: i64): void {
    this.resetTransmitter();
    count(Counter.EthTxErrors);
    this.transmitFinished(now);
  }

  private resetTransmitter(): void {
    this.txResets++;
    this.setBits(Reg.ECON1, Bit.TXRST);
    this.clearBits(Reg.ECON1, Bit.TXRST);
    this.clearBits(Reg.EIR, Bit.TXERIF | Bit.TXIF);
  }

  // ---- SPI primitives ----

  // @ts-ignore: decorator
  @inline private spi(out: usize, outLen: i32, into: usize, inLen: i32): void {
    this.spiTransactions++;
    if (spi_transfer(this.spiDevice, out, outLen, into, inLen) < 0) this.spiErrors++;
  }

  /** Inlined check (the packet paths stay in bank 0); switching is the rare call. */
  // @ts-ignore: decorator
  @inline private selectBank(reg: i32): void {
    if ((reg & REG_COMMON) == 0 && ((reg >> 5) & 3) != this.bank) this.switchBank(reg);
  }

  private switchBank(reg: i32): void {
    const want = (reg >> 5) & 3;
    const clear = this.bank & ~want, set = want & ~this.bank;
    if (clear) this.command(Op.BFC, Reg.ECON1, clear);
    if (set) this.command(Op.BFS, Reg.ECON1, set);
    this.bank = want;
  }

  // Register access. The hot paths (bank 0 and common registers, constant addresses) use the
  // inlined forms; bring-up and the rare paths the called ones.

  // @ts-ignore: decorator
  @inline private command(op: u8, reg: i32, value: i32): void {
    store<u16>(CMD, <u16>(op | <u8>(reg & REG_ADDR_MASK)) | (<u16>(value & 0xff) << 8));
    this.spi(CMD, 2, 0, 0);
  }

  /** An ETH register (no dummy byte: not MAC/MII), inlined. */
  // @ts-ignore: decorator
  @inline private read(reg: i32): i32 {
    this.selectBank(reg);
    store<u8>(CMD, Op.RCR | <u8>(reg & REG_ADDR_MASK));
    this.spi(CMD, 1, CMD + 2, 1);
    return <i32>load<u8>(CMD + 2);
  }

  // @ts-ignore: decorator
  @inline private write(reg: i32, value: i32): void {
    this.selectBank(reg);
    this.command(Op.WCR, reg, value);
  }

  // @ts-ignore: decorator
  @inline private set(reg: i32, mask: i32): void { this.selectBank(reg); this.command(Op.BFS, reg, mask); }

  protected readReg(reg: i32): i32 {
    this.selectBank(reg);
    store<u8>(CMD, Op.RCR | <u8>(reg & REG_ADDR_MASK));
    const n = reg & REG_MAC_MII ? 2 : 1; // MAC/MII answer after a dummy byte
    this.spi(CMD, 1, CMD + 2, n);
    return <i32>load<u8>(CMD + 1 + n);
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
  // @ts-ignore: decorator
  @inline private writeCached16(regLow: i32, value: i32, known: i32): void {
    if (known != value) {
      if (known < 0 || (known & 0xff) != (value & 0xff)) this.write(regLow, value & 0xff);
      if (known < 0 || (known >> 8) != (value >> 8)) this.write(regLow + 1, value >> 8);
    }
  }

  private setBits(reg: i32, mask: i32): void { this.selectBank(reg); this.command(Op.BFS, reg, mask); }
  private clearBits(reg: i32, mask: i32): void { this.selectBank(reg); this.command(Op.BFC, reg, mask); }

  // @ts-ignore: decorator
  @inline private readBuffer(into: usize, len: i32): void {
    store<u8>(CMD, Op.RBM);
    this.spi(CMD, 1, into, len);
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
