// The ENC28J60 driver (AssemblyScript, in a harness module) against the chip model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../sim/core/rng.ts";
import { Bench, Variant, OUR_MAC, testFrame } from "./enc28j60-host.ts";

const C = { EthRxFrames: 0, EthTxFrames: 1, EthRxDropMalformed: 3, EthRxDropBadStatus: 4, EthRxOverflow: 5, EthTxErrors: 6, EthTxRetries: 7, EthLinkChanges: 8 };
const BROADCAST = new Uint8Array(6).fill(0xff);

/** Marks the heap top; the returned check fails if anything was allocated since. A probe
 *  itself allocates a few bytes (MemStat.HeapTop), measured here by probing twice. */
function heapMark(b: Bench): () => void {
  const h0 = b.ex.heap_top(), h1 = b.ex.heap_top();
  return () => assert.equal(b.ex.heap_top(), h1 + (h1 - h0), "nothing allocated after init");
}

test("init: soft reset with the errata 2 wait, revision read, MAC/PHY set up, link reported", () => {
  const b = new Bench();
  b.model.setLink(true);
  b.pollNow();
  b.run(1500); // the driver waits 2 ms after SRC; any earlier access would throw in the model
  assert.equal(b.ex.state(), 1, "still waiting for the reset");
  b.run(1000);
  assert.equal(b.ex.state(), 2);
  assert.equal(b.ex.revision(), 6);
  assert.equal(b.ex.link_up(), 1);
  assert.equal(b.ex.link_events(), 1);
  assert.deepEqual(["MAADR1", "MAADR2", "MAADR3", "MAADR4", "MAADR5", "MAADR6"].map((n) => b.model.readRegister(n)), Array.from(OUR_MAC));
  const ring = b.model.ring();
  assert.equal(ring.start, 0);
  assert.equal(ring.end, 0x19ff);
  assert.equal(ring.read & 1, 1, "ERXRDPT odd (errata 14)");
  assert.equal(b.model.readRegister("ETXSTL") | (b.model.readRegister("ETXSTH") << 8), 0x1a00);
  assert.equal(b.model.readRegister("MACON3") & 1, 0, "half duplex");
  assert.equal(b.model.readPhy("PHCON1") & 0x0100, 0);
  assert.equal(b.model.readPhy("PHIE"), 0x0012);
  assert.equal(new Bench({ revision: "B4" }).start().ex.revision(), 4);
});

test("full duplex is configured consistently in MACON3 and PHCON1", () => {
  const b = new Bench({ fullDuplex: true }).start();
  assert.equal(b.model.readRegister("MACON3") & 1, 1);
  assert.equal(b.model.readPhy("PHCON1") & 0x0100, 0x0100);
  b.model.receiveFromWire(testFrame(1, 100));
  b.run(1000);
  assert.equal(b.takeFrames().length, 1);
});

test("receive: 300 frames of mixed sizes, byte-identical and in order, across many ring wrap-arounds", (t) => {
  const b = new Bench().start();
  const rng = new Rng(42);
  const heapUnchanged = heapMark(b);
  let wraps = 0, lastWrite = b.model.ring().write;
  const got: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 300; i++) {
    const f = testFrame(i, 60 + rng.int(1455), i % 7 === 0 ? BROADCAST : OUR_MAC);
    sent.push(f);
    b.model.receiveFromWire(f);
    const w = b.model.ring().write;
    if (w < lastWrite) wraps++;
    lastWrite = w;
    b.run(1300);
    got.push(...b.takeFrames());
  }
  assert.equal(got.length, 300);
  for (let i = 0; i < 300; i++) assert.deepEqual(got[i], sent[i], `frame ${i}`);
  assert.ok(wraps >= 20, `ring wrapped ${wraps} times`);
  assert.equal(b.counter(C.EthRxFrames), 300);
  assert.equal(b.ex.rx_resets(), 0);
  heapUnchanged();
  assert.equal(b.model.stats.pktdecAtZero, 0);
  t.diagnostic(`${wraps} ring wraps`);
});

/** SPI transactions the driver spends receiving `n` full-size frames that arrive together. */
function burstCost(b: Bench, n: number): number {
  const before = b.ex.spi_transactions();
  for (let i = 0; i < n; i++) b.model.receiveFromWire(testFrame(i, 1514));
  b.run(10_000); // SPI bus time is modelled: a 1514-byte read at 16 MHz takes ~0.76 ms
  assert.equal(b.takeFrames().length, n);
  return b.ex.spi_transactions() - before;
}

