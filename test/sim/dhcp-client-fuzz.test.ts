// Fuzzes the wasm DHCP client and DNS resolver state machines (not just the parsers) with
// mutated messages that carry the right xid/chaddr or ID/port, so they get past the first
// checks: bit flips, truncation, byte overwrites, option length lies, type swaps. Also
// random ARP packets into ACD. Nothing may trap or allocate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../sim/core/rng.ts";
import { loadWasm, type WasmModule } from "../../bench/dhcp-dns.ts";
import { buildDhcpMessage, u32be } from "../../sim/hosts/dhcp-server.ts";
import { DnsServer } from "../../sim/hosts/dns-server.ts";

const N = 30_000;

function mutate(rng: Rng, b: Uint8Array, from = 0): Uint8Array {
  let m = b.slice();
  const ops = 1 + rng.int(4);
  for (let k = 0; k < ops; k++) {
    const w = rng.int(6);
    if (w === 0) m = m.slice(0, rng.int(m.length + 1));
    else if (w === 1 && m.length) { const i = from + rng.int(Math.max(1, m.length - from)); if (i < m.length) m[i] ^= 1 << rng.int(8); }
    else if (w === 2 && m.length) { const i = from + rng.int(Math.max(1, m.length - from)); if (i < m.length) m[i] = rng.int(256); }
    else if (w === 3 && m.length > from + 2) { const i = from + rng.int(m.length - from); m[i] = [0, 1, 4, 255, 0xc0][rng.int(5)]; }
    else if (w === 4) { const extra = rng.bytes(rng.int(40)); const n = new Uint8Array(m.length + extra.length); n.set(m); n.set(extra, m.length); m = n; }
    else if (m.length > 12) { const i = rng.int(m.length - 1); m[i] = 0xff; m[i + 1] = 0xff; }
  }
  return m;
}

function heapStable(w: WasmModule): () => void {
  const a = w.ex.heap_top(), b = w.ex.heap_top();
  return () => assert.equal(w.ex.heap_top(), b + (b - a), "allocated on the packet path");
}

test(`DHCP client: ${N} mutated OFFER/ACK/NAK and random ARP in every state, no trap`, async () => {
  const w = await loadWasm("dhcpclient");
  const rng = new Rng(0xd4c9);
  const mac = Uint8Array.of(2, 0, 0, 0, 0, 0x10);
  w.ex.dhcp_create(0, w.input(mac, 0), 1, 1, 0n, 100_000n, 1, 2_000_000n, 0, w.input(Buffer.from("fuzz"), 64), 4);
  let now = 0n;
  w.ex.dhcp_start(0, now);
  w.ex.dhcp_poll(0, now);
  const check = heapStable(w);
  const server = 0x0a000001;
  for (let i = 0; i < N; i++) {
    const xid = w.ex.dhcp_xid(0) >>> 0;
    const type = [2, 5, 6][rng.int(3)];
    const opts: [number, number[]][] = [[53, [type]], [54, u32be(server)], [51, u32be([0, 1, 60, 0xffffffff, 0x7fffffff][rng.int(5)])],
      [58, u32be(rng.u32())], [59, u32be(rng.u32())], [1, u32be(0xffffff00)], [3, u32be(server)], [6, [...u32be(server), ...u32be(0x08080808)]]];
    if (rng.chance(0.3)) opts.push([52, [rng.int(4)]]);
    const msg = buildDhcpMessage({ op: 2, xid, chaddr: mac, yiaddr: 0x0a000064 + rng.int(3), siaddr: server }, opts);
    const data = rng.chance(0.15) ? msg : mutate(rng, msg, rng.chance(0.5) ? 240 : 0);
    w.ex.dhcp_datagram(0, server, 67, 68, w.input(data), data.length, now);
    if (rng.chance(0.05)) {
      const sha = rng.chance(0.5) ? mac : rng.bytes(6);
      w.ex.dhcp_arp(0, 1 + rng.int(2), rng.chance(0.5) ? 0x0a000064 : rng.u32(), w.input(sha, 2048), rng.chance(0.5) ? 0x0a000064 : 0, now);
    }
    if (rng.chance(0.2)) {
      const d: bigint = w.ex.dhcp_deadline(0);
      now = d !== 0x7fffffffffffffffn && d > now && rng.chance(0.7) ? d : now + BigInt(rng.int(5_000_000));
      w.ex.dhcp_poll(0, now);
    }
    if (rng.chance(0.001)) { w.ex.dhcp_start(0, now); }
    w.ex.out_clear();
  }
  check();
  assert.ok(w.ex.dhcp_stat(0, 6) > 1000, "malformed messages counted");
  assert.ok(w.ex.dhcp_stat(0, 1) > 10, "some ACKs were accepted along the way");
});

