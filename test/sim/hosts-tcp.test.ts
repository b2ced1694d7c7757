import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Link, type LinkParams } from "../../sim/net/link.ts";
import { SimHost } from "../../sim/hosts/host.ts";
import { ACK, RST, SYN, TcpLayer, buildTcp, parseTcp, type TcpOptions, type TcpSegment } from "../../sim/hosts/tcp.ts";
import { IPPROTO_TCP, parseIpv4 } from "../../sim/hosts/wire.ts";

function net(seed: number, params: Partial<LinkParams>, tcpB: Partial<TcpOptions> = {}) {
  const sched = new Scheduler();
  const rng = new Rng(seed);
  const link = new Link(sched, rng.fork("link"), { params });
  const a = new SimHost(sched, rng.fork("a"), { name: "a", mac: "02:00:00:00:00:01", ip: "10.0.0.1" }).attach(link.a);
  const b = new SimHost(sched, rng.fork("b"), { name: "b", mac: "02:00:00:00:00:02", ip: "10.0.0.2" }).attach(link.b);
  // TCP segments seen on the wire, both directions, as sent.
  const wire: { dir: string; seg: TcpSegment }[] = [];
  link.onFrame((ev) => {
    if (ev.at !== "tx" || ev.frame[23] !== IPPROTO_TCP) return;
    const p = parseIpv4(ev.frame.subarray(14), ev.frame.subarray(6, 12));
    const seg = typeof p === "string" ? null : parseTcp(p);
    if (seg) wire.push({ dir: ev.dir, seg: { ...seg, data: seg.data.slice() } });
  });
  return { sched, link, a, b, ta: new TcpLayer(a), tb: new TcpLayer(b, tcpB), wire };
}

function pattern(n: number, seed: number): Uint8Array {
  const r = new Rng(seed);
  return r.bytes(n);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks));
}

test("256 KiB each way through a lossy, reordering, duplicating link arrive intact, then both close", () => {
  const { sched, link, ta, tb } = net(77, {
    delayUs: 2000, jitterUs: 500, loss: 0.03, reorder: 0.05, reorderDelayUs: 3000, duplicate: 0.02, bandwidthBps: 20e6, queueFrames: 40,
  });
  const up = pattern(256 * 1024, 1), down = pattern(256 * 1024, 2);
  const atServer: Uint8Array[] = [], atClient: Uint8Array[] = [];
  const closed: string[] = [];
  tb.listen(80, (c) => {
    c.onData = (d) => atServer.push(d);
    c.onPeerClosed = () => c.close();
    c.onClose = (r) => closed.push(`server:${r}`);
    c.send(down);
  });
  const c = ta.connect("10.0.0.2", 80);
  c.onEstablished = () => { c.send(up); c.close(); };
  c.onData = (d) => atClient.push(d);
  c.onClose = (r) => closed.push(`client:${r}`);
  sched.runUntilCondition(() => closed.length === 2, 600e6);
  assert.deepEqual(closed.sort(), ["client:closed", "server:closed"]);
  assert.ok(Buffer.from(concat(atServer)).equals(up), "client→server bytes differ");
  assert.ok(Buffer.from(concat(atClient)).equals(down), "server→client bytes differ");
  // the faults were really exercised
  const ab = link.counters("ab"), ba = link.counters("ba");
  assert.ok(ab.lost > 0 && ba.lost > 0 && ab.reordered > 0 && ab.duplicated > 0);
  assert.ok(c.stats.retransmits > 0 && c.stats.outOfOrder > 0);
  assert.equal(ta.connections.length + tb.connections.length, 0);
});

test("the transfer replays identically from the same seed", () => {
  const run = (seed: number) => {
    const { sched, ta, tb, wire } = net(seed, { delayUs: 1000, loss: 0.05, reorder: 0.05, reorderDelayUs: 1500, bandwidthBps: 10e6 });
    tb.listen(80, (s) => { s.onPeerClosed = () => s.close(); });
    const c = ta.connect("10.0.0.2", 80);
    c.onEstablished = () => { c.send(pattern(30_000, 3)); c.close(); };
    sched.runUntil(120e6);
    return wire.map((w) => `${w.dir}:${w.seg.seq}:${w.seg.ack}:${w.seg.flags}:${w.seg.data.length}`).join(" ");
  };
  assert.equal(run(5), run(5));
  assert.notEqual(run(5), run(6));
});

