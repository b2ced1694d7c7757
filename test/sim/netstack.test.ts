// The wired IP path (Ethernet, ARP, IPv4, ICMP, routes, ping) driven through a harness
// module on an in-memory driver; frames are built and checked by netstack-frames.ts.
import { test, describe, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { loadHarness, Harness } from "../harness-host.ts";
import { Counter } from "../../sim/generated/hal.ts";
import {
  ip, mac, BROADCAST, ZERO_MAC, eth, arp, ipv4, icmp, echo, checksum, parseFrame, parseArp, parseIp, u16, Frame,
} from "./netstack-frames.ts";

const OUR_MAC = mac(2, 0, 0, 0, 0, 1);
const OUR_IP = ip(192, 168, 1, 10);
const GATEWAY = ip(192, 168, 1, 1);
const GW_MAC = mac(2, 0, 0, 0, 0, 0xfe);
const PEER = ip(192, 168, 1, 20);
const PEER_MAC = mac(2, 0, 0, 0, 0, 0x20);
const SEC = 1_000_000n;

let h: Harness;
let ex: any;
const T0 = 1_000n * SEC;

/** Loads a fresh module (module state = one device), configured at T0. */
async function fresh(configure = true): Promise<void> {
  h = await loadHarness("netstack");
  ex = h.exports;
  if (configure) {
    // Configured a while ago, so its gratuitous ARPs are over by T0.
    assert.equal(ex.set_ipv4(OUR_IP, 24, GATEWAY, T0 - 10n * SEC), 1);
    ex.poll(T0 - 5n * SEC);
    ex.tx_clear();
  }
}

function inject(frame: Uint8Array, now: bigint): void {
  ex.inject(h.input(frame), frame.length, now);
}

/** The frames the stack sent since the last call, and clears them. */
function sent(): Frame[] {
  const out: Frame[] = [];
  const used = ex.tx_bytes();
  const buf = h.bytes(h.outputPtr, used);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o < used;) {
    const len = dv.getUint32(o, true);
    out.push(parseFrame(buf.slice(o + 4, o + 4 + len)));
    o += 4 + len;
  }
  ex.tx_clear();
  return out;
}

const counter = (id: number): number => ex.counter(id);
const arpFrom = (op: number, sha: Uint8Array, spa: number, tpa: number, dst = BROADCAST, tha = ZERO_MAC) =>
  eth(dst, sha, 0x0806, arp(op, sha, spa, tha, tpa));
const ipFrame = (src: number, dst: number, proto: number, payload: Uint8Array, o = {}, dstMac = OUR_MAC, srcMac = PEER_MAC) =>
  eth(dstMac, srcMac, 0x0800, ipv4(src, dst, proto, payload, o));
const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);

/** Teaches the stack PEER's MAC through an ARP request for our address. */
function learnPeer(now = T0): void {
  inject(arpFrom(1, PEER_MAC, PEER, OUR_IP), now);
  sent();
}

