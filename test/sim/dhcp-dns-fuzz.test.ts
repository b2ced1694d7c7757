// Fuzzes the stack's DHCP and DNS wire parsers (through test/harness/captures.ts) with
// mutated messages: bit flips, truncation, random overwrites, option length lies, option
// overload games, DNS compression pointer games and count lies. Seeds are the DHCP/DNS
// messages of the capture folder when it is there, plus messages built by the stack's own
// emitters and hand-built responses. The parsers must never trap (a trap is a reboot on the
// device), never allocate, and count every message they reject.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../sim/core/rng.ts";
import { readPcap, LINKTYPE_ETHERNET } from "../../tools/pcap-read.ts";
import { transportOf, tcpDnsMessages } from "../captures/lib/frames.ts";
import { capturesRoot } from "../captures/lib/dir.ts";
import { WireHost, COUNTER } from "../captures/lib/wire-host.ts";

const ITERATIONS_PER_PROTOCOL = 30_000;

function captureSeeds(): { dhcp: Uint8Array[]; dns: Uint8Array[]; dnsTcp: Uint8Array[] } {
  const out = { dhcp: [] as Uint8Array[], dns: [] as Uint8Array[], dnsTcp: [] as Uint8Array[] };
  for (const proto of ["dhcp", "dns"]) {
    const dir = join(capturesRoot(), proto);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => /\.(pcap|cap)$/.test(n))) {
      const p = readPcap(join(dir, f));
      if (p.linktype !== LINKTYPE_ETHERNET) continue;
      const frames = p.packets.map((x) => x.data);
      for (const fr of frames) {
        const t = transportOf(fr);
        if (!t || t.proto !== "udp") continue;
        if ([67, 68].includes(t.sport) && [67, 68].includes(t.dport)) out.dhcp.push(t.payload);
        if (t.sport === 53 || t.dport === 53) out.dns.push(t.payload);
      }
      for (const m of tcpDnsMessages(frames)) { out.dnsTcp.push(m.framed); out.dns.push(m.framed.subarray(2)); }
    }
  }
  return out;
}

// ---- hand-built seeds ----
function dnsName(s: string): number[] {
  const out: number[] = [];
  for (const l of s.split(".").filter(Boolean)) out.push(l.length, ...Buffer.from(l));
  return out;
}
const be16 = (v: number) => [v >> 8, v & 255];
const be32 = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** A response with a CNAME chain, compression, AAAA, an SOA in authority and an OPT. */
function builtDnsResponse(): Uint8Array {
  const m: number[] = [...be16(0xbeef), ...be16(0x8180), ...be16(1), ...be16(3), ...be16(1), ...be16(1)];
  const q = m.length; // 12
  m.push(...dnsName("www.example.com"), 0, ...be16(1), ...be16(1));
  const exampleCom = q + 4; // "example.com" inside the question name
  // www.example.com CNAME edge.example.com
  m.push(0xc0, q, ...be16(5), ...be16(1), ...be32(300));
  const rdStart = m.length + 2;
  const rd = [4, ...Buffer.from("edge"), 0xc0, exampleCom];
  m.push(...be16(rd.length), ...rd);
  // edge.example.com A 192.0.2.7
  m.push(0xc0, rdStart, ...be16(1), ...be16(1), ...be32(60), ...be16(4), 192, 0, 2, 7);
  // edge.example.com AAAA
  m.push(0xc0, rdStart, ...be16(28), ...be16(1), ...be32(60), ...be16(16), ...new Array(16).fill(0x20));
  // example.com SOA ns.example.com hostmaster.example.com ...
  const soa = [2, ...Buffer.from("ns"), 0xc0, exampleCom, 10, ...Buffer.from("hostmaster"), 0xc0, exampleCom,
    ...be32(1), ...be32(7200), ...be32(900), ...be32(1209600), ...be32(120)];
  m.push(0xc0, exampleCom, ...be16(6), ...be16(1), ...be32(3600), ...be16(soa.length), ...soa);
  // OPT
  m.push(0, ...be16(41), ...be16(1232), ...be32(0), ...be16(0));
  return Uint8Array.from(m);
}

/** An OFFER whose options continue in file and sname (option 52 = 3). */
function builtOverloadedOffer(): Uint8Array {
  const m = new Uint8Array(300);
  m[0] = 2; m[1] = 1; m[2] = 6;
  m.set(be32(0x1234), 4); m.set([10, 0, 0, 9], 16);
  m.set([0x63, 0x82, 0x53, 0x63], 236);
  m.set([53, 1, 2, 52, 1, 3, 54, 4, 10, 0, 0, 1, 255], 240);
  m.set([51, 4, ...be32(3600), 3, 8, 10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 255], 108); // file
  m.set([1, 4, 255, 255, 255, 0, 6, 4, 10, 0, 0, 53, 255], 44); // sname
  return m;
}