test("SPI cost per 1514-byte frame (reported), and frames other than ours are filtered by the chip", (t) => {
  const b = new Bench().start();
  b.run(50_000);
  const lone = burstCost(b, 1);
  const marginal = (burstCost(b, 4) - burstCost(b, 1)) / 3; // 4 full frames fill the 6.5 KiB ring
  let before = b.ex.spi_transactions();
  assert.ok(b.transmit(testFrame(9, 1514)));
  const txFirst = b.ex.spi_transactions() - before;
  b.run(10_000);
  const txWithCompletion = b.ex.spi_transactions() - before;
  assert.equal(b.wire.length, 1);
  before = b.ex.spi_transactions();
  assert.ok(b.transmit(testFrame(10, 1514)));
  const txRepeat = b.ex.spi_transactions() - before;
  b.run(10_000);
  assert.equal(b.wire.length, 2);
  t.diagnostic(`RX 1514 B: ${lone} SPI transactions for a lone frame incl. interrupt service; ${marginal} per additional frame of a burst`);
  t.diagnostic(`TX 1514 B: ${txFirst} in transmit() (new length), ${txRepeat} (same length again), ${txWithCompletion} incl. the completion interrupt`);
  assert.ok(marginal <= 2, `RX: one RBM (frame + next header) and one PKTDEC per frame, got ${marginal}`);
  assert.ok(lone <= 12, `lone RX frame cost ${lone}`);
  assert.ok(txRepeat <= 5, `TX: EWRPT (2), WBM, TXRTS, plus a bank switch; got ${txRepeat}`);
  b.model.receiveFromWire(testFrame(2, 100, Uint8Array.from([2, 0, 0, 0, 0, 9])));
  b.run(1000);
  assert.equal(b.takeFrames().length, 0);
  assert.equal(b.model.stats.rxFiltered, 1);
});

test("transmit: frames reach the wire padded, TXIF completes them, TSV written, busy while in flight", () => {
  const b = new Bench().start();
  for (let i = 0; i < 20; i++) {
    const f = testFrame(i, i === 0 ? 42 : 100 + 60 * i);
    assert.ok(b.transmit(f));
    assert.equal(b.transmit(f), false, "one frame in flight at a time");
    b.run(3000);
    const onWire = b.wire[b.wire.length - 1];
    assert.deepEqual(onWire.subarray(0, f.length), f);
    if (f.length < 60) assert.equal(onWire.length, 60);
    const txEnd = 0x1a00 + f.length;
    const tsv = b.model.buffer.subarray(txEnd + 1, txEnd + 8);
    assert.equal(tsv[0] | (tsv[1] << 8), f.length);
    assert.equal(tsv[2] & 0x80, 0x80, "TSV done");
  }
  assert.equal(b.wire.length, 20);
  assert.equal(b.counter(C.EthTxFrames), 20);
  assert.equal(b.counter(C.EthTxErrors), 0);
});

test("link down/up: PHY interrupts reach the sink, transmit refused while down", () => {
  const b = new Bench().start();
  b.model.setLink(false);
  b.run(1000);
  assert.equal(b.ex.link_up(), 0);
  assert.equal(b.ex.last_link(), 0);
  assert.equal(b.transmit(testFrame(1, 100)), false);
  b.model.setLink(true);
  b.run(1000);
  assert.equal(b.ex.link_up(), 1);
  assert.equal(b.ex.link_events(), 3);
  assert.equal(b.counter(C.EthLinkChanges), 3);
  assert.ok(b.transmit(testFrame(1, 100)));
});

/** A burst bigger than the ring arrives at once; then normal traffic. */
function overflowScenario(variant: Variant) {
  const b = new Bench({ variant }).start();
  const sent: Uint8Array[] = [];
  // First get the read pointer somewhere inside the ring.
  for (let i = 0; i < 3; i++) { const f = testFrame(i, 700); b.model.receiveFromWire(f); sent.push(f); b.run(2000); }
  const stored: Uint8Array[] = [...sent];
  for (let i = 3; i < 40; i++) {
    const f = testFrame(i, 1000);
    const before = b.model.stats.rxStored;
    b.model.receiveFromWire(f);
    if (b.model.stats.rxStored > before) stored.push(f);
  }
  b.run(20_000);
  for (let i = 40; i < 60; i++) { const f = testFrame(i, 500); b.model.receiveFromWire(f); stored.push(f); b.run(2000); }
  return { b, stored, got: b.takeFrames() };
}

test("RX overflow burst: the chip drops what does not fit, RXERIF counted, ring intact", () => {
  const { b, stored, got } = overflowScenario(Variant.Correct);
  assert.ok(b.model.stats.rxOverflow > 20);
  assert.ok(b.counter(C.EthRxOverflow) >= 1);
  assert.equal(got.length, stored.length);
  got.forEach((f, i) => assert.deepEqual(f, stored[i], `frame ${i}`));
  assert.equal(b.ex.rx_resets(), 0);
});

