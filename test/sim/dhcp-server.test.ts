// The simulated DHCP server, judged with a hand-written SimHost client: DORA, T1/T2
// options, NAK for wrong requests, INIT-REBOOT, renew/rebind, DECLINE/RELEASE, silence,
// delays, two competing servers, lease table and client id/hostname logging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Switch } from "../../sim/net/switch.ts";
import { SimHost } from "../../sim/hosts/host.ts";
import { parseIp } from "../../sim/hosts/wire.ts";
import {
  DhcpServer, buildDhcpMessage, parseDhcpMessage, readU32, u32be, DHCPDISCOVER, DHCPOFFER, DHCPREQUEST, DHCPACK,
  DHCPNAK, DHCPDECLINE, DHCPRELEASE, type DhcpMessage, type DhcpServerOptions,
} from "../../sim/hosts/dhcp-server.ts";

function net(seed: number, servers: DhcpServerOptions[] = [{ poolStart: "10.0.0.100", poolEnd: "10.0.0.110" }]) {
  const sched = new Scheduler();
  const rng = new Rng(seed);
  const sw = new Switch(sched, { ports: 4 });
  const client = new SimHost(sched, rng.fork("c"), { name: "client", mac: "02:00:00:00:00:10", ip: 0 })
    .attach(sw.connectLink(0, rng.fork("l0"), { params: { delayUs: 100 } }).a);
  client.promiscuousIp = true; // no address yet: accept unicast replies to the offered address
  const srv = servers.map((o, i) => {
    const h = new SimHost(sched, rng.fork(`s${i}`), { name: `srv${i}`, mac: `02:00:00:00:00:0${i + 1}`, ip: `10.0.0.${i + 1}` })
      .attach(sw.connectLink(i + 1, rng.fork(`l${i + 1}`), { params: { delayUs: 100 } }).a);
    return new DhcpServer(h, o);
  });
  const inbox: { m: DhcpMessage; from: number; at: number }[] = [];
  const sock = client.udp.bind(68, (d, from) => { const m = parseDhcpMessage(d); if (m) inbox.push({ m, from: from.ip, at: sched.now }); });
  const send = (type: number, xid: number, extra: [number, number[]][] = [], fields: Partial<DhcpMessage> = {}, dst = 0xffffffff) =>
    sock.sendTo(dst, 67, buildDhcpMessage({ op: 1, xid, chaddr: client.mac, ...fields }, [[53, [type]], ...extra]), { src: client.ip });
  return { sched, client, srv, inbox, send };
}

const typeOf = (m: DhcpMessage) => m.options.get(53)?.[0];

test("DORA: OFFER then ACK with lease, T1/T2, mask, router, DNS; hostname and client id logged", () => {
  const n = net(1, [{ poolStart: "10.0.0.100", poolEnd: "10.0.0.110", leaseSecs: 600, t1Secs: 200, t2Secs: 500, dns: ["10.0.0.53", "10.0.0.54"], delayUs: 2000 }]);
  const cid = [1, ...n.client.mac];
  n.send(DHCPDISCOVER, 0x1111, [[61, cid], [12, Array.from(Buffer.from("esp-node"))], [55, [1, 3, 6, 51, 58, 59]]]);
  n.sched.runUntil(50_000);
  assert.equal(n.inbox.length, 1);
  const offer = n.inbox[0].m;
  assert.equal(typeOf(offer), DHCPOFFER);
  assert.equal(offer.xid, 0x1111);
  assert.equal(offer.yiaddr, parseIp("10.0.0.100"));
  assert.ok(n.inbox[0].at >= 2000 + 400, "server delay applies");
  n.send(DHCPREQUEST, 0x1111, [[61, cid], [50, u32be(offer.yiaddr)], [54, u32be(parseIp("10.0.0.1"))], [12, Array.from(Buffer.from("esp-node"))]]);
  n.sched.runUntil(100_000);
  const ack = n.inbox[1].m;
  assert.equal(typeOf(ack), DHCPACK);
  assert.equal(readU32(ack.options.get(51)), 600);
  assert.equal(readU32(ack.options.get(58)), 200);
  assert.equal(readU32(ack.options.get(59)), 500);
  assert.equal(readU32(ack.options.get(1)), parseIp("255.255.255.0"));
  assert.equal(ack.options.get(6)!.length, 8);
  const l = n.srv[0].leaseOf("02:00:00:00:00:10")!;
  assert.equal(l.ip, parseIp("10.0.0.100"));
  assert.equal(l.hostname, "esp-node");
  assert.equal(l.clientId, "01020000000010");
  assert.deepEqual(n.srv[0].log.map((e) => [e.type, e.reply, e.hostname]), [["DISCOVER", "OFFER", "esp-node"], ["REQUEST", "ACK", "esp-node"]]);
});