// ---- mutations ----
function dhcpOptionStarts(m: Uint8Array): number[] {
  const out: number[] = [];
  let i = 240;
  while (i + 1 < m.length) {
    if (m[i] === 0) { i++; continue; }
    if (m[i] === 255) break;
    out.push(i);
    i += 2 + m[i + 1];
  }
  return out;
}

function mutate(rng: Rng, seed: Uint8Array, kind: "dhcp" | "dns"): Uint8Array {
  let m = seed.slice();
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    if (m.length === 0) break;
    const op = rng.int(kind === "dhcp" ? 8 : 9);
    switch (op) {
      case 0: { // bit flips
        const n = 1 + rng.int(8);
        for (let i = 0; i < n; i++) { const p = rng.int(m.length); m[p] ^= 1 << rng.int(8); }
        break;
      }
      case 1: m = m.slice(0, rng.int(m.length + 1)); break; // truncation
      case 2: { // random overwrite run
        const p = rng.int(m.length), n = 1 + rng.int(8);
        for (let i = p; i < Math.min(m.length, p + n); i++) m[i] = rng.u32() & 255;
        break;
      }
      case 3: { // extend with random bytes
        const ext = rng.bytes(1 + rng.int(64));
        const nm = new Uint8Array(m.length + ext.length); nm.set(m); nm.set(ext, m.length); m = nm;
        break;
      }
      case 4: { // interesting values
        const p = rng.int(m.length);
        m[p] = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xff][rng.int(8)];
        break;
      }
      default:
        if (kind === "dhcp") {
          if (op === 5 || op === 6) { // option length lies
            const starts = dhcpOptionStarts(m);
            if (!starts.length) break;
            const s = starts[rng.int(starts.length)];
            if (s + 1 < m.length) m[s + 1] = [0, 1, 3, 5, 255, m[s + 1] + 1, m[s + 1] - 1 & 255, rng.u32() & 255][rng.int(8)];
          } else { // overload games: turn on 52 and fill file/sname with option soup
            if (m.length < 300) break;
            m.set([52, 1, 1 + rng.int(3)], 240 + 3);
            const area = rng.chance(0.5) ? [108, 128] : [44, 64];
            for (let i = 0; i < area[1]; i++) m[area[0] + i] = rng.chance(0.3) ? [0, 255, 3, 6, 53, 52][rng.int(6)] : rng.u32() & 255;
          }
        } else {
          if (op === 5 || op === 6 || op === 7) { // pointer games
            if (m.length < 14) break;
            const p = 12 + rng.int(m.length - 13);
            const choice = rng.int(5);
            const target = choice === 0 ? p : choice === 1 ? p + 2 + rng.int(20) : choice === 2 ? rng.int(12)
              : choice === 3 ? 12 + rng.int(Math.max(1, p - 12)) : rng.int(0x4000);
            m[p] = 0xc0 | ((target >> 8) & 0x3f); m[p + 1] = target & 255;
          } else { // count lies
            const c = 4 + 2 * rng.int(4);
            m[c] = rng.chance(0.5) ? 0xff : 0; m[c + 1] = rng.u32() & 255;
          }
        }
    }
  }
  return m;
}

/** Names that stress the name reader: long label runs, pointer chains, 63/64-byte labels. */
function nameBombs(): Uint8Array[] {
  const hdr = (an: number) => [...be16(1), ...be16(0x8180), ...be16(1), ...be16(an), 0, 0, 0, 0];
  const out: Uint8Array[] = [];
  const many = new Array(127).fill([1, 0x61]).flat(); // 127 one-byte labels: 254 bytes + root = 255
  out.push(Uint8Array.from([...hdr(0), ...many, 0, 0, 1, 0, 1]));
  out.push(Uint8Array.from([...hdr(0), ...many, 1, 0x61, 0, 0, 1, 0, 1])); // 128 labels, 257 bytes
  out.push(Uint8Array.from([...hdr(0), 63, ...new Array(63).fill(0x62), 0, 0, 1, 0, 1]));
  out.push(Uint8Array.from([...hdr(0), 64, ...new Array(64).fill(0x62), 0, 0, 1, 0, 1]));
  // a chain of backward pointers, each answer's owner pointing at the previous one
  const chain: number[] = [...hdr(40), 1, 0x61, 0, 0, 1, 0, 1];
  for (let i = 0; i < 40; i++) {
    const here = chain.length;
    const prev = i === 0 ? 12 : here - 14;
    chain.push(1, 0x61, 0xc0 | (prev >> 8), prev & 255, 0, 16, 0, 1, 0, 0, 0, 1, 0, 0); // TXT, empty rdata
  }
  out.push(Uint8Array.from(chain));
  // owners that are bare pointers to the previous owner: record i's name takes i+1 hops
  for (const n of [120, 200]) {
    const pc: number[] = [...hdr(n), 1, 0x61, 0, 0, 1, 0, 1];
    let prev = 12;
    for (let i = 0; i < n; i++) {
      const here = pc.length;
      pc.push(0xc0 | (prev >> 8), prev & 255, 0, 16, 0, 1, 0, 0, 0, 1, 0, 0);
      prev = here;
    }
    out.push(Uint8Array.from(pc));
  }
  return out;
}

