// DNS on the device, end to end: the real build/stack.wasm gets its DNS server from the DHCP
// lease (sim/hosts/dhcp-server.ts) and asks sim/hosts/dns-server.ts; `nslookup` over the
// console in machine mode. Virtual time only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { World, SECOND, MS } from "../../sim/world.ts";
import { LAN, DHCP_LAN, dhcpLan, typeLines, type DhcpLanOptions } from "../../sim/topologies.ts";
import type { SimDevice } from "../../sim/device.ts";
import { machine as machineReply } from "../support/console.ts";

const machine = (world: World, dev: SimDevice, cmd: string, waitUs = 15 * SECOND) => machineReply(world, dev, cmd, waitUs, 78);

function lan(seed = 1, opts: DhcpLanOptions = {}) {
  const world = new World(seed);
  const l = dhcpLan(world, opts);
  l.dev.boot();
  world.runFor(3 * SECOND);
  return { world, ...l };
}

test("nslookup: an A record, a CNAME (followed), two addresses; the second lookup comes from the cache", () => {
  const { world, dev, dns } = lan(11);
  const a = machine(world, dev, "nslookup peer.lan");
  assert.deepEqual(a, { id: 78, ok: true, data: { addresses: LAN.peer, ttl: 300, source: "dns" } });
  const c = machine(world, dev, "nslookup WWW.lan.");
  assert.equal(c.data.addresses, LAN.peer, "the CNAME's target address");
  assert.equal(c.data.ttl, 120, "the smallest TTL along the chain");
  const m = machine(world, dev, "nslookup multi.lan");
  assert.equal(m.data.addresses, "192.168.1.20 192.168.1.21");
  const queries = dns.queries().length;
  world.runFor(5 * SECOND);
  const again = machine(world, dev, "nslookup multi.lan");
  assert.equal(again.data.source, "cache");
  assert.ok(again.data.ttl <= 55 && again.data.ttl >= 50, `the remaining TTL: ${again.data.ttl}`);
  assert.equal(dns.queries().length, queries, "no query for a cached name");
  assert.ok(dns.queries().every((q) => q.src === 0xc0a80164), "queries come from the leased address");
});

test("nslookup: NXDOMAIN reports the cause and the negative TTL from the SOA; bad names never leave the device", () => {
  const { world, dev, dns } = lan(12);
  const nx = machine(world, dev, "nslookup nope.lan");
  assert.equal(nx.ok, false);
  assert.equal(nx.err, "nxdomain");
  assert.match(nx.msg, /ttl 60/);
  const before = dns.queries().length;
  const bad = machine(world, dev, "nslookup a..b");
  assert.equal(bad.err, "bad_name");
  assert.equal(dns.queries().length, before);
});

test("a dead first DNS server: the second one answers after the stagger; the dead one is struck and skipped later", () => {
  const { world, dev, dns } = lan(13, { dhcp: { dns: [DHCP_LAN.deadDns, DHCP_LAN.server] } });
  const t0 = world.now;
  const r = machine(world, dev, "nslookup peer.lan");
  assert.equal(r.data.addresses, LAN.peer);
  const q = dns.queries()[0];
  assert.ok(q.time - t0 >= 450 * MS, `the live server was asked after the 500 ms stagger (${(q.time - t0) / MS} ms)`);
  // Two timeouts mark it dead: then the live server is asked first.
  machine(world, dev, "nslookup gw.lan");
  const t1 = world.now;
  machine(world, dev, "nslookup www.lan");
  const last = dns.queries().at(-1)!;
  assert.ok(last.time - t1 < 100 * MS, `a dead server is asked last (${(last.time - t1) / MS} ms)`);
});

test("no DNS server (static mode without if.dns) and the hosts table from host.0..3", () => {
  const { world, dev } = lan(14);
  typeLines(world, dev, ["config set if.mode static", `config set if.addr ${LAN.device}`, `config set if.gw ${LAN.gateway}`,
    "config set host.1 Printer.lan=192.168.1.77", "config commit"]);
  world.runFor(SECOND);
  const none = machine(world, dev, "nslookup peer.lan");
  assert.equal(none.err, "no_servers");
  const h = machine(world, dev, "nslookup printer.LAN");
  assert.deepEqual(h.data, { addresses: "192.168.1.77", ttl: 0, source: "hosts" });
  typeLines(world, dev, [`config set if.dns ${DHCP_LAN.server}`, "config commit"]);
  world.runFor(SECOND);
  const viaStatic = machine(world, dev, "nslookup peer.lan");
  assert.equal(viaStatic.data.addresses, LAN.peer, "if.dns as the static server");
});

test("ping <name>: resolved through the resolver first (a CNAME too), IP literals as before; an unknown name fails", () => {
  const { world, dev, dns } = lan(15);
  const r = machine(world, dev, "ping www.lan 2");
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.data.received, 2);
  assert.ok(dns.queries().some((q) => q.name === "www.lan"), "the name was asked");
  const lit = machine(world, dev, `ping ${LAN.peer} 1`);
  assert.equal(lit.data.received, 1);
  const nx = machine(world, dev, "ping nope.lan 1");
  assert.equal(nx.ok, false);
  assert.equal(nx.err, "unresolved");
});

test("a truncated answer (TC=1) is asked again over TCP (port 53, length-framed) on a socket of the TCP transport", () => {
  const { world, dev, dns } = lan(16);
  dns.mode = "truncate";
  const r = machine(world, dev, "nslookup multi.lan");
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.data.addresses, "192.168.1.20 192.168.1.21", "the full answer, from the TCP connection");
  assert.equal(dns.queries("udp").length, 1, "one UDP query, answered with TC=1");
  assert.equal(dns.queries("tcp").length, 1, "one query over TCP");
  assert.equal(dns.queries("tcp")[0].src, 0xc0a80164, "from the leased address");
  // The socket went back to the pool: a second fallback works too, and so does the default app's TCP.
  const again = machine(world, dev, "nslookup peer.lan");
  assert.equal(again.data.addresses, LAN.peer);
  assert.equal(dns.queries("tcp").length, 2);
  world.runFor(5 * SECOND);
  const ns = machine(world, dev, "netstat");
  assert.equal(ns.data.tcp_resets_tx, 0, "orderly closes, no resets");
});
