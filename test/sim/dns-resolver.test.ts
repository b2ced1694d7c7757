// The wasm stub resolver (stack/dns) against simulated DNS servers over SimHost/Switch
// networking in virtual time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadWasm, DnsRig, DnsStatus } from "../../bench/dhcp-dns.ts";
import type { DnsRecordSpec } from "../../sim/hosts/dns-server.ts";

const ZONE: DnsRecordSpec[] = [
  { name: "www.example.com", type: "CNAME", value: "edge.example.com", ttl: 300 },
  { name: "edge.example.com", type: "CNAME", value: "host.cdn.example.net", ttl: 120 },
  { name: "host.cdn.example.net", type: "A", value: "192.0.2.7", ttl: 600 },
  { name: "host.cdn.example.net", type: "A", value: "192.0.2.8", ttl: 600 },
  { name: "api.example.com", type: "A", value: "192.0.2.9", ttl: 60 },
  { name: "v6.example.com", type: "AAAA", value: "20010db8000000000000000000000001" },
  ...Array.from({ length: 10 }, (_, i) => ({ name: `l${i}.example.com`, type: "CNAME" as const, value: `l${i + 1}.example.com` })),
  { name: "l10.example.com", type: "A", value: "192.0.2.10" },
];
async function rig(seed = 1, cfg = {}) { return new DnsRig(await loadWasm("dnsresolver"), seed, 250, cfg); }

test("CNAME chain: all addresses, smallest TTL along the chain, cached case-insensitively", async () => {
  const r = await rig();
  const s = r.server("10.0.0.53", ZONE);
  r.setServers(0, ["10.0.0.53"]);
  const a = r.lookup("www.example.com");
  assert.equal(a.status, DnsStatus.Ok);
  assert.deepEqual(a.addrs, ["192.0.2.7", "192.0.2.8"]);
  assert.equal(a.ttl, 120);
  r.sched.runUntil(r.sched.now + 100e6);
  const b = r.lookup("WWW.EXAMPLE.com.");
  assert.equal(b.fromCache, true);
  assert.equal(b.ttl, 20);
  assert.equal(s.queries().length, 1);
  r.sched.runUntil(r.sched.now + 30e6); // past the TTL
  const c = r.lookup("www.example.com");
  assert.equal(c.fromCache, false);
  assert.equal(s.queries().length, 2);
});

test("NXDOMAIN and NODATA are cached negatively for the SOA minimum", async () => {
  const r = await rig(2);
  const s = r.server("10.0.0.53", ZONE);
  r.setServers(0, ["10.0.0.53"]);
  assert.equal(r.lookup("nope.example.com").status, DnsStatus.NxDomain);
  const again = r.lookup("NOPE.example.com");
  assert.equal(again.status, DnsStatus.NxDomain);
  assert.equal(again.fromCache, true);
  assert.equal(again.ttl, 30);
  const nd = r.lookup("v6.example.com"); // AAAA only: NODATA for A
  assert.equal(nd.status, DnsStatus.NoData);
  assert.equal(s.queries().length, 2);
  r.sched.runUntil(r.sched.now + 31e6);
  assert.equal(r.lookup("nope.example.com").fromCache, false);
});

test("first server dead: the second answers after the stagger; the dead one is then asked last", async () => {
  const r = await rig(3);
  const dead = r.server("10.0.0.53", ZONE, "dead");
  const good = r.server("10.0.0.54", ZONE);
  r.setServers(0, ["10.0.0.53", "10.0.0.54"]);
  const a = r.lookup("api.example.com");
  assert.equal(a.status, DnsStatus.Ok);
  assert.ok(a.at - a.started >= 500e3 && a.at - a.started < 600e3, `took ${a.at - a.started}`);
  r.w.ex.dns_flush();
  r.lookup("api.example.com");
  r.w.ex.dns_flush();
  // two timeouts in a row: dead; from now on the live server is asked first
  r.sched.runUntil(r.sched.now + 20e6);
  const before = dead.queries().length;
  const c = r.lookup("www.example.com");
  assert.equal(c.status, DnsStatus.Ok);
  assert.ok(c.at - c.started < 10e3, `took ${c.at - c.started}`);
  assert.equal(dead.queries().length, before);
  assert.ok(good.queries().length >= 3);
});

