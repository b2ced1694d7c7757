// Segment-level behaviour of our TCP (harness wasm, hand-built segments): sequence
// wraparound, window edges, malformed options, RFC 5961 checks, errors by cause.
import { test } from "node:test";
import assert from "node:assert/strict";
import { unitDevice, ACK, SYN, FIN, RST, PSH } from "./tcp-segments.ts";
import { DEV_IP, PEER_IP, NetError, TcpState } from "./tcp-bridge.ts";

const u32 = (x: number) => x >>> 0;
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

test("receive across the 2^32 sequence wrap (peer ISN near 2^32)", async () => {
  const d = await unitDevice();
  const isn = 0xffffff00;
  const { id, iss } = d.accept(isn);
  assert.equal(d.ex.tcp_state(id), TcpState.Established);
  const data = bytes(600);
  let seq = isn + 1;
  for (let i = 0; i < 3; i++) {
    d.feed({ seq: u32(seq), ack: iss + 1, flags: ACK | PSH, data: data.subarray(i * 200, i * 200 + 200) });
    seq += 200;
  }
  assert.equal(d.ex.tcp_rcv_nxt(id) >>> 0, u32(isn + 1 + 600));
  const n = d.ex.tcp_recv(id, d.h.outputPtr, 1000, d.now);
  assert.equal(n, 600);
  assert.deepEqual(d.h.bytes(d.h.outputPtr, 600), data);
});

test("send across the wrap: our ISS steered near 2^32 through the RFC 6528 clock", async () => {
  const d = await unitDevice();
  const id = d.ex.tcp_socket(true);
  // ISS = now/4 + F(4-tuple): learn F at now = 0, then pick `now` so ISS = 2^32 - 100.
  d.ex.tcp_connect_from(id, 40000, PEER_IP, 80, 0n);
  const f = d.ex.tcp_iss(id) >>> 0;
  d.ex.tcp_abort(id, 0n);
  d.take();
  d.now = BigInt(u32(0xffffff9c - f)) * 4n;
  d.ex.tcp_connect_from(id, 40000, PEER_IP, 80, d.now);
  const syn = d.take()[0];
  assert.equal(syn.seq, 0xffffff9c);
  assert.equal(syn.flags, SYN);
  assert.equal(syn.mss, 1460);
  d.feed({ sport: 80, dport: 40000, seq: 1000, ack: u32(syn.seq + 1), flags: SYN | ACK, options: Uint8Array.of(2, 4, 0x05, 0xb4) });
  assert.equal(d.ex.tcp_state(id), TcpState.Established);
  const data = bytes(1000, 7);
  assert.equal(d.ex.tcp_send(id, d.h.input(data), 1000, d.now), 1000);
  const segs = d.take();
  const got = segs.filter((s) => s.len > 0);
  assert.ok(got.length >= 1);
  assert.equal(got[0].seq, 0xffffff9d);
  const sent = new Uint8Array(got.reduce((a, s) => a + s.len, 0));
  let o = 0; for (const s of got) { sent.set(s.data, o); o += s.len; }
  assert.deepEqual(sent, data.subarray(0, sent.length));
  // A partial ACK beyond the wrap frees exactly what it covers.
  d.feed({ sport: 80, dport: 40000, seq: 1001, ack: u32(0xffffff9d + 300), flags: ACK });
  assert.equal(d.ex.tcp_unacked(id), 700);
  assert.equal(d.ex.tcp_snd_una(id) >>> 0, u32(0xffffff9d + 300));
  // An ACK for data never sent is not accepted (RFC 9293 §3.10.7.4): answered by an ACK.
  const r = d.feed({ sport: 80, dport: 40000, seq: 1001, ack: u32(0xffffff9d + 5000), flags: ACK });
  assert.equal(d.ex.tcp_unacked(id), 700);
  assert.ok(r.some((s) => s.flags === ACK));
});

