import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Link, type LinkParams } from "../../sim/net/link.ts";

interface Got { time: number; frame: Uint8Array }

function setup(seed: number, params: Partial<LinkParams>) {
  const sched = new Scheduler();
  const link = new Link(sched, new Rng(seed).fork("link"), { name: "t", params });
  const atB: Got[] = [];
  const atA: Got[] = [];
  link.b.attach({ receive: (frame) => atB.push({ time: sched.now, frame }) });
  link.a.attach({ receive: (frame) => atA.push({ time: sched.now, frame }) });
  return { sched, link, atA, atB };
}

/** Frame carrying a 32-bit sequence number, padded to `len`. */
function frame(seq: number, len = 64): Uint8Array {
  const f = new Uint8Array(len);
  new DataView(f.buffer).setUint32(20, seq);
  return f;
}
const seqOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getUint32(20);

/** Sends n frames a→b, one every `gapUs`. */
function sendMany(sched: Scheduler, link: Link, n: number, gapUs: number, len = 64): void {
  for (let i = 0; i < n; i++) sched.at(i * gapUs, () => link.a.send(frame(i, len)));
}

test("a clean link delivers every frame in order after the delay, as a copy", () => {
  const { sched, link, atB } = setup(1, { delayUs: 500 });
  const f = frame(7);
  link.a.send(f);
  f.fill(0xee); // sender reuses its buffer
  sched.runUntil(1e6);
  assert.equal(atB.length, 1);
  assert.equal(atB[0].time, 500);
  assert.equal(seqOf(atB[0].frame), 7);
  assert.equal(link.counters("ab").delivered, 1);
});

test("20% loss over 10k frames is within tolerance and counted", () => {
  const { sched, link, atB } = setup(42, { loss: 0.2, delayUs: 100 });
  sendMany(sched, link, 10_000, 10);
  sched.runUntil(1e9);
  const c = link.counters("ab");
  assert.equal(c.sent, 10_000);
  assert.equal(c.lost + c.delivered, 10_000);
  assert.equal(atB.length, c.delivered);
  // binomial sd = 40; 5 sd tolerance
  assert.ok(Math.abs(c.lost - 2000) < 200, `lost ${c.lost}`);
  assert.equal(link.counters("ba").sent, 0);
});

test("loss is per direction", () => {
  const { sched, link, atA, atB } = setup(3, {});
  link.set({ loss: 1 }, "ab");
  link.a.send(frame(1));
  link.b.send(frame(2));
  sched.runUntil(1e6);
  assert.equal(atB.length, 0);
  assert.equal(atA.length, 1);
});

test("jitter varies the delay but keeps order", () => {
  const { sched, link, atB } = setup(5, { delayUs: 1000, jitterUs: 5000 });
  sendMany(sched, link, 500, 100);
  sched.runUntil(1e9);
  assert.equal(atB.length, 500);
  atB.forEach((g, i) => assert.equal(seqOf(g.frame), i));
  const delays = atB.map((g, i) => g.time - i * 100);
  assert.ok(Math.min(...delays) >= 1000);
  assert.ok(Math.max(...delays) > 3000);
});

test("reordering makes some frames overtaken, and only that fraction", () => {
  const { sched, link, atB } = setup(9, { delayUs: 100, reorder: 0.1, reorderDelayUs: 5000 });
  sendMany(sched, link, 2000, 1000);
  sched.runUntil(1e9);
  assert.equal(atB.length, 2000);
  const seqs = atB.map((g) => seqOf(g.frame));
  let inversions = 0;
  for (let i = 1; i < seqs.length; i++) if (seqs[i] < seqs[i - 1]) inversions++;
  const r = link.counters("ab").reordered;
  assert.ok(inversions > 0);
  assert.ok(Math.abs(r - 200) < 70, `reordered ${r}`);
  assert.deepEqual([...seqs].sort((x, y) => x - y), seqs.map((_, i) => i));
});