test("a driver that writes an even ERXRDPT (ignoring errata 14) fails the same burst", () => {
  const { b, stored, got } = overflowScenario(Variant.EvenReadPointer);
  const intact = got.length === stored.length && got.every((f, i) => f.length === stored[i].length && f.every((x, k) => x === stored[i][k]));
  assert.equal(intact, false, "the model must corrupt the ring for this driver");
  assert.ok(b.ex.rx_resets() > 0 || b.counter(C.EthRxDropMalformed) > 0 || got.length !== stored.length);
});

/** Frames 25 ms apart (longer than the 20 ms housekeeping); how many were not delivered within their slot. */
function lateDeliveries(variant: Variant): number {
  const b = new Bench({ variant, pktifMissProbability: 0.25, seed: 3 }).start();
  let late = 0, delivered = 0;
  for (let i = 0; i < 40; i++) {
    b.model.receiveFromWire(testFrame(i, 200));
    b.run(25_000);
    delivered += b.takeFrames().length;
    if (delivered < i + 1) late++;
  }
  return late;
}

test("errata 6: a driver trusting EIR.PKTIF strands frames; ours checks EPKTCNT", () => {
  assert.equal(lateDeliveries(Variant.Correct), 0);
  assert.ok(lateDeliveries(Variant.TrustsPktif) > 0);
});

test("late collision (errata 12/13): TX logic reset, frame retransmitted, bounded", () => {
  const b = new Bench().start();
  b.model.faults.lateCollisions = 2;
  assert.ok(b.transmit(testFrame(1, 300)));
  b.run(10_000);
  assert.equal(b.wire.length, 1);
  assert.equal(b.counter(C.EthTxRetries), 2);
  assert.equal(b.counter(C.EthTxErrors), 0);
  assert.equal(b.counter(C.EthTxFrames), 1);
  b.model.faults.lateCollisions = 10;
  assert.ok(b.transmit(testFrame(2, 300)));
  b.run(10_000);
  assert.equal(b.wire.length, 1);
  assert.equal(b.counter(C.EthTxRetries), 5, "3 more retries, then give up");
  assert.equal(b.counter(C.EthTxErrors), 1);
  b.model.faults.lateCollisions = 0;
  assert.ok(b.transmit(testFrame(3, 300)), "not stalled (errata 12)");
  b.run(10_000);
  assert.equal(b.wire.length, 2);
});

test("fuzz: 50k random/mutated frames with RSV corruption: no trap, no allocation, ring never stuck", (t) => {
  const b = new Bench({ seed: 9, housekeepingUs: 5_000 }).start();
  const rng = new Rng(2024);
  b.model.faults.rsvCorruptionProbability = 0.01;
  const heapUnchanged = heapMark(b);
  const dsts = [OUR_MAC, BROADCAST, Uint8Array.from([1, 0, 0x5e, 0, 0, 1]), Uint8Array.from([2, 0, 0, 0, 0, 9])];
  for (let i = 0; i < 50_000; i++) {
    const len = rng.chance(0.05) ? rng.int(1700) : 14 + rng.int(1501);
    const f = rng.bytes(len);
    if (len >= 6 && !rng.chance(0.05)) f.set(dsts[rng.int(dsts.length)]);
    b.model.receiveFromWire(f, { crcError: rng.chance(0.01) });
    if (rng.chance(0.002)) b.model.setLink(!b.model.linkUp);
    if (i % 8 === 0) b.takeFrames();
    b.run(rng.int(1500));
  }
  b.model.setLink(true);
  b.model.faults.rsvCorruptionProbability = 0;
  b.run(50_000);
  b.takeFrames();
  const clean: Uint8Array[] = [];
  for (let i = 0; i < 20; i++) { const f = testFrame(i, 64 + 70 * i); clean.push(f); b.model.receiveFromWire(f); b.run(2000); }
  const got = b.takeFrames();
  assert.deepEqual(got, clean);
  heapUnchanged();
  assert.ok(b.model.stats.rxCorruptedHeaders > 100);
  assert.ok(b.ex.rx_resets() > 0);
  t.diagnostic(`stored ${b.model.stats.rxStored}, delivered ${b.counter(C.EthRxFrames)}, corrupted headers ${b.model.stats.rxCorruptedHeaders}, ` +
    `rx resets ${b.ex.rx_resets()}, malformed ${b.counter(C.EthRxDropMalformed)}, bad status ${b.counter(C.EthRxDropBadStatus)}, overflow events ${b.counter(C.EthRxOverflow)}`);
});
