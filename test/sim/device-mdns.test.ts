// mDNS responder (RFC 6762) on the device, end to end: the real build/stack.wasm takes its
// address over DHCP, probes for `wasmnet.local` and announces it; a tiny TypeScript mDNS
// querier on a SimHost asks for it, and another host claims the name. Virtual time only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { World, SECOND, MS } from "../../sim/world.ts";
import { dhcpLan, wifiOnLan, typeLines, WIFI_LAN } from "../../sim/topologies.ts";
import type { SimHost } from "../../sim/hosts/host.ts";
import { ip } from "../../sim/hosts/wire.ts";

const GROUP_MAC = new Uint8Array([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);

function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const l of name.split(".")) { out.push(l.length, ...Buffer.from(l, "ascii")); }
  out.push(0);
  return out;
}

/** A query (QM) for name/type, or with `answerA` a response claiming name -> address. */
function message(name: string, opts: { type?: number; answerA?: number[]; probeA?: number[] } = {}): Uint8Array {
  const n = encodeName(name);
  if (opts.answerA) {
    return new Uint8Array([0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, ...n, 0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, ...opts.answerA]);
  }
  const q = [0, 0, 0, 0, 0, 1, 0, 0, 0, opts.probeA ? 1 : 0, 0, 0, ...n, 0, opts.type ?? 1, 0, 1];
  if (opts.probeA) q.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, ...opts.probeA);
  return new Uint8Array(q);
}

interface Rr { name: string; type: number; cls: number; ttl: number; data: Uint8Array }
function readName(b: Uint8Array, off: number): [string, number] {
  const labels: string[] = [];
  let end = -1;
  for (let hops = 0; hops < 20; hops++) {
    const l = b[off];
    if ((l & 0xc0) === 0xc0) { if (end < 0) end = off + 2; off = ((l & 0x3f) << 8) | b[off + 1]; continue; }
    if (l === 0) { off++; break; }
    labels.push(Buffer.from(b.subarray(off + 1, off + 1 + l)).toString("ascii"));
    off += 1 + l;
  }
  return [labels.join("."), end < 0 ? off : end];
}
function parse(b: Uint8Array): { flags: number; questions: { name: string; type: number; cls: number }[]; records: Rr[] } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const qd = v.getUint16(4), rr = v.getUint16(6) + v.getUint16(8) + v.getUint16(10);
  let off = 12;
  const questions = [], records: Rr[] = [];
  for (let i = 0; i < qd; i++) { const [name, o] = readName(b, off); questions.push({ name, type: v.getUint16(o), cls: v.getUint16(o + 2) }); off = o + 4; }
  for (let i = 0; i < rr; i++) {
    const [name, o] = readName(b, off);
    const len = v.getUint16(o + 8);
    records.push({ name, type: v.getUint16(o), cls: v.getUint16(o + 2), ttl: v.getUint32(o + 4), data: b.slice(o + 10, o + 10 + len) });
    off = o + 10 + len;
  }
  return { flags: v.getUint16(2), questions, records };
}

function setup(seed: number) {
  const world = new World(seed);
  const lan = dhcpLan(world);
  const heard: { time: number; ttl: number; src: number; msg: ReturnType<typeof parse> }[] = [];
  const sock = lan.peer.udp.bind(5353, (data, from, pkt) => { if (from.ip !== lan.peer.ip) heard.push({ time: world.now, ttl: pkt.ttl, src: from.ip, msg: parse(data) }); });
  const send = (host: SimHost, m: Uint8Array) => host.udp.send(5353, 0xe00000fb, 5353, m, { dstMac: GROUP_MAC, ttl: 255 });
  return { world, ...lan, heard, sock, send };
}

const DEV = [192, 168, 1, 100];