test(`DNS resolver: ${N} mutated responses (UDP and TCP) with the right ID and port, no trap`, async () => {
  const w = await loadWasm("dnsresolver");
  const rng = new Rng(0xd25);
  w.ex.dns_create(8, 86400, 500_000n, 10_000_000n);
  const servers = new Uint8Array(8);
  new DataView(servers.buffer).setUint32(0, 0x0a000035, true);
  new DataView(servers.buffer).setUint32(4, 0x0a000036, true);
  w.ex.dns_set_servers(0, w.input(servers), 2);
  // A DnsServer instance only for its answer builder (never attached to a network).
  const fakeHost = { udp: { bind: () => ({}) }, sched: { now: 0 } } as any;
  const zone = new DnsServer(fakeHost, {
    tcp: null, records: [
      { name: "www.example.com", type: "CNAME", value: "edge.example.com" }, { name: "edge.example.com", type: "A", value: "192.0.2.7" },
      { name: "edge.example.com", type: "A", value: "192.0.2.8" }, { name: "a.example.com", type: "AAAA", value: "20010db8" },
    ],
  });
  const names = ["www.example.com", "edge.example.com", "nx.example.com", "a.example.com"];
  const check = heapStable(w);
  let now = 1_000_000n;
  let handles: number[] = [];
  let accepted = 0;
  for (let i = 0; i < N; i++) {
    if (handles.length < 3 && rng.chance(0.3)) {
      w.ex.dns_flush();
      const n = Buffer.from(names[rng.int(names.length)]);
      const h = w.ex.dns_resolve(w.input(n), n.length, now);
      if (h >= 0) handles.push(h);
    }
    const n = w.ex.out_count();
    const dv = new DataView(w.ex.memory.buffer);
    const sent: { dst: number; sport: number; q: Uint8Array; tcp: boolean; conn: number }[] = [];
    for (let k = 0; k < n; k++) {
      const p = w.ex.out_ptr(k);
      const kind = dv.getInt32(p, true), len = dv.getInt32(p + 16, true);
      const data = w.mem().slice(p + 20, p + 20 + len);
      if (kind === 1) sent.push({ dst: dv.getUint32(p + 4, true), sport: dv.getInt32(p + 12, true), q: data, tcp: false, conn: 0 });
      if (kind === 4) w.ex.dns_tcp_connected(dv.getInt32(p + 12, true), now);
      if (kind === 5) sent.push({ dst: 0, sport: 0, q: data.subarray(2), tcp: true, conn: dv.getInt32(p + 12, true) });
    }
    w.ex.out_clear();
    for (const s of sent) {
      const a = zone.answer(s.q, { truncate: !s.tcp && rng.chance(0.1) });
      if (!a) continue;
      const data = rng.chance(0.1) ? a.reply : mutate(rng, a.reply, rng.chance(0.5) ? 12 : 0);
      if (s.tcp) {
        const framed = Uint8Array.from([data.length >> 8, data.length & 255, ...data]);
        const cut = rng.int(framed.length + 1);
        w.ex.dns_tcp_data(s.conn, w.input(framed.subarray(0, cut)), cut, now);
        w.ex.dns_tcp_data(s.conn, w.input(framed.subarray(cut)), framed.length - cut, now);
        if (rng.chance(0.3)) w.ex.dns_tcp_closed(s.conn, now);
      } else {
        w.ex.dns_datagram(s.dst, 53, s.sport, w.input(data), data.length, now);
      }
      accepted++;
    }
    if (rng.chance(0.2)) { now += BigInt(rng.int(3_000_000)); w.ex.dns_poll(now); }
    for (;;) { const h = w.ex.dns_take_completed(); if (h < 0) break; w.ex.dns_release(h); handles = handles.filter((x) => x !== h); }
    // cached / synchronous ones
    handles = handles.filter((h) => { if (w.ex.dns_status(h) > 0) { w.ex.dns_release(h); return false; } return w.ex.dns_status(h) === 0; });
  }
  check();
  assert.ok(accepted > 10_000, `fed ${accepted}`);
  assert.ok(w.ex.dns_stat(3) + w.ex.dns_stat(2) > 1000, "rejects counted");
  assert.ok(w.ex.dns_stat(1) > 100, "some accepted");
});