test("connecting to a closed port is refused by RST", () => {
  const { sched, ta, tb, wire } = net(1, { delayUs: 100 });
  const c = ta.connect("10.0.0.2", 81);
  let reason = "";
  c.onClose = (r) => (reason = r);
  sched.runUntil(1e6);
  assert.equal(reason, "refused");
  assert.equal(tb.counters.rstSent, 1);
  const rst = wire.find((w) => w.seg.flags & RST)!.seg;
  const syn = wire.find((w) => w.seg.flags & SYN)!.seg;
  assert.equal(rst.ack, (syn.seq + 1) >>> 0);
  assert.equal(rst.flags, RST | ACK);
});

test("a keep-alive probe (old sequence number) is answered with an ACK", () => {
  const { sched, a, b, ta, tb, wire } = net(2, { delayUs: 100 });
  tb.listen(80, () => {});
  const c = ta.connect("10.0.0.2", 80);
  sched.runUntil(1e6);
  assert.equal(c.state, "ESTABLISHED");
  const last = wire.filter((w) => w.dir === "ab").at(-1)!.seg; // client's handshake ACK
  const before = wire.length;
  // Server-side keep-alive: SEG.SEQ = SND.NXT - 1 with one garbage byte (RFC 9293 3.8.4).
  b.sendIp(a.ip, IPPROTO_TCP, buildTcp({
    src: b.ip, dst: a.ip, sport: 80, dport: c.localPort, seq: (last.ack - 1) >>> 0, ack: last.seq, flags: ACK, wnd: 1000, data: Uint8Array.of(0),
  }));
  sched.runUntil(2e6);
  const replies = wire.slice(before).filter((w) => w.dir === "ab");
  assert.equal(replies.length, 1);
  assert.deepEqual([replies[0].seg.flags, replies[0].seg.seq, replies[0].seg.ack, replies[0].seg.data.length], [ACK, last.seq, last.ack, 0]);
  assert.equal(c.state, "ESTABLISHED");
});

test("a zero window is probed and the transfer resumes when the reader drains", () => {
  const { sched, ta, tb, wire } = net(3, { delayUs: 500 }, { autoRead: false, rcvBuf: 4096 });
  let server: ReturnType<TcpLayer["connect"]> | null = null;
  tb.listen(80, (s) => (server = s));
  const data = pattern(20_000, 4);
  const c = ta.connect("10.0.0.2", 80);
  c.onEstablished = () => c.send(data);
  sched.runUntil(30e6);
  assert.ok(server);
  const s = server as ReturnType<TcpLayer["connect"]>;
  assert.equal(s.bytesUnread, 4096);
  assert.equal(c.bytesUnacked, 20_000 - 4096);
  assert.ok(wire.some((w) => w.dir === "ba" && w.seg.wnd === 0));
  const probes = c.stats.timeouts;
  assert.ok(probes >= 3, `probes ${probes}`);
  assert.equal(c.state, "ESTABLISHED");
  const got: Uint8Array[] = [];
  for (let t = 31e6; got.reduce((n, d) => n + d.length, 0) < data.length && t < 200e6; t += 100e3) {
    sched.runUntil(t);
    got.push(s.read());
  }
  assert.ok(Buffer.from(concat(got)).equals(data));
});

test("retransmissions give up after maxRetries and the connection times out", () => {
  const { sched, link, ta, tb } = net(4, { delayUs: 100 });
  tb.listen(80, () => {});
  const c = ta.connect("10.0.0.2", 80, { maxRetries: 4, maxRtoUs: 4e6 });
  sched.runUntil(1e6);
  link.setUp(false);
  c.send(new Uint8Array(100));
  let reason = "";
  c.onClose = (r) => (reason = r);
  sched.runUntil(60e6);
  assert.equal(reason, "timeout");
  assert.equal(c.stats.timeouts, 4);
});

test("segments with a bad checksum are dropped and counted", () => {
  const { sched, a, b, tb } = net(5, { delayUs: 100 });
  tb.listen(80, () => assert.fail("must not accept"));
  const seg = buildTcp({ src: a.ip, dst: b.ip, sport: 1234, dport: 80, seq: 1, ack: 0, flags: SYN, wnd: 1000, data: new Uint8Array(0) });
  seg[4] ^= 1;
  a.sendIp(b.ip, IPPROTO_TCP, seg);
  sched.runUntil(1e6);
  assert.equal(tb.counters.badSegments, 1);
  assert.equal(tb.connections.length, 0);
});