describe("ARP", () => {
  beforeEach(() => fresh());

  test("answers a request for our address and learns the sender", () => {
    inject(arpFrom(1, PEER_MAC, PEER, OUR_IP), T0);
    const [f, ...rest] = sent();
    assert.equal(rest.length, 0);
    assert.deepEqual(f.dst, PEER_MAC);
    assert.deepEqual(f.src, OUR_MAC);
    assert.equal(f.type, 0x0806);
    const a = parseArp(f.payload);
    assert.equal(a.op, 2);
    assert.deepEqual(a.sha, OUR_MAC);
    assert.equal(a.spa, OUR_IP);
    assert.deepEqual(a.tha, PEER_MAC);
    assert.equal(a.tpa, PEER);
    assert.equal(ex.arp_lookup(PEER), 1);
    assert.equal(counter(Counter.ArpRx), 1);
  });

  test("ignores requests for other addresses and does not learn from them (RFC 826)", () => {
    inject(arpFrom(1, PEER_MAC, PEER, ip(192, 168, 1, 77)), T0);
    assert.equal(sent().length, 0);
    assert.equal(ex.arp_lookup(PEER), 0);
  });

  test("updates a known sender's MAC from any ARP packet (merge flag)", () => {
    learnPeer();
    const moved = mac(2, 0, 0, 0, 0, 0x21);
    inject(arpFrom(1, moved, PEER, ip(192, 168, 1, 77)), T0 + 1n);
    assert.equal(ex.send(PEER, 17, 8, T0 + 2n), 1);
    const [f] = sent();
    assert.deepEqual(f.dst, moved);
  });

  test("resolves the gateway for an off-link destination", () => {
    const far = ip(8, 8, 8, 8);
    assert.equal(ex.send(far, 17, 12, T0), 1);
    const [req] = sent();
    assert.deepEqual(req.dst, BROADCAST);
    const a = parseArp(req.payload);
    assert.equal(a.op, 1);
    assert.equal(a.tpa, GATEWAY);
    assert.equal(a.spa, OUR_IP);
    inject(arpFrom(2, GW_MAC, GATEWAY, OUR_IP, OUR_MAC, OUR_MAC), T0 + 100n);
    const [f] = sent();
    assert.deepEqual(f.dst, GW_MAC);
    const p = parseIp(f.payload);
    assert.equal(p.dst, far);
    assert.equal(p.src, OUR_IP);
    assert.equal(p.ttl, 64);
    assert.equal(p.flags & 0x4000, 0x4000, "DF set");
    assert.ok(p.headerOk);
    assert.deepEqual(p.payload, Uint8Array.from({ length: 12 }, (_, i) => i));
  });

  test("queues packets while resolving, flushes them in order, drops the newest when full", () => {
    assert.equal(ex.send(PEER, 17, 10, T0), 1);
    assert.equal(ex.send(PEER, 17, 11, T0 + 1n), 1);
    assert.equal(ex.send(PEER, 17, 12, T0 + 2n), 0, "third frame: no free slot");
    assert.equal(ex.send(PEER, 17, 1000, T0 + 3n), 0, "larger than a slot");
    assert.equal(counter(Counter.ArpQueueDrops), 2);
    assert.equal(sent().length, 1, "one request, no duplicate while incomplete");
    inject(arpFrom(2, PEER_MAC, PEER, OUR_IP, OUR_MAC, OUR_MAC), T0 + 500n);
    const frames = sent();
    assert.equal(frames.length, 2);
    assert.deepEqual(frames.map((f) => parseIp(f.payload).payload.length), [10, 11]);
    for (const f of frames) assert.deepEqual(f.dst, PEER_MAC);
  });

  test("retries three times one second apart, then gives up and drops the queue", () => {
    const lost = ip(192, 168, 1, 99);
    ex.send(lost, 17, 10, T0);
    assert.equal(sent().length, 1);
    assert.equal(ex.poll(T0), T0 + SEC);
    ex.poll(T0 + SEC - 1n);
    assert.equal(sent().length, 0);
    ex.poll(T0 + SEC);
    ex.poll(T0 + 2n * SEC);
    const retries = sent();
    assert.equal(retries.length, 2);
    for (const f of retries) assert.equal(parseArp(f.payload).tpa, lost);
    assert.equal(counter(Counter.ArpResolveFailures), 0);
    ex.poll(T0 + 3n * SEC);
    assert.equal(sent().length, 0);
    assert.equal(counter(Counter.ArpResolveFailures), 1);
    assert.equal(counter(Counter.ArpQueueDrops), 1);
    assert.equal(ex.arp_entries(), 0);
  });

  test("ages entries out after 20 minutes and refreshes busy ones before", () => {
    learnPeer(T0);
    const life = 20n * 60n * SEC;
    // Used in its last minute: one unicast request to the cached MAC, then the packet.
    ex.send(PEER, 17, 4, T0 + life - 30n * SEC);
    const [refresh, pkt] = sent();
    assert.deepEqual(refresh.dst, PEER_MAC);
    assert.equal(parseArp(refresh.payload).tpa, PEER);
    assert.equal(pkt.type, 0x0800);
    ex.poll(T0 + life - 1n);
    assert.equal(ex.arp_lookup(PEER), 1);
    ex.poll(T0 + life);
    assert.equal(ex.arp_lookup(PEER), 0);
  });

  test("a reply to the refresh keeps the entry alive", () => {
    learnPeer(T0);
    const life = 20n * 60n * SEC;
    ex.send(PEER, 17, 4, T0 + life - 30n * SEC);
    sent();
    inject(arpFrom(2, PEER_MAC, PEER, OUR_IP, OUR_MAC, OUR_MAC), T0 + life - 29n * SEC);
    ex.poll(T0 + life + SEC);
    assert.equal(ex.arp_lookup(PEER), 1);
  });

  test("evicts the entry expiring soonest when the cache is full", () => {
    for (let i = 0; i < 5; i++) {
      const m = mac(2, 0, 0, 0, 1, i);
      inject(arpFrom(1, m, ip(192, 168, 1, 100 + i), OUR_IP), T0 + BigInt(i));
    }
    assert.equal(ex.arp_entries(), 4);
    assert.equal(counter(Counter.ArpCacheEvictions), 1);
    assert.equal(ex.arp_lookup(ip(192, 168, 1, 100)), 0, "oldest went");
    assert.equal(ex.arp_lookup(ip(192, 168, 1, 104)), 1);
  });

  test("announces a new address with two gratuitous requests", async () => {
    await fresh(false);
    ex.set_ipv4(OUR_IP, 24, GATEWAY, T0);
    const [g1] = sent();
    const a = parseArp(g1.payload);
    assert.deepEqual(g1.dst, BROADCAST);
    assert.equal(a.op, 1);
    assert.equal(a.spa, OUR_IP);
    assert.equal(a.tpa, OUR_IP);
    assert.equal(ex.poll(T0), T0 + 2n * SEC);
    ex.poll(T0 + 2n * SEC);
    const [g2] = sent();
    assert.equal(parseArp(g2.payload).spa, OUR_IP);
    ex.poll(T0 + 10n * SEC);
    assert.equal(sent().length, 0);
    // A changed address is announced again, and the old cache is forgotten.
    learnPeer(T0 + 11n * SEC);
    ex.set_ipv4(ip(192, 168, 1, 11), 24, GATEWAY, T0 + 12n * SEC);
    assert.equal(parseArp(sent()[0].payload).spa, ip(192, 168, 1, 11));
    assert.equal(ex.arp_lookup(PEER), 0);
  });

  test("re-announces after the link comes back", () => {
    ex.link(0, T0);
    assert.equal(ex.send(PEER, 17, 4, T0), 0, "no route while the link is down");
    ex.link(1, T0 + SEC);
    const [g] = sent();
    assert.equal(parseArp(g.payload).tpa, OUR_IP);
    assert.equal(counter(Counter.EthLinkChanges), 2);
  });
});

