// The ENC28J60 chip model on its own, driven with raw SPI commands: register semantics,
// buffer memory and the receive ring, transmission and status vectors, MII, INT, and the
// errata a driver has to survive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler, SimError } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Enc28j60Model, ethernetCrc, type Enc28j60Revision } from "../../sim/devices/enc28j60.ts";
import { REGISTERS, EIE, EIR, ECON1, ECON2, MACON1, MACON3, MISTAT, PHIE, PHIR, PHSTAT2 } from "../../sim/devices/enc28j60-registers.ts";

const MAC = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];

class Rig {
  readonly scheduler = new Scheduler();
  readonly wire: Uint8Array[] = [];
  readonly intLevels: number[] = [];
  readonly chip: Enc28j60Model;
  constructor(revision?: Enc28j60Revision) {
    this.chip = new Enc28j60Model({
      scheduler: this.scheduler, rng: new Rng(7), revision,
      onInterruptLine: (l) => this.intLevels.push(l), transmitToWire: (f) => this.wire.push(f),
    });
    this.chip.faults.pktifMissProbability = 0;
  }
  private def(name: string) { const d = REGISTERS.find((r) => r.name === name); assert.ok(d, name); return d!; }
  private bank(name: string) {
    const d = this.def(name);
    if (d.bank >= 0) { this.spi([0xa0 | 0x1f, 0x03]); this.spi([0x80 | 0x1f, d.bank]); }
    return d;
  }
  spi(tx: number[], rxLen = 0): Uint8Array { return this.chip.transfer(Uint8Array.from(tx), rxLen); }
  read(name: string): number { const d = this.bank(name); const r = this.spi([d.addr], d.kind === "eth" ? 1 : 2); return r[r.length - 1]; }
  write(name: string, v: number): void { const d = this.bank(name); this.spi([0x40 | d.addr, v]); }
  set(name: string, v: number): void { const d = this.bank(name); this.spi([0x80 | d.addr, v]); }
  clear(name: string, v: number): void { const d = this.bank(name); this.spi([0xa0 | d.addr, v]); }
  write16(base: string, v: number): void { this.write(`${base}L`, v & 0xff); this.write(`${base}H`, v >> 8); }
  read16(base: string): number { return this.read(`${base}L`) | (this.read(`${base}H`) << 8); }
  readBuffer(at: number, n: number): Uint8Array { this.write16("ERDPT", at); return this.spi([0x3a], n); }
  writeBuffer(at: number, data: ArrayLike<number>): void { this.write16("EWRPT", at); this.spi([0x7a, ...Array.from(data)]); }
  advance(us: number): void { this.scheduler.runUntil(this.scheduler.now + us); }
  /** Polls MISTAT.BUSY as a driver does; each poll costs SPI bus time. */
  waitMii(): number {
    for (let polls = 1; polls < 100; polls++) if (!(this.read("MISTAT") & MISTAT.BUSY)) return polls;
    throw new Error("MISTAT.BUSY stuck");
  }
  phyRead(addr: number): number {
    this.write("MIREGADR", addr); this.write("MICMD", 1);
    this.waitMii();
    this.write("MICMD", 0);
    return this.read("MIRDL") | (this.read("MIRDH") << 8);
  }
  phyWrite(addr: number, v: number): void { this.write("MIREGADR", addr); this.write("MIWRL", v & 0xff); this.write("MIWRH", v >> 8); this.waitMii(); }
  /** A minimal receiver setup: ring 0..end, our MAC, unicast+broadcast filter. */
  enableReceive(end = 0x0fff, readPointer = end): void {
    this.write16("ERXST", 0); this.write16("ERXND", end); this.write16("ERXRDPT", readPointer);
    MAC.forEach((b, i) => this.write(`MAADR${i + 1}`, b));
    this.write("MACON1", MACON1.MARXEN);
    this.write16("MAMXFL", 1522);
    this.chip.setLink(true);
    this.set("ECON1", ECON1.RXEN);
  }
}

function frame(length: number, seq: number, dst = MAC): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst); f.set([2, 9, 9, 9, 9, 9], 6); f[12] = 0x88; f[13] = 0xb5;
  for (let i = 14; i < length; i++) f[i] = (seq * 7 + i) & 0xff;
  return f;
}

