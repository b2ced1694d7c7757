// DHCP on the wired interface, end to end: the real build/stack.wasm (stack/app/ipconfig.ts
// driving the DhcpClient) on the ENC28J60 model, on a switched LAN whose DHCP server is the
// independent sim/hosts/dhcp-server.ts. Virtual time only; nothing asserts wall-clock timing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { World, SECOND, MS } from "../../sim/world.ts";
import { LAN, DHCP_LAN, dhcpLan, typeLines, type DhcpLanOptions } from "../../sim/topologies.ts";
import { readPcap } from "../../sim/net/pcap.ts";
import { ip, ipToString } from "../../sim/hosts/wire.ts";
import type { SimDevice } from "../../sim/device.ts";
import { haveTshark, tsharkFields, tsharkProblems } from "../interop/tshark.ts";
import { machine as machineReply } from "../support/console.ts";

const machine = (world: World, dev: SimDevice, cmd: string, waitUs = 200 * MS) => machineReply(world, dev, cmd, waitUs, 77);

function lan(seed = 1, opts: DhcpLanOptions = {}) {
  const world = new World(seed);
  const l = dhcpLan(world, opts);
  l.dev.boot();
  return { world, ...l };
}

function inet(world: World, dev: SimDevice): string {
  const r = machine(world, dev, "ifconfig");
  return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.data.eth0)![1];
}

/** The device's DHCP messages on its cable: [time, IPv4 destination, ciaddr, message type]. */
function dhcpSent(pcapBytes: Uint8Array): { t: number; dst: string; ciaddr: string; type: number }[] {
  const out: { t: number; dst: string; ciaddr: string; type: number }[] = [];
  for (const p of readPcap(pcapBytes).packets) {
    const d = p.data;
    if (d[12] !== 0x08 || d[13] !== 0x00 || d[23] !== 17) continue;
    const ihl = (d[14] & 15) * 4;
    const u = 14 + ihl;
    if (((d[u + 2] << 8) | d[u + 3]) !== 67) continue;
    const b = u + 8;
    let type = 0;
    for (let i = b + 240; i < d.length && d[i] !== 255;) {
      if (d[i] === 0) { i++; continue; }
      if (d[i] === 53) type = d[i + 2];
      i += 2 + d[i + 1];
    }
    out.push({ t: p.time, dst: [...d.subarray(30, 34)].join("."), ciaddr: [...d.subarray(b + 12, b + 16)].join("."), type });
  }
  return out;
}

test("DORA: the device takes the offered address, router and DNS server; pings work both ways", () => {
  const { world, dev, dhcp, peer, gateway } = lan(1);
  world.runFor(3 * SECOND);
  const e = dhcp.log.map((x) => x.type);
  assert.deepEqual(e.slice(0, 2), ["DISCOVER", "REQUEST"], `messages: ${e}`);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart);
  assert.ok(world.timeline.find(/net: if0 192\.168\.1\.100\/24 gw 192\.168\.1\.1/));
  // The client id (type 1 + MAC) and the configured hostname reach the server.
  const req = dhcp.messages("REQUEST")[0];
  assert.equal(req.hostname, "wasmnet");
  assert.match(req.clientId ?? "", /^01[0-9a-f]{12}$/);
  assert.equal(dhcp.table[0].hostname, "wasmnet");
  const r = peer.ping(DHCP_LAN.poolStart, { count: 3, intervalUs: 100 * MS });
  world.runFor(SECOND);
  assert.equal(r.received, 3);
  const out = machine(world, dev, `ping ${LAN.offLink} 2`, 5 * SECOND);
  assert.equal(out.data.received, 2, "off-link through the router from the lease");
  assert.ok(gateway.forwarded.length >= 2);
  const route = machine(world, dev, "route");
  assert.match(JSON.stringify(route.data), /0\.0\.0\.0\/0 via 192\.168\.1\.1/);
});

