// The simulated DNS server, judged with a SimHost UDP/TCP client: A and CNAME chains,
// NXDOMAIN/NODATA with SOA, delays, and the fault modes (dead, slow, liar, truncating with
// the full answer over TCP, SERVFAIL, REFUSED).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Link } from "../../sim/net/link.ts";
import { SimHost } from "../../sim/hosts/host.ts";
import { TcpLayer } from "../../sim/hosts/tcp.ts";
import { DnsServer, buildDnsQuery, parseDnsMessage, type DnsParsedMessage, type DnsServerMode } from "../../sim/hosts/dns-server.ts";

const RECORDS = [
  { name: "www.example.com", type: "CNAME" as const, value: "edge.example.com", ttl: 120 },
  { name: "edge.example.com", type: "CNAME" as const, value: "host.cdn.example.net", ttl: 600 },
  { name: "host.cdn.example.net", type: "A" as const, value: "192.0.2.7", ttl: 60 },
  { name: "host.cdn.example.net", type: "A" as const, value: "192.0.2.8", ttl: 60 },
  { name: "v6only.example.com", type: "AAAA" as const, value: "20010db8000000000000000000000001" },
];

function setup(mode: DnsServerMode = "normal", delayUs = 0) {
  const sched = new Scheduler();
  const rng = new Rng(11);
  const link = new Link(sched, rng.fork("l"), { params: { delayUs: 500 } });
  const c = new SimHost(sched, rng.fork("c"), { name: "c", mac: "02:00:00:00:00:01", ip: "10.0.0.2" }).attach(link.a);
  const s = new SimHost(sched, rng.fork("s"), { name: "s", mac: "02:00:00:00:00:02", ip: "10.0.0.53" }).attach(link.b);
  const server = new DnsServer(s, { records: RECORDS, soa: { zone: "example.com", ttl: 900, minimum: 30 }, mode, delayUs });
  const got: { m: DnsParsedMessage; at: number }[] = [];
  const sock = c.udp.bind(40000, (d) => got.push({ m: parseDnsMessage(d), at: sched.now }));
  return { sched, c, server, got, ask: (id: number, name: string, t = 1) => sock.sendTo("10.0.0.53", 53, buildDnsQuery(id, name, t)) };
}

test("CNAME chain followed to A records; the question name is compressed", () => {
  const t = setup("normal", 2000);
  t.ask(7, "WWW.Example.com");
  t.sched.runUntil(100_000);
  const m = t.got[0].m;
  assert.equal(m.id, 7);
  assert.equal(m.rcode, 0);
  assert.deepEqual(m.answers.map((a) => [a.type, a.text]), [[5, "edge.example.com"], [5, "host.cdn.example.net"], [1, "192.0.2.7"], [1, "192.0.2.8"]]);
  assert.equal(t.got[0].at, 4000); // ARP exchange 1 ms + query 0.5 ms + 2 ms delay + reply 0.5 ms
});

test("NXDOMAIN and NODATA carry the SOA; SERVFAIL and REFUSED modes", () => {
  const t = setup();
  t.ask(1, "nope.example.com");
  t.ask(2, "v6only.example.com");
  t.sched.runUntil(10_000);
  assert.equal(t.got[0].m.rcode, 3);
  assert.equal(t.got[0].m.authority[0].type, 6);
  assert.equal(t.got[1].m.rcode, 0);
  assert.equal(t.got[1].m.answers.length, 0);
  assert.equal(t.got[1].m.authority.length, 1);
  t.server.mode = "servfail"; t.ask(3, "www.example.com");
  t.sched.runUntil(20_000);
  t.server.mode = "refused"; t.ask(4, "www.example.com");
  t.sched.runUntil(30_000);
  assert.deepEqual(t.got.slice(2).map((g) => g.m.rcode), [2, 5]);
});

test("dead is silent, slow is late, liar sends a wrong-ID forgery first", () => {
  const t = setup("dead");
  t.ask(1, "host.cdn.example.net");
  t.sched.runUntil(10e6);
  assert.equal(t.got.length, 0);
  assert.equal(t.server.queries().length, 1);
  t.server.mode = "slow"; t.server.slowDelayUs = 2e6;
  t.ask(2, "host.cdn.example.net");
  t.sched.runUntil(20e6);
  assert.ok(t.got[0].at >= 12e6);
  t.server.mode = "liar";
  t.ask(3, "host.cdn.example.net");
  t.sched.runUntil(30e6);
  assert.equal(t.got.length, 3);
  assert.notEqual(t.got[1].m.id, 3);
  assert.equal(t.got[1].m.answers[0].text, "10.102.102.102");
  assert.equal(t.got[2].m.id, 3);
  assert.equal(t.got[2].m.answers[0].text, "192.0.2.7");
});

test("truncating: TC=1 over UDP, the full answer over TCP with 2-byte framing", () => {
  const t = setup("truncate");
  t.ask(5, "www.example.com");
  t.sched.runUntil(10_000);
  assert.equal(t.got[0].m.tc, true);
  assert.equal(t.got[0].m.answers.length, 0);
  const tcp = new TcpLayer(t.c);
  const conn = tcp.connect("10.0.0.53", 53);
  let buf = new Uint8Array(0);
  conn.onEstablished = () => { const q = buildDnsQuery(6, "www.example.com"); conn.send(Uint8Array.from([q.length >> 8, q.length & 255, ...q])); };
  conn.onData = (d) => { buf = Uint8Array.from([...buf, ...d]); };
  t.sched.runUntil(1e6);
  const n = (buf[0] << 8) | buf[1];
  assert.equal(buf.length, 2 + n);
  const m = parseDnsMessage(buf.subarray(2));
  assert.equal(m.id, 6);
  assert.equal(m.tc, false);
  assert.equal(m.answers.length, 4);
  assert.deepEqual(t.server.queries("tcp").map((q) => q.reply), ["2 A"]);
});