test("reset values come from the register map; EREVID follows the revision", () => {
  const r = new Rig();
  assert.equal(r.read("EREVID"), 0x06);
  assert.equal(r.read("ERXFCON"), 0xa1);
  assert.equal(r.read("ECON2"), ECON2.AUTOINC);
  assert.equal(r.read16("ERXND"), 0x1fff);
  assert.equal(r.read("MACLCON2"), 0x37);
  assert.equal(new Rig("B4").read("EREVID"), 0x04);
});

test("MAC and MII registers answer after a dummy byte; a one-byte read is refused", () => {
  const r = new Rig();
  r.write("MACON3", 0x35);
  assert.deepEqual(Array.from(r.spi([0x02], 2)), [0, 0x35]);
  assert.throws(() => r.spi([0x02], 1), SimError);
});

test("misuse is a SimError: read-only writes, BFS on MAC registers, bad opcodes, wrong lengths", () => {
  const r = new Rig();
  assert.throws(() => r.write("EPKTCNT", 1), /read-only/);
  assert.throws(() => r.write("EREVID", 1), /read-only/);
  assert.throws(() => r.set("MACON1", 1), /ETH registers only/);
  assert.throws(() => r.spi([0xc0]), /invalid SPI opcode/);
  assert.throws(() => r.spi([0x3b], 4), /invalid SPI opcode/);
  assert.throws(() => r.spi([0x40 | 0x1f, 1, 2]), /WCR takes/);
  assert.throws(() => r.chip.setClockHz(25e6), /20 MHz/);
});

test("errata 2: any access within 1 ms of SRC fails loudly; after the wait registers are back at reset", () => {
  const r = new Rig();
  r.write("ERXFCON", 0x00);
  r.spi([0xff]);
  assert.throws(() => r.read("ESTAT"), /errata 2/);
  r.advance(1100); // 1 ms from the SRC, plus the bus time the test's accesses used before it
  assert.equal(r.read("ESTAT") & 1, 1);
  assert.equal(r.read("ERXFCON"), 0xa1);
});

test("errata 1: rev B4 refuses MAC access below 8 MHz, B7 does not", () => {
  const b4 = new Rig("B4");
  b4.chip.setClockHz(4e6);
  assert.equal(b4.read("EREVID"), 4); // ETH registers are fine
  assert.throws(() => b4.read("MACON1"), /errata 1/);
  const b7 = new Rig("B7");
  b7.chip.setClockHz(4e6);
  assert.equal(b7.read("MACON1"), 0);
});

test("buffer memory: auto-increment, ERDPT wraps ERXND->ERXST, EWRPT wraps only at 1FFFh", () => {
  const r = new Rig();
  r.write16("ERXST", 0); r.write16("ERXND", 0x00ff);
  r.writeBuffer(0x00fe, [1, 2, 3, 4]);
  assert.equal(r.read16("EWRPT"), 0x0102);
  assert.deepEqual(Array.from(r.readBuffer(0x00fe, 4)), [1, 2, 0, 0]); // 0x0000 and 0x0001 were never written
  r.writeBuffer(0x0000, [9, 8]);
  assert.deepEqual(Array.from(r.readBuffer(0x00fe, 4)), [1, 2, 9, 8]);
  assert.equal(r.read16("ERDPT"), 0x0002);
  r.writeBuffer(0x1fff, [5, 6]);
  assert.equal(r.read16("EWRPT"), 0x0001);
  assert.equal(r.chip.buffer[0], 6);
});

test("receive: header with an even next packet pointer, RSV byte count incl. FCS, CRC bytes, EPKTCNT/PKTDEC", () => {
  const r = new Rig();
  r.enableReceive();
  const f = frame(61, 1);
  r.chip.receiveFromWire(f);
  assert.equal(r.read("EPKTCNT"), 1);
  const hdr = r.readBuffer(0, 6);
  const next = hdr[0] | (hdr[1] << 8), count = hdr[2] | (hdr[3] << 8);
  assert.equal(count, 65);
  assert.equal(next, 6 + 66);
  assert.equal(hdr[4] & 0x80, 0x80); // received OK
  const body = r.spi([0x3a], count);
  assert.deepEqual(body.subarray(0, 61), f);
  const crc = body[61] | (body[62] << 8) | (body[63] << 16) | (body[64] << 24);
  assert.equal(crc >>> 0, ethernetCrc(f));
  assert.equal(r.read16("ERXWRPT"), next);
  r.set("ECON2", ECON2.PKTDEC);
  assert.equal(r.read("EPKTCNT"), 0);
  assert.equal(r.read("ECON2") & ECON2.PKTDEC, 0);
});