test("DHCP and DNS parsers survive mutated messages without trapping, allocating, or miscounting", async (t) => {
  const host = await WireHost.load();
  const rng = new Rng(0xd4cd5);
  const caps = captureSeeds();
  const mac = Uint8Array.from([0x02, 0x00, 0x5e, 0x10, 0x20, 0x30]);
  const dhcpSeeds = [...caps.dhcp, builtOverloadedOffer()];
  for (const type of [1, 3, 4, 7, 8]) for (const kind of [0, 1, 2]) {
    dhcpSeeds.push(host.dhcpBuild(type, { xid: 0x1000 + type, mac, ciaddr: 0x0a000005, requestedIp: 0x0a000005, serverId: 0x0a000001, leaseTime: 600, clientIdKind: kind, hostname: kind !== 0 }));
  }
  const dnsSeeds = [...caps.dns, builtDnsResponse(), host.dnsBuildQuery("www.example.com", 7, 1), host.dnsBuildQuery("ipv6.example.org", 8, 28), ...nameBombs()];
  for (const s of dhcpSeeds) assert.ok(s.length > 0);

  // Probing the heap top allocates a zero-sized block itself: measure the probe's own step.
  const probe0 = host.heapTop();
  const heap0 = host.heapTop();
  const probeStep = heap0 - probe0;
  const c0 = { dhcpRx: host.counter(COUNTER.DhcpRx), dhcpBad: host.counter(COUNTER.DhcpDropMalformed), dnsRx: host.counter(COUNTER.DnsRx), dnsBad: host.counter(COUNTER.DnsDropMalformed) };

  let dhcpOk = 0, dhcpBad = 0, dnsOk = 0, dnsBad = 0;
  for (let i = 0; i < ITERATIONS_PER_PROTOCOL; i++) {
    const m = mutate(rng, dhcpSeeds[rng.int(dhcpSeeds.length)], "dhcp");
    if (host.dhcpAccepts(m)) dhcpOk++; else dhcpBad++;
  }
  for (let i = 0; i < ITERATIONS_PER_PROTOCOL; i++) {
    const tcp = caps.dnsTcp.length > 0 && rng.chance(0.2);
    const seed = tcp ? caps.dnsTcp[rng.int(caps.dnsTcp.length)] : dnsSeeds[rng.int(dnsSeeds.length)];
    const m = mutate(rng, seed, "dns");
    if (host.dnsAccepts(m, tcp)) dnsOk++; else dnsBad++;
  }

  assert.equal(host.heapTop(), heap0 + probeStep, "parsers allocated on the packet path");
  assert.equal(host.counter(COUNTER.DhcpRx) - c0.dhcpRx, ITERATIONS_PER_PROTOCOL);
  assert.equal(host.counter(COUNTER.DhcpDropMalformed) - c0.dhcpBad, dhcpBad, "every rejected DHCP message is counted");
  assert.equal(host.counter(COUNTER.DnsRx) - c0.dnsRx, ITERATIONS_PER_PROTOCOL);
  assert.equal(host.counter(COUNTER.DnsDropMalformed) - c0.dnsBad, dnsBad, "every rejected DNS message is counted");
  t.diagnostic(`seeds: ${dhcpSeeds.length} DHCP (${caps.dhcp.length} from captures), ${dnsSeeds.length} DNS (${caps.dns.length} from captures, ${caps.dnsTcp.length} TCP-framed)`);
  t.diagnostic(`DHCP accepted ${dhcpOk}, rejected ${dhcpBad}; DNS accepted ${dnsOk}, rejected ${dnsBad}`);
  // The mutations must exercise both paths, or the fuzzer proves little.
  assert.ok(dhcpOk > 1000 && dhcpBad > 1000, `DHCP accepted ${dhcpOk}, rejected ${dhcpBad}`);
  assert.ok(dnsOk > 1000 && dnsBad > 1000, `DNS accepted ${dnsOk}, rejected ${dnsBad}`);
});