test("window edges: full window, zero window, trimming, and the probe answer", async () => {
  const d = await unitDevice({ rx: 1024 });
  const { id, iss } = d.accept(1000);
  const data = bytes(1500);
  // 1500 bytes offered; 1024 fit: the rest is trimmed and not acknowledged.
  const out = d.feed({ seq: 1001, ack: iss + 1, flags: ACK, data });
  const ackNow = out.length ? out[out.length - 1] : d.advance(d.now + 300_000n).at(-1)!;
  assert.equal(ackNow.ack, 1001 + 1024);
  assert.equal(ackNow.wnd, 0);
  assert.equal(d.ex.tcp_available(id), 1024);
  // A zero-window probe (1 byte at RCV.NXT) is answered with an ACK, window still 0.
  const probe = d.feed({ seq: 1001 + 1024, ack: iss + 1, flags: ACK, data: Uint8Array.of(9) });
  assert.equal(probe.length, 1);
  assert.equal(probe[0].ack, 1001 + 1024);
  assert.equal(probe[0].wnd, 0);
  // Reading opens the window and sends a window update at once.
  const n = d.ex.tcp_recv(d.ex.tcp_recv ? id : id, d.h.outputPtr, 1024, d.now);
  assert.equal(n, 1024);
  assert.deepEqual(d.h.bytes(d.h.outputPtr, 1024), data.subarray(0, 1024));
  const upd = d.take();
  assert.equal(upd.length, 1);
  assert.equal(upd[0].wnd, 1024);
  // A segment entirely left of the window (old duplicate) is acked, not delivered.
  const dup = d.feed({ seq: 1001, ack: iss + 1, flags: ACK, data: data.subarray(0, 100) });
  assert.equal(dup.length, 1);
  assert.equal(d.ex.tcp_available(id), 0);
});

test("out-of-order segments are held in the ring and delivered when the hole fills", async () => {
  const d = await unitDevice();
  const { id, iss } = d.accept(0xfffffe00);
  const data = bytes(1200, 3);
  const base = 0xfffffe01;
  const dupAck = d.feed({ seq: u32(base + 400), ack: iss + 1, flags: ACK, data: data.subarray(400, 800) });
  assert.equal(dupAck[0].ack, base); // immediate duplicate ACK
  d.feed({ seq: u32(base + 800), ack: iss + 1, flags: ACK | FIN, data: data.subarray(800, 1200) });
  assert.equal(d.ex.tcp_available(id), 0);
  const fill = d.feed({ seq: base, ack: iss + 1, flags: ACK, data: data.subarray(0, 400) });
  assert.equal(fill.at(-1)!.ack, u32(base + 1201)); // data and the queued FIN
  assert.equal(d.ex.tcp_state(id), TcpState.CloseWait);
  assert.equal(d.ex.tcp_recv(id, d.h.outputPtr, 2000, d.now), 1200);
  assert.deepEqual(d.h.bytes(d.h.outputPtr, 1200), data);
  assert.equal(d.ex.tcp_recv(id, d.h.outputPtr, 2000, d.now), -1);
});

test("malformed headers and options are dropped and counted, state untouched", async () => {
  const d = await unitDevice();
  const { id, iss } = d.accept(5000);
  const before = d.ex.counter(52);
  const bad = [
    { seq: 5001, ack: iss + 1, flags: ACK, options: Uint8Array.of(2, 0, 0, 0) },        // length 0
    { seq: 5001, ack: iss + 1, flags: ACK, options: Uint8Array.of(1, 1, 8, 12) },       // overruns
    { seq: 5001, ack: iss + 1, flags: ACK, options: Uint8Array.of(2, 3, 5, 0) },        // MSS length 3
    { seq: 5001, ack: iss + 1, flags: ACK, options: Uint8Array.of(3, 4, 1, 0) },        // wscale length 4
    { seq: 5001, ack: iss + 1, flags: ACK, dataOffsetWords: 4 },                         // offset < 5
    { seq: 5001, ack: iss + 1, flags: ACK, dataOffsetWords: 15 },                        // offset > length
  ];
  for (const s of bad) assert.deepEqual(d.feed({ ...s, data: bytes(10) }), []);
  assert.equal(d.ex.counter(52) - before, bad.length);
  // Truncated, and a bad checksum.
  assert.deepEqual(d.raw(new Uint8Array(12)), []);
  const ok = (await import("./tcp-segments.ts")).buildSeg({ seq: 5001, ack: iss + 1, flags: ACK, data: bytes(10) });
  ok[25] ^= 0x40;
  assert.deepEqual(d.raw(ok), []);
  assert.equal(d.ex.tcp_stat(0), 1);
  assert.equal(d.ex.tcp_available(id), 0);
  assert.equal(d.ex.tcp_state(id), TcpState.Established);
  // Unknown options and NOP/EOL padding are fine.
  d.feed({ seq: 5001, ack: iss + 1, flags: ACK, options: Uint8Array.of(1, 1, 99, 2, 1, 1, 0, 0), data: bytes(10) });
  assert.equal(d.ex.tcp_available(id), 10);
});

