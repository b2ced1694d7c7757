// 60k random and mutated segments against established, listening, half-open and closing
// sockets: no trap, heap constant, and the module keeps working afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { unitDevice, buildSeg, ACK, FIN, SYN, RST, PSH } from "./tcp-segments.ts";
import { checksum, pseudoSum } from "../../sim/hosts/wire.ts";
import { DEV_IP, PEER_IP, TcpState } from "./tcp-bridge.ts";
import { Rng } from "../../sim/core/rng.ts";

test("fuzz: 60,000 random/mutated segments, no trap, heap constant", async () => {
  const d = await unitDevice({ rx: 1024, tx: 1024, tw: 2 });
  const rng = new Rng(4242);
  const { id, iss } = d.accept(0xfffff000, 5000);
  const l2 = d.ex.tcp_socket(true);
  d.ex.tcp_listen(l2, 81, 2);
  const c = d.ex.tcp_socket(true);
  d.ex.tcp_connect(c, PEER_IP, 90, d.now);
  d.take();
  const h0 = d.ex.heap_top(), h1 = d.ex.heap_top();
  const probe = h1 - h0;
  const payload = rng.bytes(2000);
  d.ex.tcp_send(id, d.h.input(payload), 1000, d.now);
  const seqBase = 0xfffff001, ackBase = iss + 1;
  const near = (x: number) => (x + rng.int(4096) - 2048) >>> 0;
  const N = 60_000;
  for (let i = 0; i < N; i++) {
    const kind = rng.int(10);
    let b: Uint8Array;
    const flags = rng.int(64);
    const sport = [5000, 90, rng.int(65536)][rng.int(3)];
    const dport = [80, 81, 80, rng.int(65536)][rng.int(4)];
    if (kind < 5) {
      // Plausible segments near the live sequence space with random flags and data.
      b = buildSeg({ sport, dport, seq: near(seqBase), ack: near(ackBase), flags, wnd: rng.int(65536), data: payload.subarray(0, rng.int(1200)) });
    } else if (kind < 7) {
      // Random option bytes (checksum fixed up so the options parser sees them).
      const optLen = 4 * rng.int(11);
      b = buildSeg({ sport, dport, seq: near(seqBase), ack: near(ackBase), flags, options: rng.bytes(optLen), data: payload.subarray(0, rng.int(100)) });
    } else if (kind < 9) {
      // Mutations of a valid segment: flipped bytes, random data offset, truncation.
      b = buildSeg({ sport: 5000, dport: 80, seq: near(seqBase), ack: near(ackBase), flags: ACK | (flags & (FIN | PSH | SYN | RST)), data: payload.subarray(0, rng.int(600)) });
      for (let k = rng.int(4); k >= 0; k--) b[rng.int(Math.min(b.length, 24))] = rng.u32() & 255;
      if (rng.chance(0.3)) b = b.subarray(0, rng.int(b.length + 1));
      if (b.length >= 18 && rng.chance(0.7)) {
        b[16] = 0; b[17] = 0;
        const cs = checksum(b, 0, b.length, pseudoSum(PEER_IP, DEV_IP, 6, b.length));
        b[16] = cs >> 8; b[17] = cs & 255;
      }
    } else {
      b = rng.bytes(rng.int(80));
    }
    d.raw(b, rng.chance(0.8) ? PEER_IP : rng.u32());
    if (i % 97 === 0) { d.now += BigInt(rng.int(3_000_000)); d.ex.tcp_poll(d.now); d.take(); }
    if (i % 1000 === 0) {
      // Keep the application side busy too.
      const st = d.ex.tcp_state(id);
      if (st !== TcpState.Closed) { d.ex.tcp_recv(id, d.h.outputPtr, 4096, d.now); d.ex.tcp_send(id, d.h.input(payload), rng.int(500), d.now); }
      else { d.ex.tcp_release(id, d.now); }
      d.take();
    }
  }
  assert.equal(d.ex.heap_top() - h1, probe, "heap grew during the fuzz run");
  // Still functional: with the closed client socket released, a passive open on 81 works.
  if (d.ex.tcp_state(c) === TcpState.Closed) d.ex.tcp_release(c, d.now);
  const synack = d.feed({ sport: 6001, dport: 81, seq: 1, flags: SYN });
  const sa = synack.find((s) => s.flags === (SYN | ACK));
  assert.ok(sa, "listener still answers");
  assert.ok(d.ex.counter(52) > 1000, "malformed segments were counted");
});
