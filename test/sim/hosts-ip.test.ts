import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Link, type LinkParams } from "../../sim/net/link.ts";
import { Switch } from "../../sim/net/switch.ts";
import { SimHost, type IcmpMessage } from "../../sim/hosts/host.ts";
import { IPPROTO_UDP, buildIpv4, buildUdp, ethFrame, ETHERTYPE_IPV4, parseIp } from "../../sim/hosts/wire.ts";

function pair(seed: number, params: Partial<LinkParams> = {}) {
  const sched = new Scheduler();
  const rng = new Rng(seed);
  const link = new Link(sched, rng.fork("link"), { params: { delayUs: 250, ...params } });
  const a = new SimHost(sched, rng.fork("a"), { name: "a", mac: "02:00:00:00:00:01", ip: "10.0.0.1" }).attach(link.a);
  const b = new SimHost(sched, rng.fork("b"), { name: "b", mac: "02:00:00:00:00:02", ip: "10.0.0.2" }).attach(link.b);
  return { sched, link, a, b };
}

test("two hosts across a switch ping each other; ARP resolves once", () => {
  const sched = new Scheduler();
  const rng = new Rng(7);
  const sw = new Switch(sched, { ports: 3 });
  const hosts = [1, 2, 3].map((n, i) => new SimHost(sched, rng.fork(`h${n}`), {
    name: `h${n}`, mac: `02:00:00:00:00:0${n}`, ip: `192.168.1.${n}`,
  }).attach(sw.connectLink(i, rng.fork(`l${n}`), { params: { delayUs: 100, bandwidthBps: 100e6 } }).a));
  let finished: unknown = null;
  const r = hosts[0].ping("192.168.1.2", { count: 4, intervalUs: 1e6 }, (res) => (finished = res));
  sched.runUntil(5e6);
  const r2 = hosts[1].ping("192.168.1.1", { count: 2 }); // h2 learned h1 from its ARP request
  sched.runUntil(10e6);
  assert.equal(finished, r);
  assert.deepEqual({ sent: r.sent, received: r.received, lost: r.lost, done: r.done }, { sent: 4, received: 4, lost: 0, done: true });
  // first RTT includes ARP (two extra link crossings each way through the switch)
  const wire = 2 * (100 + (98 * 8) / 100); // two links, 98-byte frames at 100 Mbit/s
  assert.ok(Math.abs(r.rttsUs[1] - 2 * wire) < 1, `rtt ${r.rttsUs[1]}`);
  assert.ok(r.rttsUs[0] > r.rttsUs[1]);
  assert.equal(r2.received, 2);
  assert.equal(hosts[0].counters.arpRequests, 1);
  assert.equal(hosts[1].counters.arpRequests, 0);
  assert.equal(hosts[2].counters.txFrames, 0); // saw the ARP flood, answered nothing
  assert.equal(sw.counters.flooded, 1);
});

test("ARP retries through a lossy link, and pings report loss", () => {
  const { sched, link, a } = pair(21, {});
  link.set({ loss: 1 }, "ab"); // first ARP request lost
  sched.at(500_000, () => link.set({ loss: 0.3 }, "ab"));
  const r = a.ping("10.0.0.2", { count: 50, intervalUs: 200_000, timeoutUs: 1e6 });
  sched.runUntil(30e6);
  assert.ok(r.done);
  assert.ok(a.counters.arpRequests >= 2);
  assert.equal(r.sent, 50);
  assert.equal(r.received + r.lost, 50);
  assert.ok(r.lost >= 8 && r.lost <= 30, `lost ${r.lost}`);
});

test("ARP gives up after its tries and drops the queued packets", () => {
  const { sched, a, link } = pair(2);
  link.setUp(false);
  const r = a.ping("10.0.0.2", { count: 2, intervalUs: 100_000 });
  sched.runUntil(10e6);
  assert.equal(r.received, 0);
  assert.equal(a.counters.arpRequests, 3);
  assert.equal(a.counters.arpFailures, 1);
  assert.equal(a.counters.arpQueueDrops, 2);
});

test("UDP echo between hosts, with checksums", () => {
  const { sched, a, b } = pair(3);
  b.udp.bind(7, (data, from) => echo.sendTo(from.ip, from.port, data));
  const echo = b.udp.bind(0); // a second socket to reply from; unused handler
  const got: string[] = [];
  const client = a.udp.bind(0, (data, from) => got.push(`${from.port}:${Buffer.from(data).toString()}`));
  client.sendTo("10.0.0.2", 7, Buffer.from("hello"));
  client.sendTo("10.0.0.2", 7, new Uint8Array(0));
  sched.runUntil(1e6);
  assert.deepEqual(got, [`${echo.port}:hello`, `${echo.port}:`]);
});