test("renewal at T1 (unicast to the server), rebinding at T2 (broadcast), expiry drops the address; a new DISCOVER gets it back", () => {
  const { world, dev, dhcp, pcap } = lan(2, { dhcp: { leaseSecs: 120 } });
  world.runFor(2 * SECOND);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart);
  const ack0 = dhcp.log.find((x) => x.type === "REQUEST")!.time;
  // T1 = 60 s after the REQUEST went out.
  world.runUntil(() => dhcp.log.filter((x) => x.type === "REQUEST").length >= 2, 70 * SECOND);
  const renew = dhcp.log.filter((x) => x.type === "REQUEST")[1];
  const t1 = (renew.time - ack0) / SECOND;
  assert.ok(t1 >= 59.9 && t1 <= 60.2, `renewed at T1 ~60 s, was ${t1}`);
  assert.equal(ipToString(renew.ciaddr), DHCP_LAN.poolStart, "RENEWING carries ciaddr");
  assert.equal(ipToString(renew.srcIp), DHCP_LAN.poolStart);
  assert.equal(renew.reply, "ACK");
  const sentRenew = dhcpSent(pcap.bytes()).filter((m) => m.ciaddr === DHCP_LAN.poolStart);
  assert.equal(sentRenew[0].dst, DHCP_LAN.server, "unicast to the server");

  // The server goes quiet: RENEWING from the next T1, REBINDING (broadcast) at T2 = 0.875 lease, expiry at 120 s.
  dhcp.silent = true;
  const base = renew.time;
  world.runUntil(() => world.timeline.find(/dhcp: lease expired/) !== undefined, 130 * SECOND);
  const after = dhcpSent(pcap.bytes()).filter((m) => m.t > base + SECOND && m.type === 3);
  const unicast = after.filter((m) => m.dst === DHCP_LAN.server);
  const broadcast = after.filter((m) => m.dst === "255.255.255.255" && m.ciaddr === DHCP_LAN.poolStart);
  assert.ok(unicast.length >= 2, `RENEWING retransmits: ${unicast.length}`);
  assert.ok(broadcast.length >= 1, "REBINDING broadcasts");
  const firstRenew = (unicast[0].t - base) / SECOND, firstRebind = (broadcast[0].t - base) / SECOND;
  assert.ok(firstRenew >= 59.9 && firstRenew <= 60.2, `RENEWING from T1: ${firstRenew}`);
  assert.ok(firstRebind >= 104.9 && firstRebind <= 105.2, `REBINDING from T2 = 105 s: ${firstRebind}`);
  assert.ok(unicast.every((m) => m.t < broadcast[0].t), "no unicast after T2");
  world.runFor(100 * MS);
  assert.equal(inet(world, dev), "0.0.0.0", "the address is gone at expiry");
  dhcp.silent = false;
  world.runFor(20 * SECOND);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart, "DISCOVER (with the old address as a hint) gets it back");
});

test("a reboot verifies the stored lease with INIT-REBOOT: one REQUEST, one ACK, the same address", () => {
  const { world, dev, dhcp } = lan(3);
  world.runFor(3 * SECOND);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart);
  const before = dhcp.log.length;
  dev.uartInput(0, "reboot\r");
  world.runFor(3 * SECOND);
  const after = dhcp.log.slice(before);
  assert.deepEqual(after.map((x) => `${x.type}->${x.reply}`), ["REQUEST->ACK"], "one round trip");
  assert.equal(after[0].ciaddr, 0);
  assert.equal(after[0].serverId, null, "INIT-REBOOT carries no server id");
  assert.equal(ipToString(after[0].requestedIp!), DHCP_LAN.poolStart);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart);
});

test("a link flap makes the client verify its lease (INIT-REBOOT), the address stays", () => {
  const { world, dev, dhcp, link } = lan(4);
  world.runFor(3 * SECOND);
  const before = dhcp.log.length;
  link.setUp(false);
  world.runFor(2 * SECOND);
  link.setUp(true);
  world.runFor(3 * SECOND);
  const after = dhcp.log.slice(before);
  assert.deepEqual(after.map((x) => `${x.type}->${x.reply}`), ["REQUEST->ACK"]);
  assert.equal(after[0].ciaddr, 0);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart);
});

test("NAK: the stored lease is refused after a reboot, the client starts over with DISCOVER and forgets it", () => {
  const { world, dev, dhcp } = lan(5);
  world.runFor(3 * SECOND);
  dhcp.nakAll = true;
  const before = dhcp.log.length;
  dev.uartInput(0, "reboot\r");
  world.runUntil(() => dhcp.log.slice(before).some((x) => x.reply === "NAK"), 5 * SECOND);
  dhcp.nakAll = false;
  world.runFor(5 * SECOND);
  const after = dhcp.log.slice(before).map((x) => `${x.type}->${x.reply}`);
  assert.equal(after[0], "REQUEST->NAK");
  assert.ok(after.includes("DISCOVER->OFFER"), `${after}`);
  assert.ok(world.timeline.find(/dhcp: NAK for 192\.168\.1\.100/));
  assert.notEqual(inet(world, dev), "0.0.0.0");
});