test("receive filter: other unicast dropped, broadcast accepted with its RSV bit", () => {
  const r = new Rig();
  r.enableReceive();
  r.chip.receiveFromWire(frame(60, 1, [2, 0, 0, 0, 0, 1]));
  assert.equal(r.read("EPKTCNT"), 0);
  r.chip.receiveFromWire(frame(60, 2, [255, 255, 255, 255, 255, 255]));
  assert.equal(r.read("EPKTCNT"), 1);
  assert.equal(r.readBuffer(0, 6)[5] & 0x02, 0x02);
  assert.equal(r.chip.stats.rxFiltered, 1);
});

test("ERXRDPT takes effect only when its high byte is written (low byte latched)", () => {
  const r = new Rig();
  r.write16("ERXRDPT", 0x0101);
  r.write("ERXRDPTL", 0x33);
  assert.equal(r.chip.ring().read, 0x0101);
  r.write("ERXRDPTH", 0x02);
  assert.equal(r.chip.ring().read, 0x0233);
});

test("errata 5: writing ERXST loads the write pointer with 0000h", () => {
  const r = new Rig();
  r.write16("ERXST", 0x0400);
  assert.equal(r.read16("ERXWRPT"), 0);
});

function fillRing(r: Rig, n: number): void {
  for (let i = 0; i < n; i++) r.chip.receiveFromWire(frame(300, i));
}

test("overflow with an odd ERXRDPT: RXERIF set, frames dropped, every stored header intact", () => {
  const r = new Rig();
  r.enableReceive(0x07ff); // 2 KiB ring, ERXRDPT = ERXND (odd)
  fillRing(r, 12);
  assert.ok(r.chip.stats.rxOverflow > 0);
  assert.equal(r.read("EIR") & EIR.RXERIF, EIR.RXERIF);
  let p = 0;
  for (let i = 0; i < r.chip.packetCount; i++) {
    const hdr = r.readBuffer(p, 6);
    const next = hdr[0] | (hdr[1] << 8);
    assert.equal(hdr[2] | (hdr[3] << 8), 304, `packet ${i} length`);
    assert.equal(r.spi([0x3a], 1)[0], MAC[0], `packet ${i} destination`);
    p = next;
  }
});

test("errata 14: an even ERXRDPT lets the chip overwrite an unread packet's header", () => {
  const r = new Rig();
  r.enableReceive(0x07ff, 0x0000); // even: pointing at the first packet's header
  fillRing(r, 12);
  const hdr = r.readBuffer(0, 6);
  const next = hdr[0] | (hdr[1] << 8), count = hdr[2] | (hdr[3] << 8);
  assert.ok(next !== 6 + 304 || count !== 304, "the first packet's header should have been overwritten");
});

test("transmit: wire time, frame without FCS (padded to 60), TSV after ETXND, TXIF, INT", () => {
  const r = new Rig();
  r.chip.setLink(true);
  r.write("MACON3", MACON3.TXCRCEN | 0x20);
  r.write("EIE", EIE.INTIE | EIE.TXIE);
  const f = frame(42, 3);
  r.writeBuffer(0x1a00, [0, ...f]);
  r.write16("ETXST", 0x1a00); r.write16("ETXND", 0x1a00 + f.length);
  r.set("ECON1", ECON1.TXRTS);
  assert.throws(() => r.set("ECON1", ECON1.TXRTS), /in progress/);
  r.advance(10);
  assert.equal(r.wire.length, 0);
  r.advance(100); // (8 + 64 + 12) bytes at 10 Mb/s = 67.2 µs
  assert.equal(r.wire.length, 1);
  assert.equal(r.wire[0].length, 60);
  assert.deepEqual(r.wire[0].subarray(0, 42), f);
  assert.equal(r.read("ECON1") & ECON1.TXRTS, 0);
  assert.equal(r.read("EIR") & EIR.TXIF, EIR.TXIF);
  const tsv = r.readBuffer(0x1a00 + f.length + 1, 7);
  assert.equal(tsv[0] | (tsv[1] << 8), 42);
  assert.equal(tsv[2] & 0x80, 0x80); // done
  assert.deepEqual(r.intLevels, [0]);
  r.clear("EIR", EIR.TXIF);
  r.advance(0);
  assert.deepEqual(r.intLevels, [0, 1]);
});