test("RFC 5961: in-window RST and SYN get a challenge ACK; only the exact RST resets", async () => {
  const d = await unitDevice();
  const { id, iss } = d.accept(7000);
  const c1 = d.feed({ seq: 7001 + 100, flags: RST });
  assert.equal(c1.length, 1);
  assert.equal(c1[0].flags, ACK);
  assert.equal(d.ex.tcp_state(id), TcpState.Established);
  const c2 = d.feed({ seq: 7001, flags: SYN });
  assert.equal(c2.length, 1);
  assert.equal(c2[0].flags, ACK);
  assert.equal(d.ex.tcp_stat(1), 2);
  // Out-of-window RST: ignored silently.
  assert.deepEqual(d.feed({ seq: 7001 + 100000, flags: RST }), []);
  d.feed({ seq: 7001, flags: RST });
  assert.equal(d.ex.tcp_state(id), TcpState.Closed);
  assert.equal(d.ex.tcp_error(id), NetError.Reset);
});

test("no socket: RST in reply (never to a RST); listener answers a stray ACK with RST", async () => {
  const d = await unitDevice();
  const r1 = d.feed({ dport: 81, seq: 100, flags: SYN });
  assert.equal(r1.length, 1);
  assert.equal(r1[0].flags, RST | ACK);
  assert.equal(r1[0].ack, 101);
  const r2 = d.feed({ dport: 81, seq: 100, ack: 555, flags: ACK });
  assert.equal(r2[0].flags, RST);
  assert.equal(r2[0].seq, 555);
  assert.deepEqual(d.feed({ dport: 81, seq: 100, flags: RST }), []);
  const l = d.ex.tcp_socket(true);
  d.ex.tcp_listen(l, 80, 2);
  const r3 = d.feed({ seq: 1, ack: 777, flags: ACK });
  assert.equal(r3[0].flags, RST);
  assert.equal(r3[0].seq, 777);
});

test("errors by cause: refused, timed out, host unreachable, address gone, keep-alive", async () => {
  const d = await unitDevice();
  // Refused: SYN answered by RST,ACK.
  const a = d.ex.tcp_socket(true);
  d.ex.tcp_connect(a, PEER_IP, 80, d.now);
  const syn = d.take()[0];
  d.feed({ sport: 80, dport: syn.sport, seq: 0, ack: u32(syn.seq + 1), flags: RST | ACK });
  assert.equal(d.ex.tcp_error(a), NetError.Refused);
  d.ex.tcp_release(a, d.now);
  // Timed out: nobody answers (SYN retries with backoff).
  const b = d.ex.tcp_socket(true);
  d.ex.tcp_connect(b, PEER_IP, 80, d.now);
  const tries = d.advance(d.now + 600_000_000n).filter((s) => s.flags === SYN).length;
  assert.equal(d.ex.tcp_error(b), NetError.TimedOut);
  assert.equal(tries, 1 + 6);
  d.ex.tcp_release(b, d.now);
  // Host unreachable: an ICMP soft error recorded, then the timeout reports it.
  const c = d.ex.tcp_socket(true);
  d.ex.tcp_connect(c, PEER_IP, 80, d.now);
  const s3 = d.take()[0];
  const q = new Uint8Array(28);
  q[0] = 0x45; q[9] = 6;
  new DataView(q.buffer).setUint32(12, DEV_IP); new DataView(q.buffer).setUint32(16, PEER_IP);
  new DataView(q.buffer).setUint16(20, s3.sport); new DataView(q.buffer).setUint16(22, 80);
  new DataView(q.buffer).setUint32(24, s3.seq);
  d.ex.tcp_icmp_error(3, 1, d.h.input(q), 28, d.now);
  assert.equal(d.ex.tcp_state(c), TcpState.SynSent); // soft: keep trying
  d.advance(d.now + 600_000_000n);
  assert.equal(d.ex.tcp_error(c), NetError.HostUnreachable);
  d.ex.tcp_release(c, d.now);
  // Port unreachable while opening: refused at once. A quote with a wrong sequence is ignored.
  const e = d.ex.tcp_socket(true);
  d.ex.tcp_connect(e, PEER_IP, 80, d.now);
  const s4 = d.take()[0];
  new DataView(q.buffer).setUint16(20, s4.sport);
  new DataView(q.buffer).setUint32(24, u32(s4.seq + 12345));
  d.ex.tcp_icmp_error(3, 3, d.h.input(q), 28, d.now);
  assert.equal(d.ex.tcp_state(e), TcpState.SynSent);
  new DataView(q.buffer).setUint32(24, s4.seq);
  d.ex.tcp_icmp_error(3, 3, d.h.input(q), 28, d.now);
  assert.equal(d.ex.tcp_error(e), NetError.Refused);
  d.ex.tcp_release(e, d.now);
  // Address gone.
  const { id } = d.accept(1);
  d.ex.tcp_address_removed(DEV_IP, d.now);
  assert.equal(d.ex.tcp_error(id), NetError.AddressGone);
});