test("mDNS: 3 probes 250 ms apart, 2 announcements, then A queries for <hostname>.local answered by multicast", () => {
  const { world, dev, peer, heard, send } = setup(21);
  dev.boot();
  world.runFor(5 * SECOND);
  const probes = heard.filter((h) => (h.msg.flags & 0x8000) === 0);
  assert.equal(probes.length, 3, "three probes");
  for (const p of probes) {
    assert.deepEqual(p.msg.questions, [{ name: "wasmnet.local", type: 255, cls: 0x8001 }], "QU question of type ANY");
    assert.deepEqual([...p.msg.records[0].data], DEV, "the proposed address in the authority section");
    assert.equal(p.ttl, 255, "IP TTL 255");
  }
  const gaps = probes.slice(1).map((p, i) => (p.time - probes[i].time) / MS);
  assert.ok(gaps.every((g) => g >= 249 && g <= 252), `probes 250 ms apart: ${gaps}`);
  const announces = heard.filter((h) => (h.msg.flags & 0x8000) !== 0);
  assert.equal(announces.length, 2, "two announcements");
  assert.ok(announces[0].time > probes[2].time);
  assert.ok(world.timeline.find(/mdns: wasmnet\.local is 192\.168\.1\.100/));

  heard.length = 0;
  send(peer, message("WASMNET.local"));
  world.runFor(100 * MS);
  assert.equal(heard.length, 1, "one answer");
  const a = heard[0].msg;
  assert.equal(a.flags, 0x8400);
  assert.equal(a.records[0].name, "wasmnet.local");
  assert.equal(a.records[0].type, 1);
  assert.equal(a.records[0].cls, 0x8001, "cache-flush");
  assert.equal(a.records[0].ttl, 120);
  assert.deepEqual([...a.records[0].data], DEV);

  heard.length = 0;
  send(peer, message("other.local"));
  send(peer, message("wasmnet.local", { type: 28 }));
  world.runFor(100 * MS);
  assert.equal(heard.length, 0, "no answer for another name or for AAAA");
});

test("mDNS legacy unicast (RFC 6762 6.7): a query from a port other than 5353 gets a unicast answer with its ID and question, no cache-flush, TTL 10", () => {
  const { world, dev, peer, heard } = setup(25);
  dev.boot();
  world.runFor(5 * SECOND);
  heard.length = 0;
  const got: { data: Uint8Array; from: number; to: number; ttl: number }[] = [];
  const simple = peer.udp.bind(40123, (data, from, pkt) => got.push({ data, from: from.ip, to: pkt.dst, ttl: pkt.ttl }));
  const q = message("WasMnet.local");
  q[0] = 0x12; q[1] = 0x34;
  q[2] = 0x01; // RD, as dig and drill set it
  simple.sendTo("224.0.0.251", 5353, q, { dstMac: GROUP_MAC });
  world.runFor(100 * MS);
  assert.equal(got.length, 1, "one unicast answer to the querier's port");
  assert.equal(got[0].to, peer.ip, "sent to the querier, not the group");
  const a = parse(got[0].data);
  assert.equal(got[0].data[0] << 8 | got[0].data[1], 0x1234, "the query ID");
  assert.equal(a.flags, 0x8500, "response, authoritative, RD copied");
  assert.deepEqual(a.questions, [{ name: "WasMnet.local", type: 1, cls: 1 }], "the question repeated as asked");
  assert.equal(got[0].ttl, 255, "IP TTL 255 (RFC 6762 11)");
  assert.equal(a.records[0].cls, 1, "no cache-flush bit");
  assert.equal(a.records[0].ttl, 10);
  assert.deepEqual([...a.records[0].data], DEV);
  assert.equal(heard.length, 0, "nothing multicast for it");
});

test("mDNS after a link flap (RFC 6762 8): silent while the cable is out, probes and announces again when it is back", () => {
  const { world, dev, peer, heard, send, link } = setup(26);
  dev.boot();
  world.runFor(5 * SECOND);
  link.setUp(false);
  world.runFor(2 * SECOND);
  heard.length = 0;
  link.setUp(true);
  world.runFor(5 * SECOND);
  const probes = heard.filter((h) => (h.msg.flags & 0x8000) === 0);
  const announces = heard.filter((h) => (h.msg.flags & 0x8000) !== 0);
  assert.equal(probes.length, 3, "probed again");
  assert.equal(announces.length, 2, "announced again");
  assert.deepEqual([...announces[0].msg.records[0].data], DEV);
  heard.length = 0;
  send(peer, message("wasmnet.local"));
  world.runFor(100 * MS);
  assert.equal(heard.length, 1, "answers as before");
});

test("mDNS: a host answering for our name with another address is a conflict: logged, renamed wasmnet-2, probed again", () => {
  const { world, dev, peer, heard, send } = setup(22);
  dev.boot();
  world.runFor(5 * SECOND);
  heard.length = 0;
  send(peer, message("wasmnet.local", { answerA: [192, 168, 1, 10] }));
  world.runFor(5 * SECOND);
  assert.ok(world.timeline.find(/mdns: name conflict on wasmnet\.local, renaming/), "logged");
  const probes = heard.filter((h) => (h.msg.flags & 0x8000) === 0);
  assert.equal(probes.length, 3);
  assert.equal(probes[0].msg.questions[0].name, "wasmnet-2.local");
  assert.ok(world.timeline.find(/mdns: wasmnet-2\.local is 192\.168\.1\.100/));
  heard.length = 0;
  send(peer, message("wasmnet-2.local"));
  send(peer, message("wasmnet.local"));
  world.runFor(100 * MS);
  assert.equal(heard.length, 1, "only the new name is answered");
  assert.equal(heard[0].msg.records[0].name, "wasmnet-2.local");
});

