// Robustness of the wired IP path: mutated and random frames must never trap the module
// nor grow its heap; afterwards it still answers a ping. Also reports (never asserts) the
// wasm instruction cost of answering one ping and of a 1460-byte checksum.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadHarness } from "../harness-host.ts";
import { buildHarness } from "../../tools/build-harness.ts";
import { instrument } from "../../tools/instrument.ts";
import { fakeHal } from "../assembly/fake-hal.js";
import { Counter } from "../../sim/generated/hal.ts";
import { ip, mac, BROADCAST, ZERO_MAC, eth, arp, ipv4, icmp, echo, checksum, parseIp } from "./netstack-frames.ts";

const OUR_MAC = mac(2, 0, 0, 0, 0, 1);
const OUR_IP = ip(192, 168, 1, 10);
const PEER = ip(192, 168, 1, 20);
const PEER_MAC = mac(2, 0, 0, 0, 0, 0x20);

/** mulberry32: a small seeded generator, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seeds(): Uint8Array[] {
  const d = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 255);
  const udpish = ipv4(PEER, OUR_IP, 17, d(16));
  return [
    eth(BROADCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER, ZERO_MAC, OUR_IP)),
    eth(OUR_MAC, PEER_MAC, 0x0806, arp(2, PEER_MAC, PEER, OUR_MAC, OUR_IP)),
    eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, echo(8, 1, 1, d(56)))),
    eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, echo(0, 0x5701, 0, d(8)))),
    eth(OUR_MAC, PEER_MAC, 0x0800, udpish),
    eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, icmp(3, 3, 0, ipv4(OUR_IP, PEER, 17, d(8))))),
    eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 99, d(30), { options: [1, 1, 1, 0, 7, 3, 4, 0] })),
    eth(BROADCAST, PEER_MAC, 0x0800, ipv4(PEER, 0xffffffff, 17, d(10))),
    eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, echo(8, 2, 2, d(1400)))),
  ];
}

/** Rewrites the IP header checksum (and ICMP's), so mutations reach the deeper layers. */
function fixChecksums(f: Uint8Array): void {
  if (f.length < 34 || f[12] !== 8 || f[13] !== 0) return;
  const hl = (f[14] & 15) * 4;
  if (hl < 20 || 14 + hl > f.length) return;
  f[24] = 0; f[25] = 0;
  const c = checksum(f.subarray(14, 14 + hl));
  f[24] = c >>> 8; f[25] = c & 255;
  if (f[23] === 1 && 14 + hl + 4 <= f.length) {
    const m = f.subarray(14 + hl);
    m[2] = 0; m[3] = 0;
    const k = checksum(m);
    m[2] = k >>> 8; m[3] = k & 255;
  }
}

function mutate(r: () => number, base: Uint8Array): Uint8Array {
  const pick = Math.floor(r() * 8);
  let f = base.slice();
  const at = (lo: number) => lo + Math.floor(r() * Math.max(1, f.length - lo));
  switch (pick) {
    case 0: for (let i = 1 + Math.floor(r() * 4); i > 0; i--) f[at(0)] = Math.floor(r() * 256); break;
    case 1: f = f.slice(0, Math.floor(r() * f.length)); break;
    case 2: f = Uint8Array.from([...f, ...Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256))]); break;
    case 3: if (f.length > 14) f[14] = (f[14] & 0xf0) | Math.floor(r() * 16); break; // IHL
    case 4: if (f.length > 17) { f[16] = Math.floor(r() * 256); f[17] = Math.floor(r() * 256); } break; // total length
    case 5: f[at(14)] ^= 1 << Math.floor(r() * 8); break;
    case 6: if (f.length > 21) { f[20] = r() < 0.5 ? 0x20 : Math.floor(r() * 256); f[21] = Math.floor(r() * 256); } break; // flags/offset
    default: f = Uint8Array.from({ length: Math.floor(r() * 120) }, () => Math.floor(r() * 256));
  }
  if (r() < 0.7) fixChecksums(f);
  return f;
}