test("all servers dead: Timeout after the overall limit; no servers: NoServers", async () => {
  const r = await rig(4, { timeoutUs: 8e6 });
  const s = r.server("10.0.0.53", ZONE, "dead");
  r.setServers(0, ["10.0.0.53"]);
  const a = r.lookup("api.example.com");
  assert.equal(a.status, DnsStatus.Timeout);
  assert.equal(a.at - a.started, 8e6);
  assert.ok(s.queries().length >= 3, "retransmitted");
  r.setServers(0, []);
  assert.equal(r.lookup("api.example.com").status, DnsStatus.NoServers);
});

test("slow server: answer arrives late but is used; a faster second server wins when staggered", async () => {
  const r = await rig(5);
  const slow = r.server("10.0.0.53", ZONE, "slow");
  slow.slowDelayUs = 2e6;
  r.server("10.0.0.54", ZONE);
  r.setServers(0, ["10.0.0.53"]);
  r.setServers(1, ["10.0.0.54"]);
  const a = r.lookup("api.example.com");
  assert.equal(a.status, DnsStatus.Ok);
  assert.ok(a.at - a.started < 1e6, "the second interface's server answered first");
});

test("liar: a forged reply with a wrong ID is dropped; the real answer is used", async () => {
  const r = await rig(6);
  r.server("10.0.0.53", ZONE, "liar");
  r.setServers(0, ["10.0.0.53"]);
  const a = r.lookup("api.example.com");
  assert.deepEqual(a.addrs, ["192.0.2.9"]);
  assert.ok(r.w.ex.dns_stat(2) >= 1, "mismatch counted");
});

test("SERVFAIL and REFUSED move on to the next server at once; all failing reports ServerFailure", async () => {
  const r = await rig(7);
  const bad = r.server("10.0.0.53", ZONE, "servfail");
  const ref = r.server("10.0.0.54", ZONE, "refused");
  r.server("10.0.0.55", ZONE);
  r.setServers(0, ["10.0.0.53", "10.0.0.54", "10.0.0.55"]);
  const a = r.lookup("api.example.com");
  assert.equal(a.status, DnsStatus.Ok);
  assert.ok(a.at - a.started < 20e3, `took ${a.at - a.started}`);
  r.setServers(0, ["10.0.0.53", "10.0.0.54"]);
  r.w.ex.dns_flush();
  const b = r.lookup("api.example.com");
  assert.equal(b.status, DnsStatus.ServerFailure);
  assert.ok(bad.queries().length >= 2 && ref.queries().length >= 2);
});

test("truncated answer: retried over TCP with 2-byte framing", async () => {
  const r = await rig(8);
  const s = r.server("10.0.0.53", ZONE, "truncate");
  r.setServers(0, ["10.0.0.53"]);
  const a = r.lookup("www.example.com");
  assert.equal(a.status, DnsStatus.Ok);
  assert.deepEqual(a.addrs, ["192.0.2.7", "192.0.2.8"]);
  assert.equal(r.w.ex.dns_stat(5), 1);
  assert.deepEqual(s.queries().map((q) => q.transport), ["udp", "tcp"]);
});

test("hosts table first; CNAME chain over the bound fails cleanly; bad names refused", async () => {
  const r = await rig(9);
  const s = r.server("10.0.0.53", ZONE);
  r.setServers(0, ["10.0.0.53"]);
  r.addHost("printer.lan", "10.0.0.77");
  const h = r.lookup("Printer.LAN");
  assert.deepEqual(h.addrs, ["10.0.0.77"]);
  assert.equal(s.queries().length, 0);
  assert.equal(r.lookup("l0.example.com").status, DnsStatus.ChainTooLong);
  assert.equal(r.lookup("l5.example.com").status, DnsStatus.Ok);
  assert.equal(r.resolve("bad..name"), -DnsStatus.BadName);
  assert.equal(r.resolve("x".repeat(64) + ".com"), -DnsStatus.BadName);
});

test("bounded cache: more names than entries evicts the least recently used; no allocation after setup", async () => {
  const r = await rig(10, { cacheEntries: 4 });
  const names = Array.from({ length: 8 }, (_, i) => `n${i}.example.com`);
  r.server("10.0.0.53", names.map((n, i) => ({ name: n, type: "A" as const, value: `192.0.2.${i + 1}`, ttl: 3600 })));
  r.setServers(0, ["10.0.0.53"]);
  const heap0 = r.w.ex.heap_top();
  const heap1 = r.w.ex.heap_top();
  for (const n of names) assert.equal(r.lookup(n).status, DnsStatus.Ok);
  assert.equal(r.lookup("n7.example.com").fromCache, true);
  assert.equal(r.lookup("n0.example.com").fromCache, false);
  assert.equal(r.w.ex.heap_top(), heap1 + (heap1 - heap0), "no allocation on the query path");
});