test("a silent server: DISCOVER retransmitted with growing gaps, no address; an answer later binds at once", () => {
  const { world, dev, dhcp, pcap } = lan(6);
  dhcp.silent = true;
  world.runFor(40 * SECOND);
  const discovers = dhcpSent(pcap.bytes()).filter((m) => m.type === 1);
  assert.ok(discovers.length >= 3 && discovers.length <= 5, `${discovers.length} DISCOVERs in 40 s`);
  const gaps = discovers.slice(1).map((m, i) => (m.t - discovers[i].t) / SECOND);
  for (let i = 0; i < gaps.length; i++) {
    const nominal = 4 * 2 ** i;
    assert.ok(Math.abs(gaps[i] - nominal) <= 1.01, `gap ${i}: ${gaps[i]} s, nominal ${nominal} +-1 s`);
  }
  assert.equal(inet(world, dev), "0.0.0.0");
  dhcp.silent = false;
  world.runFor(40 * SECOND);
  assert.equal(inet(world, dev), DHCP_LAN.poolStart);
});

test("static mode still wins over DHCP and the lease stays unused", () => {
  const { world, dev, dhcp } = lan(7);
  typeLines(world, dev, ["config set if.mode static", `config set if.addr ${LAN.device}`, `config set if.gw ${LAN.gateway}`, "config commit"]);
  const before = dhcp.log.length;
  world.runFor(5 * SECOND);
  assert.equal(inet(world, dev), LAN.device);
  assert.equal(dhcp.log.length, before, "no DHCP traffic in static mode");
  void ip;
});

test("tshark finds a DHCP + DNS run clean and sees DORA, INIT-REBOOT and the DNS exchange", { skip: haveTshark ? false : "tshark is not installed" }, () => {
  const { world, dev, pcap } = lan(8);
  world.runFor(3 * SECOND);
  machine(world, dev, "nslookup www.lan", 5 * SECOND);
  machine(world, dev, "nslookup nope.lan", 5 * SECOND);
  dev.uartInput(0, "reboot\r");
  world.runFor(3 * SECOND);
  const file = join(mkdtempSync(join(tmpdir(), "wasmnet-dhcp-")), "dhcp-dns.pcap");
  writeFileSync(file, pcap.bytes());
  const { problems, packets } = tsharkProblems(file);
  assert.equal(problems, "", "no malformed or bad-checksum packets");
  assert.ok(packets > 10);
  const dhcpTypes = tsharkFields(file, "dhcp", ["dhcp.option.dhcp", "dhcp.option.hostname", "ip.src"]);
  assert.deepEqual(dhcpTypes.slice(0, 4).map(([t]) => t), ["1", "2", "3", "5"], "DORA");
  assert.ok(dhcpTypes.some(([t, h]) => t === "3" && h === "wasmnet"));
  const dns = tsharkFields(file, "dns", ["dns.flags.response", "dns.qry.name", "dns.flags.rcode", "dns.a"]);
  assert.ok(dns.some(([r, n, , a]) => r === "1" && n === "www.lan" && a === LAN.peer));
  assert.ok(dns.some(([r, n, rc]) => r === "1" && n === "nope.lan" && rc === "3"));
});

test("a leased address is announced twice, 2 s apart (RFC 5227 §2.3), not once by ARP and again by DHCP's conflict detection", () => {
  const { world, dev, link } = lan(12);
  const announcements: number[] = [];
  link.onFrame((ev) => {
    const f = Buffer.from(ev.frame);
    // ARP from the board whose sender and target address are the same (an announcement).
    if (ev.dir !== "ab" || ev.at !== "tx" || f[12] !== 0x08 || f[13] !== 0x06) return;
    if (Buffer.compare(f.subarray(28, 32), f.subarray(38, 42)) === 0 && f.readUInt32BE(28) !== 0) announcements.push(ev.time);
  });
  world.runFor(10 * SECOND);
  assert.equal(announcements.length, 2, `announcements at ${announcements.map((t) => (t / 1e6).toFixed(3)).join(", ")} s`);
  assert.ok(Math.abs(announcements[1] - announcements[0] - 2 * SECOND) < 100 * MS);
  assert.equal(dev.stats.panics, 0);
});