test("NAK for a REQUEST without offer, for a wrong-network INIT-REBOOT; renew and rebind ACK", () => {
  const n = net(2);
  n.send(DHCPREQUEST, 1, [[50, u32be(parseIp("10.0.0.105"))], [54, u32be(parseIp("10.0.0.1"))]]);
  n.send(DHCPREQUEST, 2, [[50, u32be(parseIp("192.168.7.9"))]]); // INIT-REBOOT elsewhere
  n.sched.runUntil(10_000);
  assert.deepEqual(n.inbox.map((x) => typeOf(x.m)), [DHCPNAK, DHCPNAK]);
  // INIT-REBOOT with a free pool address: authoritative ACK
  n.send(DHCPREQUEST, 3, [[50, u32be(parseIp("10.0.0.107"))]]);
  n.sched.runUntil(20_000);
  assert.equal(typeOf(n.inbox[2].m), DHCPACK);
  assert.equal(n.inbox[2].m.yiaddr, parseIp("10.0.0.107"));
  n.client.ip = parseIp("10.0.0.107");
  // RENEWING: unicast with ciaddr
  n.send(DHCPREQUEST, 4, [], { ciaddr: n.client.ip }, parseIp("10.0.0.1"));
  // REBINDING: broadcast with ciaddr
  n.send(DHCPREQUEST, 5, [], { ciaddr: n.client.ip });
  // RENEW of an address we do not hold: NAK
  n.send(DHCPREQUEST, 6, [], { ciaddr: parseIp("10.0.0.108") }, parseIp("10.0.0.1"));
  n.sched.runUntil(40_000);
  // (the unicast ones wait for ARP, so the broadcast REBIND is answered first)
  assert.deepEqual(n.inbox.slice(3).map((x) => [x.m.xid, typeOf(x.m)]).sort((a, b) => a[0]! - b[0]!), [[4, DHCPACK], [5, DHCPACK], [6, DHCPNAK]]);
});

test("DECLINE takes an address out of the pool, RELEASE frees it; silence and drop", () => {
  const n = net(3);
  n.send(DHCPDISCOVER, 1);
  n.sched.runUntil(10_000);
  const a = n.inbox[0].m.yiaddr;
  n.send(DHCPREQUEST, 1, [[50, u32be(a)], [54, u32be(parseIp("10.0.0.1"))]]);
  n.sched.runUntil(20_000);
  n.send(DHCPDECLINE, 2, [[50, u32be(a)], [54, u32be(parseIp("10.0.0.1"))]]);
  n.send(DHCPDISCOVER, 3);
  n.sched.runUntil(30_000);
  const next = n.inbox.find((x) => x.m.xid === 3)!.m;
  assert.notEqual(next.yiaddr, a);
  n.send(DHCPREQUEST, 3, [[50, u32be(next.yiaddr)], [54, u32be(parseIp("10.0.0.1"))]]);
  n.sched.runUntil(40_000);
  assert.ok(n.srv[0].leaseOf("02:00:00:00:00:10"));
  n.client.ip = next.yiaddr;
  n.send(DHCPRELEASE, 4, [[54, u32be(parseIp("10.0.0.1"))]], { ciaddr: next.yiaddr }, parseIp("10.0.0.1"));
  n.sched.runUntil(50_000);
  assert.equal(n.srv[0].leaseOf("02:00:00:00:00:10"), undefined);
  assert.equal(n.srv[0].isDeclined(a), true);
  n.srv[0].silent = true;
  const before = n.inbox.length;
  n.send(DHCPDISCOVER, 5);
  n.sched.runUntil(60_000);
  assert.equal(n.inbox.length, before);
  n.srv[0].silent = false;
  n.srv[0].dropNext = 1;
  n.send(DHCPDISCOVER, 6);
  n.send(DHCPDISCOVER, 7);
  n.sched.runUntil(70_000);
  assert.deepEqual(n.inbox.slice(before).map((x) => x.m.xid), [7]);
});

test("two competing servers both OFFER; the one not chosen drops its offer", () => {
  const n = net(4, [
    { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", delayUs: 5000 },
    { poolStart: "10.0.0.200", poolEnd: "10.0.0.210", delayUs: 1000 },
  ]);
  n.send(DHCPDISCOVER, 9);
  n.sched.runUntil(20_000);
  assert.equal(n.inbox.length, 2);
  assert.equal(n.inbox[0].from, parseIp("10.0.0.2")); // the faster one first
  n.send(DHCPREQUEST, 9, [[50, u32be(n.inbox[1].m.yiaddr)], [54, u32be(parseIp("10.0.0.1"))]]);
  n.sched.runUntil(40_000);
  assert.equal(typeOf(n.inbox[2].m), DHCPACK);
  assert.equal(n.inbox.length, 3);
  assert.equal(n.srv[1].table.length, 0, "second server forgot its offer");
  assert.equal(n.srv[1].log.at(-1)!.reply, "ignored: other server");
});

test("infinite lease and omitted T1/T2", () => {
  const n = net(5, [{ poolStart: "10.0.0.100", poolEnd: "10.0.0.100", leaseSecs: 0xffffffff, t1Secs: null, t2Secs: null }]);
  n.send(DHCPDISCOVER, 1);
  n.sched.runUntil(10_000);
  const o = n.inbox[0].m;
  assert.equal(readU32(o.options.get(51)), 0xffffffff);
  assert.equal(o.options.has(58), false);
  n.send(DHCPREQUEST, 1, [[50, u32be(o.yiaddr)], [54, u32be(parseIp("10.0.0.1"))]]);
  n.sched.runUntil(20_000);
  assert.equal(n.srv[0].leaseOf("02:00:00:00:00:10")!.expires, Infinity);
});
