// Our TCP (harness wasm) against the independent TypeScript TCP (sim/hosts/tcp.ts) through
// a seeded impairment channel: identical bytes both ways or a clear error, keep-alive
// timing on virtual time, SYN flood resistance. A subset of the sweep in bench/tcp.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bridge, CLEAN, DEV_IP, DeviceStream, EV, NetError, PEER_IP, TcpState, transfer, sha } from "./tcp-bridge.ts";
import { buildSeg, SYN } from "./tcp-segments.ts";
import { Rng } from "../../sim/core/rng.ts";

test("clean transfer both ways, active and passive open, orderly close on both sides", async () => {
  for (const passive of [false, true]) {
    const r = await transfer(11, CLEAN, 50_000, 70_000, { passive });
    assert.ok(r.ok, r.reason);
    assert.equal(r.deviceError, NetError.None);
    assert.equal(r.peerClose, "closed");
  }
});

test("simultaneous close with no data", async () => {
  const r = await transfer(12, CLEAN, 0, 0);
  assert.ok(r.ok, r.reason);
  assert.equal(r.deviceError, NetError.None);
  assert.equal(r.peerClose, "closed");
});

test("impairment sweep subset: loss, reordering, duplication, corruption, buffer sizes", async () => {
  const cases = [
    { loss: 0.02, buf: 1024 }, { loss: 0.1, buf: 2048 }, { loss: 0.2, buf: 4096 }, { loss: 0.3, buf: 2048 },
  ];
  for (const [i, c] of cases.entries()) {
    const imp = { loss: c.loss, duplicate: 0.05, corrupt: 0.05, reorder: 0.2, delayUs: 2000, reorderUs: 6000 };
    const r = await transfer(200 + i, imp, 24_000, 24_000, { dev: { rxBytes: c.buf, txBytes: c.buf }, passive: i % 2 === 1 });
    assert.ok(r.ok, `loss ${c.loss} buf ${c.buf}: ${r.reason}`);
  }
});

test("simultaneous open: both SYNs cross, the connection carries data", async () => {
  const b = await Bridge.create(13, CLEAN);
  const id = b.call((ex, now) => { const id = ex.tcp_socket(true); assert.equal(ex.tcp_connect_from(id, 5000, PEER_IP, 6000, now), 0); return id; });
  const c = b.peer.connect(DEV_IP, 5000, { localPort: 6000 });
  let got = 0;
  c.onData = (d) => { got += d.length; };
  const s = new DeviceStream(b, id, new Uint8Array(3000).fill(7), false);
  b.pump = () => s.step();
  b.sched.runUntilCondition(() => got === 3000, 30e6);
  assert.equal(got, 3000);
  assert.equal(b.ex.tcp_state(id), TcpState.Established);
});

test("keep-alive: the error arrives at exactly idle + interval x count after the last segment; no probes while data flows", async () => {
  const b = await Bridge.create(14, CLEAN);
  let conn: import("../../sim/hosts/tcp.ts").TcpConnection | null = null;
  b.peer.listen(80, (c) => { conn = c; });
  const id = b.call((ex, now) => {
    const id = ex.tcp_socket(true);
    ex.tcp_set_keepalive(id, true, 60_000_000n, 10_000_000n, 3);
    ex.tcp_connect(id, PEER_IP, 80, now);
    return id;
  });
  const s = new DeviceStream(b, id, new Uint8Array(0), false);
  b.pump = () => s.step();
  b.sched.runUntilCondition(() => conn !== null, 10e6);
  // Five minutes of traffic every 7 s, alternately from each side: zero probes.
  const payload = new Uint8Array(100).fill(1);
  for (let t = 1; t <= 40; t++) {
    b.sched.at(t * 7e6, () => {
      if (t % 2) conn!.send(payload);
      else b.call((ex, now) => ex.tcp_send(id, b.h.input(payload), payload.length, now));
    });
  }
  b.sched.runUntil(41 * 7e6);
  assert.equal(b.ex.tcp_stat(2), 0, "keep-alive probes while data flowed");
  assert.equal(s.receivedBytes, 20 * 100);
  // The peer answers probes: the connection survives several idle periods.
  b.sched.runUntil(b.sched.now + 200e6);
  assert.ok(b.ex.tcp_stat(2) >= 2, "probes while idle");
  assert.equal(b.ex.tcp_state(id), TcpState.Established);
  // Silence the peer entirely.
  b.toDevice.muted = true;
  b.toPeer.muted = true;
  const last = b.lastDeviceRx;
  const probesBefore = b.ex.tcp_stat(2);
  b.sched.runUntilCondition(() => b.events.some((e) => e.kind === EV.Closed), b.sched.now + 400e6);
  const closed = b.events.find((e) => e.kind === EV.Closed)!;
  assert.equal(closed.value, NetError.KeepAliveFailed);
  assert.equal(closed.t, last + 60e6 + 3 * 10e6);
  assert.equal(b.ex.tcp_error(id), NetError.KeepAliveFailed);
  assert.equal(b.ex.tcp_stat(2) - probesBefore, 3);
});

test("SYN flood from spoofed sources: backlog stays bounded, the established connection keeps working", async () => {
  const b = await Bridge.create(15, { ...CLEAN, delayUs: 5000 }, { sockets: 4 });
  const rng = new Rng(99);
  const l = b.call((ex) => { const id = ex.tcp_socket(true); ex.tcp_listen(id, 80, 2); return id; });
  const up = rng.bytes(40_000), down = rng.bytes(40_000);
  let stream: DeviceStream | null = null;
  b.pump = () => {
    if (!stream) { const id = b.ex.tcp_accept(l); if (id >= 0) stream = new DeviceStream(b, id, up); }
    stream?.step();
  };
  const peerGot: Uint8Array[] = [];
  let peerClosed = false;
  b.sched.after(0, () => {
    const c = b.peer.connect(DEV_IP, 80);
    c.onEstablished = () => { c.send(down); c.close(); };
    c.onData = (d) => peerGot.push(d);
    c.onClose = () => { peerClosed = true; };
  });
  let maxHalfOpen = 0;
  const floodFrom = 20e3;
  for (let i = 0; i < 3000; i++) {
    b.sched.at(floodFrom + i * 100, () => {
      const src = (0x0b000000 | rng.int(0xffffff)) >>> 0;
      b.inject(src, buildSeg({ src, sport: 1024 + rng.int(60000), seq: rng.u32(), flags: SYN }));
      let half = 0;
      for (let k = 0; k < 4; k++) if (b.ex.tcp_allocated(k) && b.ex.tcp_state(k) === TcpState.SynReceived) half++;
      maxHalfOpen = Math.max(maxHalfOpen, half);
    });
  }
  b.sched.runUntilCondition(() => peerClosed && stream !== null && stream.closed, 600e6);
  assert.ok(stream, "the peer's connection was accepted");
  assert.equal(sha((stream as unknown as { data(): Uint8Array }).data()), sha(down));
  const pg = new Uint8Array(peerGot.reduce((a, c) => a + c.length, 0));
  { let o = 0; for (const c of peerGot) { pg.set(c, o); o += c.length; } }
  assert.equal(sha(pg), sha(up));
  assert.ok(maxHalfOpen <= 2, `half-open ${maxHalfOpen}`);
  assert.ok(b.ex.counter(56) > 2900, "backlog drops counted");
});
