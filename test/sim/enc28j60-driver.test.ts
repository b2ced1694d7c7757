// The ENC28J60 driver (AssemblyScript, in a harness module) against the chip model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../sim/core/rng.ts";
import { Bench, Variant, OUR_MAC, testFrame, wireTimeUs } from "./enc28j60-host.ts";

const C = { EthRxFrames: 0, EthTxFrames: 1, EthRxDropMalformed: 3, EthRxDropBadStatus: 4, EthRxOverflow: 5, EthTxErrors: 6, EthTxRetries: 7, EthLinkChanges: 8, EthChipResets: 9 };
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
  assert.equal(ring.end, 0x13ff, "default split: 5 KiB receive ring");
  assert.equal(ring.read & 1, 1, "ERXRDPT odd (errata 14)");
  assert.equal(b.ex.tx_slots(), 2, "two 1536-byte transmit slots above it");
  assert.equal(b.model.readRegister("ECON1") & 3, 0, "bank 0 selected for the packet paths");
  assert.equal(b.model.readRegister("EIE") & 0x80, 0x80, "INTIE on");
  assert.equal(b.irqEdge, 4, "INT armed level-triggered (GpioEdge.LowLevel)");
  assert.equal(new Bench({ rxEnd: 0x19ff }).start().ex.tx_slots(), 1, "only one slot fits above 0x19FF");
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
  b.run(20_000); // SPI bus time is modelled: a 1514-byte read at 16 MHz takes ~0.76 ms
  assert.equal(b.takeFrames().length, n);
  return b.ex.spi_transactions() - before;
}

test("SPI cost per 1514-byte frame (reported), and frames other than ours are filtered by the chip", (t) => {
  const b = new Bench().start();
  b.run(50_000);
  const lone = burstCost(b, 1);
  const marginal = (burstCost(b, 3) - burstCost(b, 1)) / 2; // 3 full frames fill most of the 5 KiB ring
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
  t.diagnostic(`RX 1514 B: ${lone} SPI transactions for a lone frame incl. interrupt service and the idle re-checks after it; ${marginal} per additional frame of a burst`);
  t.diagnostic(`TX 1514 B: ${txFirst} in transmit() (new length), ${txRepeat} (other slot), ${txWithCompletion} incl. the completion check (ECON1.TXRTS) and the re-checks after it`);
  assert.ok(marginal <= 3, `RX: one RBM (frame + next header) and one PKTDEC per frame, plus ERXRDPTH, got ${marginal}`);
  assert.ok(lone <= 14, `lone RX frame cost ${lone}`);
  assert.ok(txRepeat <= 6, `TX: EWRPT, WBM, ETXST/ETXND high bytes, TXRTS; got ${txRepeat}`);
  b.model.receiveFromWire(testFrame(2, 100, Uint8Array.from([2, 0, 0, 0, 0, 9])));
  b.run(1000);
  assert.equal(b.takeFrames().length, 0);
  assert.equal(b.model.stats.rxFiltered, 1);
});

test("receive stream: 400 back-to-back frames at 10 Mbit/s (1514 B, then mixed sizes) all delivered in order, ring intact", () => {
  for (const pktifMissProbability of [0, 0.25]) {
    const b = new Bench({ spiHz: 20e6, pktifMissProbability, seed: 5 }).start();
    b.run(50_000);
    const rng = new Rng(11);
    const heapUnchanged = heapMark(b);
    const sent = b.receiveStream(400, (i) => testFrame(i, i < 200 ? 1514 : 60 + rng.int(1455), i % 11 === 0 ? BROADCAST : OUR_MAC));
    const got: Uint8Array[] = [];
    for (let k = 0; k < 60; k++) { b.run(10_000); got.push(...b.takeFrames()); }
    assert.equal(got.length, sent.length, `all delivered (PKTIF miss ${pktifMissProbability})`);
    got.forEach((f, i) => assert.deepEqual(f, sent[i], `frame ${i}`));
    assert.equal(b.model.stats.rxOverflow, 0, "the ring never ran full");
    assert.equal(b.ex.rx_resets(), 0);
    assert.equal(b.model.stats.pktdecAtZero, 0);
    assert.equal(b.model.packetCount, 0);
    const ring = b.model.ring();
    assert.equal(ring.read & 1, 1, "ERXRDPT odd (errata 14)");
    heapUnchanged();
  }
});