test("errata 12/13: an injected late collision aborts, sets TXERIF, and stalls TX until TXRST", () => {
  const r = new Rig();
  r.chip.setLink(true);
  r.write("MACON3", MACON3.TXCRCEN | 0x20);
  const f = frame(100, 4);
  r.writeBuffer(0x1a00, [0, ...f]);
  r.write16("ETXST", 0x1a00); r.write16("ETXND", 0x1a00 + f.length);
  r.chip.faults.lateCollisions = 1;
  r.set("ECON1", ECON1.TXRTS);
  r.advance(1000);
  assert.equal(r.wire.length, 0);
  assert.equal(r.read("EIR") & EIR.TXERIF, EIR.TXERIF);
  assert.equal(r.readBuffer(0x1a00 + f.length + 1, 7)[3] & 0x20, 0x20);
  r.set("ECON1", ECON1.TXRTS); // without a reset the logic is stuck
  r.advance(1000);
  assert.equal(r.wire.length, 0);
  assert.equal(r.read("ECON1") & ECON1.TXRTS, ECON1.TXRTS);
  r.set("ECON1", ECON1.TXRST); r.clear("ECON1", ECON1.TXRST);
  assert.equal(r.read("EIR") & EIR.TXERIF, EIR.TXERIF, "clearing TXRST re-raises TXERIF (errata 12)");
  r.clear("EIR", EIR.TXERIF | EIR.TXIF);
  r.set("ECON1", ECON1.TXRTS);
  r.advance(1000);
  assert.equal(r.wire.length, 1);
});

test("duplex must agree between MACON3.FULDPX and PHCON1.PDPXMD", () => {
  const r = new Rig();
  r.write("MACON3", MACON3.FULDPX);
  assert.throws(() => r.set("ECON1", ECON1.RXEN), /must agree/);
});

test("MII: BUSY for 10.24 µs, MIRD refused while busy, PHY link interrupt through EIR.LINKIF and PHIR", () => {
  const r = new Rig();
  r.write("MIREGADR", 0x02); r.write("MICMD", 1);
  assert.equal(r.read("MISTAT") & MISTAT.BUSY, MISTAT.BUSY);
  assert.throws(() => r.read("MIRDL"), /BUSY/);
  assert.ok(r.waitMii() > 1);
  r.write("MICMD", 0);
  assert.equal(r.read("MIRDL") | (r.read("MIRDH") << 8), 0x0083); // PHID1
  r.phyWrite(0x12, PHIE.PGEIE | PHIE.PLNKIE);
  r.write("EIE", EIE.INTIE | EIE.LINKIE);
  r.chip.setLink(true);
  r.advance(0);
  assert.deepEqual(r.intLevels, [0]);
  assert.equal(r.read("EIR") & EIR.LINKIF, EIR.LINKIF);
  assert.equal(r.phyRead(0x11) & PHSTAT2.LSTAT, PHSTAT2.LSTAT);
  assert.equal(r.phyRead(0x13) & PHIR.PGIF, PHIR.PGIF);
  assert.equal(r.read("EIR") & EIR.LINKIF, 0);
  r.advance(0);
  assert.deepEqual(r.intLevels, [0, 1]);
});

test("errata 6: with the fault on, some packets never set PKTIF though EPKTCNT counts them", () => {
  const r = new Rig();
  r.chip.faults.pktifMissProbability = 1;
  r.enableReceive();
  r.chip.receiveFromWire(frame(60, 1));
  assert.equal(r.read("EPKTCNT"), 1);
  assert.equal(r.read("EIR") & EIR.PKTIF, 0);
});