test("50k mutated and random frames: no trap, constant heap, still answers ping", async () => {
  const h = await loadHarness("netstack");
  const ex = h.exports;
  let now = 5_000_000n;
  ex.set_ipv4(OUR_IP, 24, ip(192, 168, 1, 1), now);
  const probe0 = ex.heap_top(), probe1 = ex.heap_top();
  const probeCost = probe1 - probe0; // memStat(HeapTop) itself takes a few bytes per call
  const r = rng(0x5eed);
  const base = seeds();
  const N = 50_000;
  for (let i = 0; i < N; i++) {
    const f = mutate(r, base[Math.floor(r() * base.length)]);
    now += BigInt(Math.floor(r() * 50_000));
    ex.inject(h.input(f), f.length, now);
    if (i % 64 === 0) { ex.poll(now); ex.tx_clear(); }
    if (i % 5000 === 0) ex.ping_start(PEER, 4, 32, 100_000n, now);
  }
  assert.equal(ex.heap_top() - probe1, probeCost, "heap did not grow");
  assert.ok(ex.counter(Counter.EthRxFrames) >= N);
  const drops = [Counter.EthRxDropMalformed, Counter.EthRxDropNotForUs, Counter.ArpDropMalformed, Counter.IpDropMalformed,
    Counter.IpDropBadChecksum, Counter.IpDropNotForUs, Counter.IpDropFragment, Counter.IpDropTtl, Counter.IcmpDropMalformed];
  for (const c of drops) assert.ok(ex.counter(c) > 0, `counter ${c} exercised`);
  // Still healthy: a fresh ARP + echo request gets its reply.
  ex.tx_clear();
  now += 60_000_000n;
  const req = eth(BROADCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER, ZERO_MAC, OUR_IP));
  ex.inject(h.input(req), req.length, now);
  const ping = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, echo(8, 9, 9, Uint8Array.of(1, 2, 3))));
  ex.tx_clear();
  ex.inject(h.input(ping), ping.length, now);
  const len = new DataView(h.bytes(h.outputPtr, 4).buffer).getUint32(0, true);
  const reply = parseIp(h.bytes(h.outputPtr + 4 + 14, len - 14));
  assert.equal(reply.dst, PEER);
  assert.deepEqual(reply.payload, echo(0, 9, 9, Uint8Array.of(1, 2, 3)));
});

/** Instantiates the harness with the fake HAL, some of it replaced. */
async function instantiate(wasm: Uint8Array, overrides: Record<string, Function> = {}) {
  let instance: WebAssembly.Instance;
  const hal = { ...fakeHal(() => (instance.exports as any).memory), ...overrides };
  ({ instance } = await WebAssembly.instantiate(wasm, { hal }) as any);
  const ex = instance!.exports as any;
  ex._start();
  const mem = () => new Uint8Array(ex.memory.buffer);
  const put = (b: Uint8Array) => { const p = ex.input_buffer(); mem().set(b, p); return p; };
  return { ex, mem, put };
}

test("uses the HAL checksum accelerator when accel_caps offers it", async () => {
  let calls = 0;
  let mem: () => Uint8Array = () => new Uint8Array(0);
  const accel = {
    accel_caps: () => 4, // AccelCap.InetChecksum
    accel_inet_checksum(buf: number, len: number, seed: number) {
      calls++;
      const c = checksum(mem().slice(buf, buf + len), seed & 0xffff);
      return ~c & 0xffff; // the sum, folded, not complemented
    },
  };
  const h = await instantiate(readFileSync(buildHarness("netstack")), accel);
  mem = h.mem;
  const { ex, put } = h;
  ex.set_ipv4(OUR_IP, 24, ip(192, 168, 1, 1), 1_000_000n);
  const req = eth(BROADCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER, ZERO_MAC, OUR_IP));
  ex.inject(put(req), req.length, 2_000_000n);
  ex.tx_clear();
  calls = 0;
  const ping = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, echo(8, 1, 1, Uint8Array.of(9, 8, 7))));
  ex.inject(put(ping), ping.length, 3_000_000n);
  assert.ok(calls >= 3, "IP header in, ICMP in, IP header out");
  const len = new DataView(mem().slice(ex.output_buffer(), ex.output_buffer() + 4).buffer).getUint32(0, true);
  const reply = parseIp(mem().slice(ex.output_buffer() + 4 + 14, ex.output_buffer() + 4 + len));
  assert.ok(reply.headerOk);
  assert.deepEqual(reply.payload, echo(0, 1, 1, Uint8Array.of(9, 8, 7)));
});

test("instruction cost (reported, not asserted)", async (t) => {
  const { ex, put } = await instantiate(instrument(readFileSync(buildHarness("netstack"))));
  const cost = (fn: () => void): bigint => { const before = BigInt(ex.__instr_count.value); fn(); return BigInt(ex.__instr_count.value) - before; };
  ex.set_ipv4(OUR_IP, 24, ip(192, 168, 1, 1), 1_000_000n);
  const req = eth(BROADCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER, ZERO_MAC, OUR_IP));
  const arpCost = cost(() => ex.inject(put(req), req.length, 2_000_000n));
  ex.tx_clear();
  const ping = eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 1, echo(8, 1, 1, new Uint8Array(56))));
  const pingCost = cost(() => ex.inject(put(ping), ping.length, 3_000_000n));
  assert.equal(ex.tx_frames(), 1, "the ping was answered");
  const p = put(new Uint8Array(1460).fill(0xa5));
  const sum1460 = cost(() => ex.inet_sum(p, 1460, 0));
  const sum20 = cost(() => ex.inet_sum(p, 20, 0));
  const report = `instructions: ARP request->reply ${arpCost}, 64-byte ICMP echo request->reply ${pingCost}, ` +
    `checksum 1460 B ${sum1460}, 20 B ${sum20}`;
  t.diagnostic(report);
  console.log(report);
});