test("transmit stream: a sender keeping the queue full gets 300 frames onto the wire back to back, in order", () => {
  const b = new Bench({ spiHz: 20e6 }).start();
  b.run(50_000);
  const heapUnchanged = heapMark(b);
  const rng = new Rng(3);
  const dst = Uint8Array.from([2, 0, 0, 0, 0, 9]);
  const t0 = b.now;
  const { frames, refused } = b.transmitStream(300, (i) => testFrame(i, i < 150 ? 1514 : 60 + rng.int(1455), dst));
  b.run(600_000);
  assert.equal(frames.length, 300);
  assert.equal(b.wire.length, 300);
  b.wire.forEach((f, i) => assert.deepEqual(f.subarray(0, frames[i].length), frames[i], `frame ${i}`));
  assert.equal(b.counter(C.EthTxFrames), 300);
  assert.equal(b.counter(C.EthTxErrors), 0);
  assert.ok(refused() > 0 && b.ex.tx_refused_busy() === refused(), "refusals only when every slot was busy, counted");
  // Back to back: the first 150 frames take their wire time plus little more (a single
  // slot would leave the wire idle while each frame is copied over SPI).
  let wireUs = 0;
  for (let i = 0; i < 150; i++) wireUs += wireTimeUs(frames[i].length);
  const done150 = b.txDoneAt[149] - t0;
  assert.ok(done150 < wireUs * 1.05, `150 frames took ${done150} µs on a ${wireUs} µs wire`);
  heapUnchanged();
});