test("mDNS: a simultaneous probe for our name that wins the tie-break makes us rename while probing", () => {
  const { world, dev, peer, send } = setup(23);
  dev.boot();
  world.runUntil(() => !!world.timeline.find(/net: if0 192\.168\.1\.100/), 3 * SECOND);
  send(peer, message("wasmnet.local", { type: 255, probeA: [192, 168, 1, 200] }));
  world.runFor(5 * SECOND);
  assert.ok(world.timeline.find(/mdns: name conflict on wasmnet\.local/));
  assert.ok(world.timeline.find(/mdns: wasmnet-2\.local is/));
});

test("mDNS on both interfaces: with the Wi-Fi AP bridged onto the wired LAN, each interface answers with its own address and our own messages are no conflict", () => {
  const { world, dev, peer, heard, send, ...lan } = setup(24);
  const wifi = wifiOnLan(world, { dev, ...lan } as any);
  dev.boot();
  world.runUntil(() => !!world.timeline.find(/net: if0 \d/), 10 * SECOND);
  typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`]);
  const wifiBound = /net: if1 (\d+\.\d+\.\d+\.\d+)\/24/;
  world.runUntil(() => !!world.timeline.find(wifiBound), 20 * SECOND);
  const wifiAddress = wifiBound.exec(world.timeline.find(wifiBound)!.text)![1];
  world.runFor(5 * SECOND);
  assert.ok(world.timeline.find(/mdns: wasmnet\.local is 192\.168\.1\.100/), "wired announced");
  assert.ok(world.timeline.find(new RegExp(`mdns: wasmnet\\.local is ${wifiAddress.replace(/\./g, "\\.")}`)), "Wi-Fi announced");
  assert.equal(world.timeline.find(/mdns: name conflict/), undefined, "hearing ourselves on the other interface is no conflict");

  heard.length = 0;
  const airBefore = wifi.radio.counters.tx;
  send(peer, message("wasmnet.local"));
  world.runFor(200 * MS);
  const answers = heard.filter((h) => (h.msg.flags & 0x8000) !== 0).map((h) => h.msg.records[0].data.join("."));
  assert.deepEqual(answers.sort(), ["192.168.1.100", wifiAddress].sort(), "one answer per interface, each with its address");
  assert.ok(wifi.radio.counters.tx > airBefore, "the Wi-Fi answer went over the air");

  // A simple resolver's query: each interface answers by unicast, out the way it came in.
  const got: { data: number[]; src: number }[] = [];
  const simple = peer.udp.bind(40124, (data, from) => got.push({ data: [...data.subarray(data.length - 4)], src: from.ip }));
  const airBeforeLegacy = wifi.radio.counters.tx;
  simple.sendTo("224.0.0.251", 5353, message("wasmnet.local"), { dstMac: GROUP_MAC });
  world.runFor(200 * MS);
  assert.deepEqual(got.map((g) => g.data.join(".")).sort(), ["192.168.1.100", wifiAddress].sort(), "two unicast answers");
  assert.ok(wifi.radio.counters.tx > airBeforeLegacy, "the Wi-Fi interface's answer left over the air, not the wired port");
  simple.close();
  assert.equal(dev.stats.panics, 0);
});

test("mDNS source check (RFC 6762 11): a query sent to the group is on the link whatever its source; one sent by unicast from another subnet is ignored", () => {
  const { world, dev, peer, heard } = setup(27);
  dev.boot();
  world.runFor(5 * SECOND);
  heard.length = 0;
  // The same host with a source address from another subnet (as a device still on a stale
  // address, or one on 169.254/16 while we are not): to the group, it is answered.
  peer.udp.send(5353, 0xe00000fb, 5353, message("wasmnet.local"), { dstMac: GROUP_MAC, src: 0x0a000005 });
  world.runFor(200 * MS);
  assert.equal(heard.length, 1, "a group query from an off-subnet source is answered");
  heard.length = 0;
  peer.udp.send(5353, ip("192.168.1.100"), 5353, message("wasmnet.local"), { src: 0x0a000005 });
  world.runFor(200 * MS);
  assert.equal(heard.length, 0, "a unicast one from off the link is not");
  peer.udp.send(5353, ip("192.168.1.100"), 5353, message("wasmnet.local"));
  world.runFor(200 * MS);
  assert.equal(heard.length, 1, "a unicast one from on the link is");
});