test("TIME_WAIT table is bounded: the oldest entry is reclaimed when full", async () => {
  const d = await unitDevice({ tw: 2 });
  for (let i = 0; i < 4; i++) {
    const { id, iss, listener } = d.accept(100 * i, 6000 + i);
    d.ex.tcp_close(id, d.now);
    const fin = d.take().find((s) => s.flags & FIN)!;
    d.feed({ sport: 6000 + i, seq: 100 * i + 1, ack: u32(fin.seq + 1), flags: ACK | FIN });
    assert.equal(d.ex.tcp_state(id), TcpState.Closed);
    assert.equal(d.ex.tcp_error(id), NetError.None);
    d.ex.tcp_release(id, d.now);
    d.ex.tcp_release(listener, d.now);
    void iss;
  }
  assert.equal(d.ex.tcp_time_wait_count(), 2);
  assert.equal(d.ex.tcp_stat(3), 2);
  // A retransmitted FIN for a TIME_WAIT connection is acknowledged again.
  const again = d.feed({ sport: 6003, seq: 301, ack: 0, flags: ACK | FIN });
  assert.equal(again.length, 1);
  assert.equal(again[0].flags, ACK);
  // 2 MSL later the table is empty.
  d.advance(d.now + 61_000_000n);
  assert.equal(d.ex.tcp_time_wait_count(), 0);
});

test("pool and heap: sockets are reused, nothing is allocated after setup", async () => {
  const d = await unitDevice();
  const h0 = d.ex.heap_top(), h1 = d.ex.heap_top();
  const probe = h1 - h0;
  for (let i = 0; i < 50; i++) {
    const { id, listener } = d.accept(i * 1000, 7000 + i);
    d.ex.tcp_abort(id, d.now);
    d.ex.tcp_release(id, d.now);
    d.ex.tcp_release(listener, d.now);
    d.take();
  }
  assert.equal(d.ex.heap_top() - h1, probe);
});

/** A connection we closed, its FIN acknowledged: FIN_WAIT_2. */
async function inFinWait2() {
  const d = await unitDevice();
  const { id, iss } = d.accept(7000);
  d.ex.tcp_close(id, d.now);
  assert.ok(d.take().some((s) => s.flags & FIN));
  d.feed({ seq: 7001, ack: u32(iss + 2), flags: ACK });
  assert.equal(d.ex.tcp_state(id), TcpState.FinWait2);
  return { d, id, iss };
}