test("name bombs and pointer games are rejected or bounded", async () => {
  const host = await WireHost.load();
  const [max, tooMany, label63, label64, chain, hops120, hops200] = nameBombs();
  assert.equal(host.dns(max)?.question?.name.length, 253, "a 255-byte name is accepted");
  assert.equal(host.dns(tooMany), null, "a 257-byte name is rejected");
  assert.ok(host.dns(label63), "a 63-byte label is accepted");
  assert.equal(host.dns(label64), null, "a 64-byte label is rejected");
  const c = host.dns(chain);
  assert.ok(c && c.answers.length === 16 && c.answersDropped === 24, "answer table bounded, the rest validated and counted");
  assert.ok(host.dns(hops120), "pointer-to-pointer chains up to 128 hops are followed");
  assert.equal(host.dns(hops200), null, "a name needing more than 128 pointer hops is rejected");
  const base = builtDnsResponse();
  const owner = 12 + 17 + 4; // the first answer's owner name: a pointer to the question name
  assert.ok(host.dns(base), "the unmodified response parses");
  const loop = base.slice(); loop[owner + 1] = owner; // points at itself
  assert.equal(host.dns(loop), null, "self pointer");
  const fwd = base.slice(); fwd[owner + 1] = owner + 20; // forward pointer
  assert.equal(host.dns(fwd), null, "forward pointer");
  const hdr = base.slice(); hdr[owner + 1] = 2; // into the header
  assert.equal(host.dns(hdr), null, "pointer into the header");
});

test("hand-built seeds parse as intended (overload, CNAME chain, SOA, emitter output)", async () => {
  const host = await WireHost.load();
  const offer = host.dhcp(builtOverloadedOffer());
  assert.ok(offer);
  assert.equal(offer.messageType, 2);
  assert.equal(offer.overload, 3);
  assert.equal(offer.serverId, "10.0.0.1");
  assert.equal(offer.leaseTime, 3600, "from the file field");
  assert.deepEqual(offer.routers, ["10.0.0.1", "10.0.0.2"], "from the file field");
  assert.equal(offer.subnetMask, "255.255.255.0", "from the sname field");
  assert.deepEqual(offer.dnsServers, ["10.0.0.53"], "from the sname field");

  const r = host.dns(builtDnsResponse());
  assert.ok(r && r.resolved);
  assert.equal(r.resolved.canonicalName, "edge.example.com");
  assert.deepEqual(r.resolved.addresses, ["192.0.2.7"]);
  assert.equal(r.resolved.ttl, 60);
  assert.equal(r.resolved.cnameHops, 1);
  assert.deepEqual(r.soa, { ttl: 3600, minimum: 120, negativeTtl: 120 });
  assert.equal(r.optCount, 1);

  const mac = Uint8Array.from([0x02, 0, 0x5e, 1, 2, 3]);
  const req = host.dhcp(host.dhcpBuild(3, { xid: 0xabcd, mac, requestedIp: 0xc0a8000a, serverId: 0xc0a80001, clientIdKind: 2, hostname: true }));
  assert.ok(req);
  assert.equal(req.op, 1);
  assert.equal(req.xid, 0xabcd);
  assert.equal(req.requestedIp, "192.168.0.10");
  assert.equal(req.serverId, "192.168.0.1");
  assert.equal(req.hostname, "wasmnet-test");
  assert.deepEqual(Array.from(req.clientId), [255, 1, 2, 3, 4, 0, 3, 0, 1, ...mac]);
  assert.deepEqual(req.paramList, [1, 3, 6, 15, 51, 58, 59]);
  assert.deepEqual(Array.from(req.chaddr), Array.from(mac));
  const inform = host.dhcp(host.dhcpBuild(8, { xid: 1, mac, ciaddr: 0x0a000005, requestedIp: 0x0a000006, serverId: 0x0a000001, leaseTime: 60 }));
  assert.ok(inform);
  assert.equal(inform.ciaddr, "10.0.0.5");
  assert.equal(inform.present & (1 << 10 | 1 << 1 | 1 << 2), 0, "INFORM carries no requested IP, server id or lease (RFC 2131 table 5)");
  const q = host.dns(host.dnsBuildQuery("Example.ORG.", 0x77, 28, true), true);
  assert.ok(q && q.question);
  assert.equal(q.id, 0x77);
  assert.equal(q.qr, false);
  assert.deepEqual(q.question, { name: "Example.ORG", type: 28, cls: 1 });
});