test("transmit: frames reach the wire padded, completions seen (ECON1.TXRTS), TSV written, queued while one is in flight", () => {
  const b = new Bench().start();
  const slot = (i: number) => 0x1400 + 0x600 * (i % 2);
  for (let i = 0; i < 20; i++) {
    const f = testFrame(i, i === 0 ? 42 : 100 + 60 * i);
    const g = testFrame(100 + i, 200);
    assert.ok(b.transmit(f));
    assert.ok(b.transmit(g), "a second frame is queued in the other slot");
    assert.equal(b.transmit(f), false, "every slot busy");
    b.run(5000);
    const onWire = b.wire[b.wire.length - 2];
    assert.deepEqual(onWire.subarray(0, f.length), f);
    if (f.length < 60) assert.equal(onWire.length, 60);
    assert.deepEqual(b.wire[b.wire.length - 1], g);
    // f goes where ETXST points with nothing queued (the slot g just left), g to the other one.
    const txEnd = slot(i) + f.length;
    const tsv = b.model.buffer.subarray(txEnd + 1, txEnd + 8);
    assert.equal(tsv[0] | (tsv[1] << 8), f.length);
    assert.equal(tsv[2] & 0x80, 0x80, "TSV done");
  }
  assert.equal(b.wire.length, 40);
  assert.equal(b.counter(C.EthTxFrames), 40);
  assert.equal(b.counter(C.EthTxErrors), 0);
  assert.equal(b.ex.tx_refused_busy(), 20);
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

test("errata 6: a driver trusting EIR.PKTIF strands frames; ours checks the ring (ERXWRPT)", () => {
  assert.equal(lateDeliveries(Variant.Correct), 0);
  assert.ok(lateDeliveries(Variant.TrustsPktif) > 0);
});

/** Counts the driver's reads of ERXWRPTL/H (RCR 0x0E/0x0F, bank 0), its ring checks, up to
 *  a time (default: all). */
function countRingReads(b: Bench): (until?: number) => number {
  const at: number[] = [];
  const transfer = b.model.transfer.bind(b.model);
  b.model.transfer = (tx: Uint8Array, rxLen: number) => {
    if (tx[0] === 0x0e || tx[0] === 0x0f) at.push(b.now);
    return transfer(tx, rxLen);
  };
  return (until = Infinity) => at.filter((t) => t <= until).length;
}

test("errata 6 after a transmit: an answer whose PKTIF is lost is found by the one ring check after the frame, not by housekeeping", () => {
  const b = new Bench({ pktifMissProbability: 1, housekeepingUs: 20_000 }).start();
  b.run(50_000);
  const ringReads = countRingReads(b);
  for (let i = 0; i < 10; i++) {
    const sentAt = b.now;
    assert.ok(b.transmit(testFrame(i, 300, Uint8Array.from([2, 0, 0, 0, 0, 9]))));
    b.scheduler.after(400, () => b.model.receiveFromWire(testFrame(100 + i, 300)), "answer");
    let deliveredAfter = -1;
    for (let step = 0; step < 200 && deliveredAfter < 0; step++) {
      b.run(100);
      if (b.takeFrames().length) deliveredAfter = b.now - sentAt;
    }
    assert.ok(deliveredAfter > 0 && deliveredAfter < 3000, `answer ${i} delivered after ${deliveredAfter} µs`);
    b.run(30_000 - (b.now - sentAt));
  }
  assert.equal(b.model.stats.pktifMissed >= 10, true, "every answer lost its PKTIF");
  // Per 30 ms round: the check after the frame, its window re-checks, ~1.5 housekeeping
  // passes; 2 reads each at most.
  assert.ok(ringReads() <= 10 * 2 * 6, `ring reads ${ringReads()}`);
});

test("a transmit stream through one slot pays no ring re-checks between its frames", () => {
  const b = new Bench({ spiHz: 20e6, txSlots: 1, housekeepingUs: 20_000 }).start();
  b.run(50_000);
  const ringReads = countRingReads(b);
  const t0 = b.now;
  b.transmitStream(100, (i) => testFrame(i, 1514, Uint8Array.from([2, 0, 0, 0, 0, 9])));
  b.run(300_000);
  assert.equal(b.wire.length, 100);
  const end = b.txDoneAt[99], housekeepingPasses = Math.ceil((end - t0) / 20_000);
  assert.ok(ringReads(end) <= 2 * housekeepingPasses, `${ringReads(end)} ring reads over ${housekeepingPasses} housekeeping passes`);
});

test("a supply dip resets the chip behind the driver's back: noticed within a second (EIE read back), set up again, frames flow", () => {
  const b = new Bench({ spiHz: 20e6 }).start();
  const peer = Uint8Array.from([2, 0, 0, 0, 0, 9]);
  for (let i = 0; i < 20; i++) { b.model.receiveFromWire(testFrame(i, 300)); assert.ok(b.transmit(testFrame(i, 300, peer))); b.run(100_000); }
  assert.equal(b.takeFrames().length, 20);
  assert.equal(b.counter(C.EthChipResets), 0, "no false alarm over 2 s of traffic");
  const linkChanges = b.counter(C.EthLinkChanges);
  b.model.powerGlitch();
  assert.equal(b.model.readRegister("ECON1") & 0x04, 0, "the glitch left the receiver off");
  b.run(1_100_000);
  assert.equal(b.counter(C.EthChipResets), 1);
  assert.equal(b.counter(C.EthLinkChanges), linkChanges + 2, "link down for the stack, then up again");
  assert.equal(b.model.readRegister("ECON1") & 0x04, 0x04, "receiver enabled again");
  assert.equal(b.model.readRegister("ERXNDH"), 0x13, "the buffer split set up again");
  const sentBefore = b.wire.length;
  for (let i = 0; i < 10; i++) { b.model.receiveFromWire(testFrame(100 + i, 300)); assert.ok(b.transmit(testFrame(100 + i, 300, peer))); b.run(10_000); }
  assert.equal(b.takeFrames().length, 10, "receiving again");
  assert.equal(b.wire.length - sentBefore, 10, "sending again");
});

test("a supply dip in the middle of traffic: the run carries on, no false malformed drop, noticed once, the chip set up again", () => {
  const b = new Bench({ spiHz: 20e6 }).start();
  const peer = Uint8Array.from([2, 0, 0, 0, 0, 9]);
  b.run(50_000);
  for (let i = 0; i < 5; i++) { b.model.receiveFromWire(testFrame(i, 300)); assert.ok(b.transmit(testFrame(i, 1514, peer))); b.run(3_000); }
  b.takeFrames();
  const malformed = b.counter(C.EthRxDropMalformed);
  // Frames keep coming both ways right after the dip, before the once-a-second check.
  assert.ok(b.transmit(testFrame(50, 1514, peer)) && b.transmit(testFrame(51, 1514, peer)));
  b.run(500);
  b.model.powerGlitch();
  for (let i = 0; i < 20; i++) { b.model.receiveFromWire(testFrame(60 + i, 300)); b.transmit(testFrame(60 + i, 300, peer)); b.run(5_000); }
  b.run(1_100_000);
  assert.equal(b.counter(C.EthChipResets), 1, "noticed once");
  assert.equal(b.counter(C.EthRxDropMalformed), malformed, "the reset chip's ring is not taken for a corrupt one");
  b.takeFrames();
  const sentBefore = b.wire.length;
  for (let i = 0; i < 10; i++) { b.model.receiveFromWire(testFrame(100 + i, 300)); assert.ok(b.transmit(testFrame(100 + i, 300, peer))); b.run(10_000); }
  assert.equal(b.takeFrames().length, 10, "receiving again");
  assert.equal(b.wire.length - sentBefore, 10, "sending again");
});

test("errata 6 on an idle board: an answer arriving after the one reply check is found within a housekeeping period, not the idle second", () => {
  const b = new Bench({ pktifMissProbability: 1, housekeepingUs: 20_000 }).start();
  b.run(3_000_000); // idle: housekeeping has slowed to once a second
  const sentAt = b.now;
  assert.ok(b.transmit(testFrame(1, 300, Uint8Array.from([2, 0, 0, 0, 0, 9]))));
  b.scheduler.after(3_000, () => b.model.receiveFromWire(testFrame(2, 300)), "late answer");
  let deliveredAfter = -1;
  for (let step = 0; step < 400 && deliveredAfter < 0; step++) { b.run(100); if (b.takeFrames().length) deliveredAfter = b.now - sentAt; }
  assert.ok(deliveredAfter > 0 && deliveredAfter <= 25_000, `delivered after ${deliveredAfter} µs`);
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