describe("ICMP", () => {
  beforeEach(() => fresh());

  test("answers an echo request with the same data and valid checksums", () => {
    learnPeer();
    const payload = data(56);
    inject(ipFrame(PEER, OUR_IP, 1, echo(8, 0x1234, 7, payload), { id: 99, ttl: 3 }), T0);
    const [f, ...rest] = sent();
    assert.equal(rest.length, 0);
    assert.deepEqual(f.dst, PEER_MAC);
    const p = parseIp(f.payload);
    assert.ok(p.headerOk);
    assert.equal(p.src, OUR_IP);
    assert.equal(p.dst, PEER);
    assert.equal(p.ttl, 64);
    assert.equal(p.proto, 1);
    assert.equal(checksum(p.payload), 0, "ICMP checksum");
    assert.deepEqual(p.payload, echo(0, 0x1234, 7, payload));
    assert.equal(counter(Counter.IcmpEchoReplies), 1);
  });

  test("answers an odd-length echo request from an unknown peer after resolving it", () => {
    inject(ipFrame(PEER, OUR_IP, 1, echo(8, 1, 1, data(33))), T0);
    const [req] = sent();
    assert.equal(parseArp(req.payload).tpa, PEER);
    inject(arpFrom(2, PEER_MAC, PEER, OUR_IP, OUR_MAC, OUR_MAC), T0 + 10n);
    const [f] = sent();
    const p = parseIp(f.payload);
    assert.deepEqual(p.payload, echo(0, 1, 1, data(33)));
    assert.equal(checksum(p.payload), 0);
  });

  test("ignores echo requests to broadcast addresses (RFC 1122 §3.2.2.6)", () => {
    learnPeer();
    inject(ipFrame(PEER, ip(192, 168, 1, 255), 1, echo(8, 1, 1, data(8)), {}, BROADCAST), T0);
    inject(ipFrame(PEER, 0xffffffff, 1, echo(8, 1, 2, data(8)), {}, BROADCAST), T0);
    assert.equal(sent().length, 0);
    assert.equal(counter(Counter.IcmpRx), 2);
  });

  test("pings with per-reply RTT, min/avg/max and loss", () => {
    learnPeer();
    assert.equal(ex.ping_start(PEER, 3, 32, SEC, T0), 1);
    const reqs: Frame[] = [];
    const answer = (f: Frame, at: bigint) => {
      const m = parseIp(f.payload).payload;
      inject(ipFrame(PEER, OUR_IP, 1, echo(0, u16(m, 4), u16(m, 6), m.slice(8))), at);
    };
    let [r] = sent();
    reqs.push(r);
    const m0 = parseIp(r.payload).payload;
    assert.equal(m0[0], 8);
    assert.equal(m0.length, 40);
    assert.equal(checksum(m0), 0);
    answer(r, T0 + 1500n);
    answer(r, T0 + 1600n); // duplicate
    assert.equal(ex.poll(T0 + 2000n), T0 + SEC);
    ex.poll(T0 + SEC);
    [r] = sent();
    assert.equal(u16(parseIp(r.payload).payload, 6), 1);
    // seq 1 is lost
    ex.poll(T0 + 2n * SEC);
    [r] = sent();
    assert.equal(u16(parseIp(r.payload).payload, 6), 2);
    answer(r, T0 + 2n * SEC + 2500n);
    assert.equal(ex.ping_running(), 1);
    assert.equal(ex.poll(T0 + 2n * SEC + 3000n), T0 + 3n * SEC, "waits a timeout for the last");
    ex.poll(T0 + 3n * SEC);
    assert.equal(ex.ping_running(), 0);
    assert.equal(ex.ping_sent(), 3);
    assert.equal(ex.ping_received(), 2);
    assert.equal(ex.ping_duplicates(), 1);
    assert.equal(ex.ping_loss(), 33);
    assert.equal(ex.ping_rtt(0), 1500n);
    assert.equal(ex.ping_rtt(1), 2500n);
    assert.equal(ex.ping_rtt_min(), 1500n);
    assert.equal(ex.ping_rtt_max(), 2500n);
    assert.equal(ex.ping_rtt_avg(), 2000n);
  });

  test("ends a ping run early when every reply is in", () => {
    learnPeer();
    ex.ping_start(PEER, 1, 0, SEC, T0);
    const [r] = sent();
    const m = parseIp(r.payload).payload;
    inject(ipFrame(PEER, OUR_IP, 1, echo(0, u16(m, 4), 0, new Uint8Array(0))), T0 + 700n);
    assert.equal(ex.ping_running(), 0, "done before the timeout");
    assert.equal(ex.ping_received(), 1);
    assert.equal(ex.ping_loss(), 0);
  });

  test("rate-limits protocol-unreachable errors with a token bucket", () => {
    learnPeer();
    for (let i = 0; i < 10; i++) inject(ipFrame(PEER, OUR_IP, 99, data(20), { id: i }), T0);
    const errs = sent();
    assert.equal(errs.length, 4, "burst of 4");
    assert.equal(counter(Counter.IcmpErrorsRateLimited), 6);
    assert.equal(counter(Counter.IpDropProtocol), 10);
    const p = parseIp(errs[0].payload);
    assert.equal(p.dst, PEER);
    assert.equal(p.payload[0], 3);
    assert.equal(p.payload[1], 2);
    assert.equal(checksum(p.payload), 0);
    assert.equal(p.payload.length, 8 + 20 + 8, "quotes the header and 8 bytes");
    assert.deepEqual(p.payload.slice(8), ipv4(PEER, OUR_IP, 99, data(20), { id: 0 }).slice(0, 28));
    inject(ipFrame(PEER, OUR_IP, 99, data(20)), T0 + 249_999n);
    assert.equal(sent().length, 0);
    inject(ipFrame(PEER, OUR_IP, 99, data(20)), T0 + 250_000n);
    assert.equal(sent().length, 1, "one token per 250 ms");
  });

  test("never answers a broadcast with an error, nor an error with an error", () => {
    learnPeer();
    inject(ipFrame(PEER, ip(192, 168, 1, 255), 99, data(20), {}, BROADCAST), T0);
    const quoted = ipv4(OUR_IP, PEER, 99, data(8));
    inject(ipFrame(PEER, OUR_IP, 1, icmp(3, 2, 0, quoted), {}), T0);
    inject(ipFrame(0, OUR_IP, 1, echo(8, 1, 1, data(4))), T0);
    assert.equal(sent().length, 0);
    assert.equal(counter(Counter.IcmpUnreachRx), 1);
  });

  test("hands destination-unreachable to the transport that sent the quoted datagram", () => {
    const quoted = ipv4(OUR_IP, ip(10, 0, 0, 1), 17, data(16));
    inject(ipFrame(GATEWAY, OUR_IP, 1, icmp(3, 3, 0, quoted.slice(0, 28)), {}, OUR_MAC, GW_MAC), T0);
    assert.equal(ex.icmp_errors(), 1);
    assert.equal(ex.icmp_last_type(), 3);
    assert.equal(ex.icmp_last_code(), 3);
    inject(ipFrame(GATEWAY, OUR_IP, 1, icmp(11, 0, 0, quoted.slice(0, 28)), {}, OUR_MAC, GW_MAC), T0);
    assert.equal(ex.icmp_last_type(), 11);
    // A quote too short to hold the ports is dropped.
    inject(ipFrame(GATEWAY, OUR_IP, 1, icmp(3, 3, 0, quoted.slice(0, 24)), {}, OUR_MAC, GW_MAC), T0);
    assert.equal(ex.icmp_errors(), 2);
    assert.equal(counter(Counter.IcmpDropMalformed), 1);
  });
});

