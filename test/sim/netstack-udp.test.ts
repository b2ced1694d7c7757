// The transports' UDP over the NetStack through stack/net/transport-glue.ts: datagrams in
// and out through ARP, and port unreachable for a closed port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadHarness } from "../harness-host.ts";
import { Counter } from "../../sim/generated/hal.ts";
import { ip, mac, BROADCAST, ZERO_MAC, eth, arp, ipv4, checksum, parseFrame, parseIp, u16 } from "./netstack-frames.ts";

const OUR_MAC = mac(2, 0, 0, 0, 0, 1);
const OUR_IP = ip(192, 168, 1, 10);
const PEER = ip(192, 168, 1, 20);
const PEER_MAC = mac(2, 0, 0, 0, 0, 0x20);
const T0 = 100_000_000n;

function udp(src: number, dst: number, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const len = 8 + data.length;
  const d = Uint8Array.from([sport >> 8, sport & 255, dport >> 8, dport & 255, len >> 8, len & 255, 0, 0, ...data]);
  const pseudo = Uint8Array.from([src >>> 24, (src >>> 16) & 255, (src >>> 8) & 255, src & 255,
    dst >>> 24, (dst >>> 16) & 255, (dst >>> 8) & 255, dst & 255, 0, 17, len >> 8, len & 255]);
  const c = checksum(Uint8Array.from([...pseudo, ...d])) || 0xffff;
  d[6] = c >> 8; d[7] = c & 255;
  return d;
}

async function setup() {
  const h = await loadHarness("netstack-udp");
  const ex = h.exports;
  assert.equal(ex.glue_attached(), 1);
  ex.set_ipv4(OUR_IP, 24, ip(192, 168, 1, 1), T0 - 10_000_000n);
  ex.poll(T0 - 5_000_000n);
  const inject = (f: Uint8Array) => ex.inject(h.input(f), f.length, T0);
  inject(eth(BROADCAST, PEER_MAC, 0x0806, arp(1, PEER_MAC, PEER, ZERO_MAC, OUR_IP)));
  ex.tx_clear();
  const sent = () => {
    const used = ex.tx_bytes(), buf = h.bytes(h.outputPtr, used), out = [];
    for (let o = 0; o < used;) {
      const len = buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16);
      out.push(parseFrame(buf.slice(o + 4, o + 4 + len)));
      o += 4 + len;
    }
    ex.tx_clear();
    return out;
  };
  return { h, ex, inject, sent };
}

test("a closed port answers ICMP port unreachable through the glue", async () => {
  const { ex, inject, sent } = await setup();
  const dgram = ipv4(PEER, OUR_IP, 17, udp(PEER, OUR_IP, 5000, 9999, Uint8Array.of(1, 2, 3)));
  inject(eth(OUR_MAC, PEER_MAC, 0x0800, dgram));
  assert.equal(ex.counter(Counter.UdpDropNoSocket), 1);
  const [f] = sent();
  const p = parseIp(f.payload);
  assert.equal(p.proto, 1);
  assert.equal(p.payload[0], 3);
  assert.equal(p.payload[1], 3);
  assert.equal(checksum(p.payload), 0);
  assert.deepEqual(p.payload.slice(8), dgram.slice(0, 28));
});

test("a bound socket receives, and sendTo leaves with a valid UDP checksum", async () => {
  const { h, ex, inject, sent } = await setup();
  assert.equal(ex.bind(7), 0);
  inject(eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER, OUR_IP, 17, udp(PEER, OUR_IP, 5000, 7, Uint8Array.of(4, 5)))));
  assert.equal(ex.pending(), 1);
  const data = Uint8Array.of(9, 8, 7, 6, 5);
  assert.equal(ex.send_to(PEER, 5000, h.input(data), data.length, T0), 0);
  const [f] = sent();
  assert.deepEqual(f.dst, PEER_MAC);
  const p = parseIp(f.payload);
  assert.equal(p.proto, 17);
  assert.equal(u16(p.payload, 2), 5000);
  assert.deepEqual(p.payload.slice(8), data);
  const pseudo = Uint8Array.from([192, 168, 1, 10, 192, 168, 1, 20, 0, 17, 0, p.payload.length]);
  assert.equal(checksum(Uint8Array.from([...pseudo, ...p.payload])), 0);
});
