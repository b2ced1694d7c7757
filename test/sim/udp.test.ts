// UDP sockets (stack/transport/udp.ts) through the transport harness.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadHarness } from "../harness-host.ts";
import { buildUdp, checksum, pseudoSum } from "../../sim/hosts/wire.ts";

const DEV = 0x0a000002, PEER = 0x0a000001;

async function dev() {
  const h = await loadHarness("transport");
  h.exports.setup(2, 1024, 1024, 2, DEV);
  return h;
}

test("bind, receive with source, send with a valid checksum; zero checksum accepted", async () => {
  const h = await dev(); const ex = h.exports;
  const s = ex.udp_socket(true);
  assert.equal(ex.udp_bind(s, 5353), 0);
  const msg = new TextEncoder().encode("hello");
  const d = buildUdp(PEER, DEV, 4000, 5353, msg);
  ex.udp_input(PEER, DEV, h.input(d), d.length, 0n);
  const nochk = d.slice(); nochk[6] = 0; nochk[7] = 0; // RFC 768: no checksum
  ex.udp_input(PEER, DEV, h.input(nochk), nochk.length, 0n);
  const bad = d.slice(); bad[9] ^= 1;
  ex.udp_input(PEER, DEV, h.input(bad), bad.length, 0n);
  assert.equal(ex.udp_pending(s), 2);
  assert.equal(ex.counter(42), 1);
  assert.equal(ex.udp_receive_from(s, h.outputPtr, 100), 5);
  assert.deepEqual(h.bytes(h.outputPtr, 5), msg);
  assert.equal(ex.udp_from_addr(s) >>> 0, PEER);
  assert.equal(ex.udp_from_port(s), 4000);
  ex.tx_clear();
  assert.equal(ex.udp_send_to(s, PEER, 4000, h.input(msg), msg.length, 0n), 0);
  const out = h.bytes(ex.tx_ptr(0), ex.tx_len(0));
  assert.equal(checksum(out, 0, out.length, pseudoSum(DEV, PEER, 17, out.length)), 0);
  assert.equal((out[0] << 8) | out[1], 5353);
});

test("bounded receive queue: drops counted; truncating receive; ephemeral ports vary", async () => {
  const h = await dev(); const ex = h.exports;
  const s = ex.udp_socket(false);
  ex.udp_bind(s, 7);
  const d = buildUdp(PEER, DEV, 1, 7, new Uint8Array(300).fill(3));
  for (let i = 0; i < 10; i++) ex.udp_input(PEER, DEV, h.input(d), d.length, 0n);
  assert.equal(ex.udp_pending(s), 3); // 1024-byte ring: 3 x (8 + 300)
  assert.equal(ex.udp_drops(s), 7);
  assert.equal(ex.counter(44), 7);
  assert.equal(ex.udp_receive_from(s, h.outputPtr, 10), 300);
  // Wrap-around of the ring keeps datagrams intact.
  for (let i = 0; i < 20; i++) {
    const m = new Uint8Array(100 + i).fill(i);
    const p = buildUdp(PEER, DEV, 1, 7, m);
    ex.udp_input(PEER, DEV, h.input(p), p.length, 0n);
    while (ex.udp_pending(s) > 1) ex.udp_receive_from(s, h.outputPtr, 400);
    if (ex.udp_pending(s) === 1 && ex.udp_receive_from(s, h.outputPtr, 400) === 100 + i) assert.deepEqual(h.bytes(h.outputPtr, 100 + i), m);
  }
  // No socket: counted and reported for ICMP port unreachable.
  const other = buildUdp(PEER, DEV, 1, 9999, new Uint8Array(4));
  ex.udp_input(PEER, DEV, h.input(other), other.length, 0n);
  assert.equal(ex.counter(43), 1);
  assert.equal(ex.ip_port_unreachables(), 1);
  const ports = new Set<number>();
  for (let i = 0; i < 5; i++) { const u = ex.udp_socket(false); ex.udp_connect(u, PEER, 53); ports.add(ex.udp_local_port(u)); ex.udp_close(u); }
  assert.ok(ports.size >= 4 && [...ports].every((p) => p >= 1024));
});

test("ICMP port unreachable becomes a socket error (connected socket and last destination)", async () => {
  const h = await dev(); const ex = h.exports;
  const s = ex.udp_socket(true);
  ex.udp_connect(s, PEER, 53);
  const q = new Uint8Array(28); q[0] = 0x45; q[9] = 17;
  const v = new DataView(q.buffer);
  v.setUint32(12, DEV); v.setUint32(16, PEER); v.setUint16(20, ex.udp_local_port(s)); v.setUint16(22, 53);
  ex.udp_icmp_error(3, 3, h.input(q), 28, 0n);
  assert.equal(ex.udp_take_error(s), 1); // Refused
  assert.equal(ex.udp_take_error(s), 0);
  v.setUint16(22, 54); // another destination port: not ours
  ex.udp_icmp_error(3, 3, h.input(q), 28, 0n);
  assert.equal(ex.udp_take_error(s), 0);
  ex.udp_address_removed(DEV, 0n); // bound to any address: unaffected
  assert.equal(ex.udp_take_error(s), 0);
});