describe("IPv4 input", () => {
  beforeEach(() => fresh());

  test("delivers unicast, limited and subnet broadcast, and joined multicast", () => {
    inject(ipFrame(PEER, OUR_IP, 17, data(9)), T0);
    assert.equal(ex.udp_packets(), 1);
    assert.equal(ex.udp_last_len(), 9);
    assert.equal(ex.udp_last_src() >>> 0, PEER);
    inject(ipFrame(PEER, 0xffffffff, 17, data(3), {}, BROADCAST), T0);
    inject(ipFrame(PEER, ip(192, 168, 1, 255), 17, data(3), {}, BROADCAST), T0);
    assert.equal(ex.udp_packets(), 3);
    const mdns = ip(224, 0, 0, 251), mdnsMac = mac(1, 0, 0x5e, 0, 0, 251);
    inject(ipFrame(PEER, mdns, 17, data(3), {}, mdnsMac), T0);
    assert.equal(ex.udp_packets(), 3, "not joined: dropped at the Ethernet filter");
    assert.equal(counter(Counter.EthRxDropNotForUs), 1);
    assert.equal(ex.join_group(mdns), 1);
    inject(ipFrame(PEER, mdns, 17, data(3), {}, mdnsMac), T0);
    assert.equal(ex.udp_packets(), 4);
    // Ethernet padding after the IP total length is not payload.
    const padded = Uint8Array.from([...ipFrame(PEER, OUR_IP, 17, data(2)), 0, 0, 0, 0, 0, 0]);
    inject(padded, T0);
    assert.equal(ex.udp_last_len(), 2);
  });

  test("drops bad frames and counts each reason", () => {
    const good = ipFrame(PEER, OUR_IP, 17, data(8));
    const cases: Array<[string, Uint8Array, number]> = [
      ["short frame", good.slice(0, 13), Counter.EthRxDropMalformed],
      ["other MAC", ipFrame(PEER, OUR_IP, 17, data(8), {}, mac(2, 0, 0, 0, 0, 9)), Counter.EthRxDropNotForUs],
      ["truncated IP", good.slice(0, 14 + 19), Counter.IpDropMalformed],
      ["total length beyond frame", good.slice(0, good.length - 1), Counter.IpDropMalformed],
      ["version 6", ipFrame(PEER, OUR_IP, 17, data(8), { version: 6 }), Counter.IpDropMalformed],
      ["bad header checksum", ipFrame(PEER, OUR_IP, 17, data(8), { badChecksum: true }), Counter.IpDropBadChecksum],
      ["other address", ipFrame(PEER, ip(192, 168, 1, 11), 17, data(8)), Counter.IpDropNotForUs],
      ["unicast IP in link broadcast", ipFrame(PEER, OUR_IP, 17, data(8), {}, BROADCAST), Counter.IpDropNotForUs],
      ["broadcast source", ipFrame(0xffffffff, OUR_IP, 17, data(8)), Counter.IpDropMalformed],
      ["loopback source", ipFrame(ip(127, 0, 0, 1), OUR_IP, 17, data(8)), Counter.IpDropMalformed],
      ["TTL 0", ipFrame(PEER, OUR_IP, 17, data(8), { ttl: 0 }), Counter.IpDropTtl],
      ["first fragment", ipFrame(PEER, OUR_IP, 17, data(8), { flagsFrag: 0x2000 }), Counter.IpDropFragment],
      ["later fragment", ipFrame(PEER, OUR_IP, 17, data(8), { flagsFrag: 0x0010 }), Counter.IpDropFragment],
      ["bad ICMP checksum", (() => { const f = ipFrame(PEER, OUR_IP, 1, echo(8, 1, 1, data(8))); f[f.length - 1] ^= 1; return f; })(), Counter.IcmpDropMalformed],
      ["short ICMP", ipFrame(PEER, OUR_IP, 1, Uint8Array.from([8, 0, 0xf7, 0xff])), Counter.IcmpDropMalformed],
      ["ARP with IPv6 protocol type", (() => { const f = arpFrom(1, PEER_MAC, PEER, OUR_IP); f[16] = 0x86; f[17] = 0xdd; return f; })(), Counter.ArpDropMalformed],
      ["short ARP", arpFrom(1, PEER_MAC, PEER, OUR_IP).slice(0, 40), Counter.ArpDropMalformed],
      ["ARP from a multicast MAC", arpFrom(1, mac(1, 0, 0x5e, 0, 0, 1), PEER, OUR_IP), Counter.ArpDropMalformed],
    ];
    for (const [name, frame, id] of cases) {
      const before = counter(id);
      inject(frame, T0);
      assert.equal(counter(id), before + 1, name);
    }
    assert.equal(ex.udp_packets(), 0);
    assert.equal(sent().length, 0, "nothing answered");
    assert.equal(counter(Counter.EthRxFrames), cases.length);
  });

  test("accepts a header with options", () => {
    inject(ipFrame(PEER, OUR_IP, 17, data(5), { options: [1, 1, 1, 0] }), T0);
    assert.equal(ex.udp_packets(), 1);
    assert.equal(ex.udp_last_len(), 5);
  });

  test("has no route before configuration and when the driver is busy counts a tx error", async () => {
    await fresh(false);
    assert.equal(ex.send(PEER, 17, 4, T0), 0);
    assert.equal(counter(Counter.IpDropNoRoute), 1);
    ex.set_ipv4(OUR_IP, 24, 0, T0);
    assert.equal(ex.send(ip(8, 8, 8, 8), 17, 4, T0), 0, "no gateway: no default route");
    learnPeer();
    ex.set_busy(1);
    assert.equal(ex.send(PEER, 17, 4, T0), 0);
    assert.equal(counter(Counter.EthTxErrors), 1);
  });
});