test("FIN_WAIT_2: a silent peer is probed; an answer keeps the connection; a released socket is given up after three unanswered probes", async () => {
  const { d, id, iss } = await inFinWait2();
  // 60 s without a word: a probe (our acknowledged FIN's sequence number), not the end.
  const p1 = d.advance(d.now + 60_000_000n);
  assert.equal(p1.length, 1);
  assert.equal(p1[0].flags, ACK);
  assert.equal(p1[0].seq, u32(iss + 1));
  assert.equal(d.ex.tcp_state(id), TcpState.FinWait2);
  // The peer is alive (it may still send data): its answer restarts the wait.
  d.now += 1_000_000n;
  d.feed({ seq: 7001, ack: u32(iss + 2), flags: ACK });
  const t0 = d.now; // the last segment from the peer
  assert.equal(d.advance(t0 + 59_999_999n).length, 0);
  // The application lets go of it: three unanswered probes 10 s apart, then it is gone.
  d.ex.tcp_release(id, d.now);
  const probes = d.advance(t0 + 89_999_999n);
  assert.equal(probes.length, 3);
  assert.equal(d.ex.tcp_state(id), TcpState.FinWait2);
  d.advance(t0 + 90_000_000n);
  assert.equal(d.ex.tcp_state(id), TcpState.Closed);
});

test("FIN_WAIT_2 after release: a peer that keeps talking but never closes still lets the socket go 60 s after the release", async () => {
  const { d, id, iss } = await inFinWait2();
  d.ex.tcp_release(id, d.now);
  const releasedAt = d.now;
  for (let t = 1; t < 6; t++) {
    d.advance(releasedAt + BigInt(t) * 10_000_000n - 1n);
    assert.equal(d.ex.tcp_state(id), TcpState.FinWait2, `still waiting at ${t * 10} s`);
    d.feed({ seq: 7001, ack: u32(iss + 2), flags: ACK }); // alive: it would answer any probe
  }
  d.advance(releasedAt + 60_000_000n);
  assert.equal(d.ex.tcp_state(id), TcpState.Closed, "gone 60 s after the release");
  // Its slot is free for the next connection.
  assert.ok(d.ex.tcp_socket(false) >= 0);
});

test("FIN_WAIT_2 held by the application (half-close, still reading): a peer silent for two maximal RTOs is kept, probed every 10 s, given up after 240 s", async () => {
  const { d, id, iss } = await inFinWait2();
  const t0 = d.now;
  // The peer, backing off at a 120 s RTO on a lossy link, gets one retransmission through
  // at 200 s while every probe answer before it was lost.
  const early = d.advance(t0 + 199_999_999n);
  assert.equal(early.length, 14, "probes at 60, 70, ... 190 s");
  assert.equal(d.ex.tcp_state(id), TcpState.FinWait2);
  d.now = t0 + 200_000_000n;
  const data = bytes(100, 9);
  d.feed({ seq: 7001, ack: u32(iss + 2), flags: ACK | PSH, data });
  assert.equal(d.ex.tcp_recv(id, d.h.outputPtr, 1000, d.now), 100, "the data still reaches the application");
  // Then it goes silent for good: probes again from 60 s, the end at 240 s.
  const t1 = d.now;
  const probes = d.advance(t1 + 239_999_999n).filter((s) => s.len === 0 && s.seq === u32(iss + 1));
  assert.equal(probes.length, 18);
  assert.equal(d.ex.tcp_state(id), TcpState.FinWait2);
  d.advance(t1 + 240_000_000n);
  assert.equal(d.ex.tcp_state(id), TcpState.Closed);
  assert.equal(d.ex.tcp_error(id), NetError.TimedOut);
});

test("Nagle holds a small segment while one is in flight, but not once the send buffer is full", async () => {
  const d = await unitDevice({ tx: 1024 });
  const { id, iss } = d.accept(5000); // the peer offers MSS 1460: our MSS is the 1 KiB ring
  const data = bytes(1024, 3);
  const send = (from: number, n: number) => d.ex.tcp_send(id, d.h.input(data.subarray(from, from + n)), n, d.now);
  assert.equal(send(0, 300), 300);
  assert.equal(d.take().filter((s) => s.len > 0).length, 1, "nothing in flight: the first small segment goes");
  assert.equal(send(300, 300), 300);
  assert.equal(d.take().filter((s) => s.len > 0).length, 0, "a second small one waits (the application may add to it)");
  assert.equal(send(600, 424), 424);
  const full = d.take().filter((s) => s.len > 0);
  assert.equal(full.length, 1, "the buffer is full: the held data goes without waiting for the ACK");
  assert.equal(full[0].seq, u32(iss + 1 + 300));
  assert.equal(full[0].len, 724);
  assert.deepEqual(full[0].data, data.subarray(300));
});