test("a corrupted UDP datagram is dropped and counted", () => {
  const { sched, a, b } = pair(4);
  const got: Uint8Array[] = [];
  b.udp.bind(9, (d) => got.push(d));
  const src = parseIp("10.0.0.1"), dst = parseIp("10.0.0.2");
  const udp = buildUdp(src, dst, 1000, 9, Buffer.from("payload"));
  udp[10] ^= 0x40; // corrupt data, keep the IP header valid
  sched.runUntil(1); // ARP not needed: hand-made frame
  a.port!.send(ethFrame(b.mac, a.mac, ETHERTYPE_IPV4, buildIpv4(src, dst, IPPROTO_UDP, udp)));
  a.port!.send(ethFrame(b.mac, a.mac, ETHERTYPE_IPV4, buildIpv4(src, dst, IPPROTO_UDP, buildUdp(src, dst, 1000, 9, Buffer.from("ok")))));
  const badIp = buildIpv4(src, dst, IPPROTO_UDP, buildUdp(src, dst, 1000, 9, Buffer.from("x")));
  badIp[8] = 1; // TTL changed without fixing the header checksum
  a.port!.send(ethFrame(b.mac, a.mac, ETHERTYPE_IPV4, badIp));
  sched.runUntil(1e6);
  assert.deepEqual(got.map((d) => Buffer.from(d).toString()), ["ok"]);
  assert.equal(b.counters.badUdpChecksum, 1);
  assert.equal(b.counters.badIpChecksum, 1);
});

test("UDP to a closed port yields ICMP port unreachable quoting the datagram", () => {
  const { sched, a, b } = pair(5);
  const seen: IcmpMessage[] = [];
  a.onIcmp((m) => seen.push(m));
  const s = a.udp.bind(5555);
  s.sendTo("10.0.0.2", 4444, Buffer.from("anyone?"));
  s.sendTo("10.0.0.255", 4444, Buffer.from("broadcast: no error"));
  sched.runUntil(1e6);
  assert.equal(b.counters.udpNoPort, 2);
  assert.equal(seen.length, 1);
  const m = seen[0];
  assert.deepEqual([m.type, m.code, m.from], [3, 3, parseIp("10.0.0.2")]);
  assert.equal(m.body.length, 28); // IP header + 8 bytes
  const q = new DataView(m.body.buffer, m.body.byteOffset);
  assert.equal(m.body[9], IPPROTO_UDP);
  assert.equal(q.getUint16(20), 5555);
  assert.equal(q.getUint16(22), 4444);
});

test("off-link destinations go via the gateway's MAC; no gateway means no route", () => {
  const sched = new Scheduler();
  const rng = new Rng(6);
  const link = new Link(sched, rng.fork("l"));
  const h = new SimHost(sched, rng.fork("h"), { mac: "02:00:00:00:00:01", ip: "10.0.0.5", gateway: "10.0.0.1" }).attach(link.a);
  const gw = new SimHost(sched, rng.fork("gw"), { mac: "02:00:00:00:00:99", ip: "10.0.0.1" }).attach(link.b);
  gw.promiscuousIp = true;
  const got: number[] = [];
  gw.onIpProtocol(IPPROTO_UDP, (p) => got.push(p.dst));
  h.udp.bind(0).sendTo("8.8.8.8", 53, new Uint8Array(4));
  sched.runUntil(1e6);
  assert.deepEqual(got, [parseIp("8.8.8.8")]);
  h.gateway = 0;
  assert.equal(h.udp.bind(0).sendTo("8.8.8.8", 53, new Uint8Array(4)), false);
  assert.equal(h.counters.noRoute, 1);
});

test("an unconfigured host and a server exchange broadcasts, as DHCP will need", () => {
  const { sched, a, b } = pair(8);
  a.ip = 0; // client without an address
  const atServer: string[] = [], atClient: string[] = [];
  const server = b.udp.bind(67, (d, from) => {
    atServer.push(`${from.ip}:${from.port}:${Buffer.from(d)}`);
    server.sendTo("255.255.255.255", 68, Buffer.from("offer"));
    server.sendTo("10.0.0.77", 68, Buffer.from("unicast offer"), { dstMac: a.mac }); // to the client's MAC, no ARP
  });
  const client = a.udp.bind(68, (d, from) => atClient.push(`${from.port}:${Buffer.from(d)}`));
  client.sendTo("255.255.255.255", 67, Buffer.from("discover"));
  sched.runUntil(1e6);
  assert.deepEqual(atServer, ["0:68:discover"]);
  assert.deepEqual(atClient, ["67:offer"]); // unicast to an address it does not have yet is not accepted...
  a.promiscuousIp = true; // ...unless the client asks for it
  server.sendTo("10.0.0.77", 68, Buffer.from("again"), { dstMac: a.mac });
  sched.runUntil(2e6);
  assert.deepEqual(atClient, ["67:offer", "67:again"]);
  assert.equal(b.counters.arpRequests, 0);
});