test("duplication delivers extra identical copies", () => {
  const { sched, link, atB } = setup(11, { duplicate: 0.25 });
  sendMany(sched, link, 4000, 10);
  sched.runUntil(1e9);
  const c = link.counters("ab");
  assert.ok(Math.abs(c.duplicated - 1000) < 150, `dup ${c.duplicated}`);
  assert.equal(atB.length, 4000 + c.duplicated);
  const counts = new Map<number, number>();
  for (const g of atB) counts.set(seqOf(g.frame), (counts.get(seqOf(g.frame)) ?? 0) + 1);
  assert.equal([...counts.values()].filter((n) => n === 2).length, c.duplicated);
  // copies are separate arrays
  const twice = [...counts].find(([, n]) => n === 2)![0];
  const copies = atB.filter((g) => seqOf(g.frame) === twice);
  assert.notEqual(copies[0].frame, copies[1].frame);
});

test("corruption flips exactly corruptBits bits in the chosen fraction", () => {
  const { sched, link, atB } = setup(13, { corrupt: 0.3, corruptBits: 3 });
  for (let i = 0; i < 1000; i++) sched.at(i, () => link.a.send(new Uint8Array(100)));
  sched.runUntil(1e9);
  const popcount = (f: Uint8Array) => f.reduce((s, b) => { let n = 0; for (; b; b &= b - 1) n++; return s + n; }, 0);
  const bad = atB.filter((g) => popcount(g.frame) > 0);
  assert.equal(bad.length, link.counters("ab").corrupted);
  assert.ok(Math.abs(bad.length - 300) < 75, `corrupted ${bad.length}`);
  // three distinct random bits, or fewer if the same bit was drawn twice (flips back)
  for (const g of bad) assert.ok([1, 3].includes(popcount(g.frame)));
});

test("bandwidth serialises frames back to back and tail-drops a full queue", () => {
  // 1000 bytes + 24 overhead at 8 Mbit/s = 1024 µs per frame
  const { sched, link, atB } = setup(1, { bandwidthBps: 8e6, overheadBytes: 24, queueFrames: 4, delayUs: 10 });
  for (let i = 0; i < 6; i++) link.a.send(frame(i, 1000));
  sched.runUntil(5000);
  assert.deepEqual(atB.map((g) => g.time), [1, 2, 3, 4].map((k) => k * 1024 + 10));
  assert.deepEqual(atB.map((g) => seqOf(g.frame)), [0, 1, 2, 3]);
  assert.equal(link.counters("ab").queueDrops, 2);
  // an idle link starts the next frame at once
  sched.at(10_000, () => link.a.send(frame(9, 1000)));
  sched.runUntil(2e6);
  assert.equal(atB[4].time, 10_000 + 1024 + 10);
});

test("link down drops frames, including ones in flight, and notifies both ends", () => {
  const { sched, link, atB } = setup(1, { delayUs: 1000 });
  const seen: string[] = [];
  link.a.onLinkChange((up) => seen.push(`a:${up}`));
  link.b.onLinkChange((up) => seen.push(`b:${up}`));
  link.a.send(frame(1)); // in flight when the link goes down
  sched.at(500, () => link.setUp(false));
  sched.at(600, () => link.a.send(frame(2)));
  sched.at(700, () => link.setUp(true));
  sched.at(800, () => link.a.send(frame(3)));
  sched.runUntil(1e6);
  assert.deepEqual(seen, ["a:false", "b:false", "a:true", "b:true"]);
  assert.deepEqual(atB.map((g) => seqOf(g.frame)), [3]);
  assert.equal(link.counters("ab").downDrops, 2);
  assert.equal(link.a.up, true);
});

function trace(seed: number): string {
  const { sched, link, atA, atB } = setup(seed, {
    loss: 0.1, delayUs: 200, jitterUs: 300, reorder: 0.05, reorderDelayUs: 2000, duplicate: 0.05, corrupt: 0.05, bandwidthBps: 1e7,
  });
  sendMany(sched, link, 300, 150);
  for (let i = 0; i < 300; i++) sched.at(i * 170, () => link.b.send(frame(i)));
  sched.runUntil(1e9);
  const enc = (g: Got) => `${g.time.toFixed(3)}:${Buffer.from(g.frame).toString("hex").slice(36, 52)}`;
  return atB.map(enc).join(",") + "|" + atA.map(enc).join(",");
}

test("same seed gives an identical trace, a different seed a different one", () => {
  const t1 = trace(1234);
  assert.equal(trace(1234), t1);
  assert.notEqual(trace(1235), t1);
});
