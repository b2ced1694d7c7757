// The wired path end to end: the real build/stack.wasm drives the ENC28J60 chip model over
// SPI, on a switched LAN with independent simulated hosts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { World, SECOND, MS } from "../../sim/world.ts";
import { LAN, TEN_BASE_T, configureStatic, typeLines, wiredLan } from "../../sim/topologies.ts";
import { attachEnc28j60, attachFlash } from "../../sim/parts.ts";
import { Link } from "../../sim/net/link.ts";
import { SimHost } from "../../sim/hosts/host.ts";
import { readPcap } from "../../sim/net/pcap.ts";
import { ip } from "../../sim/hosts/wire.ts";
import { Counter } from "../../sim/generated/hal.ts";
import { machine as machineReply } from "../support/console.ts";
import type { SimDevice } from "../../sim/device.ts";

const machine = (world: World, dev: SimDevice, cmd: string, waitUs = 200 * MS) => machineReply(world, dev, cmd, waitUs, 77);

function bootedLan(seed = 1, opts: Parameters<typeof wiredLan>[1] = {}) {
  const world = new World(seed);
  const lan = wiredLan(world, opts);
  lan.dev.boot();
  world.runFor(100 * MS);
  configureStatic(world, lan.dev);
  world.runFor(100 * MS);
  return { world, ...lan };
}

test("the device comes up on Ethernet with a static address and answers ping", () => {
  const { world, dev, peer, chip } = bootedLan();
  assert.ok(world.timeline.find(/enc28j60: up, EREVID 6/), "driver read the revision");
  assert.ok(world.timeline.find(/net: if0 192\.168\.1\.50\/24 gw 192\.168\.1\.1/));
  const r = peer.ping(LAN.device, { count: 5, intervalUs: 200 * MS });
  world.runFor(2 * SECOND);
  assert.equal(r.received, 5);
  assert.equal(r.lost, 0);
  assert.ok(r.rttsUs.every((t) => t > 100 && t < 20_000), `plausible RTTs with the CPU model: ${r.rttsUs}`);
  assert.equal(dev.counterValue(Counter.IcmpRx), 5);
  assert.equal(chip.stats.rxFiltered, 0, "nothing of ours was filtered by the chip");
});

test("the device pings a host, and resolves an off-link address through the gateway", () => {
  const { world, dev, gateway, pcap } = bootedLan(2);
  const onLink = machine(world, dev, `ping ${LAN.peer} 3`, 5 * SECOND);
  assert.equal(onLink.ok, true);
  assert.equal(onLink.data.received, 3);
  assert.ok(onLink.data.rtt_avg_us > 0);
  const offLink = machine(world, dev, `ping ${LAN.offLink} 2`, 5 * SECOND);
  assert.equal(offLink.data.received, 2);
  assert.deepEqual(gateway.forwarded.map((f) => f.dst), [ip(LAN.offLink), ip(LAN.offLink)]);
  // The device asked ARP for the gateway, never for the off-link address.
  const arpTargets = readPcap(pcap.bytes()).packets
    .filter((p) => p.data[12] === 0x08 && p.data[13] === 0x06 && p.data[21] === 1)
    .map((p) => p.data.subarray(38, 42).join("."));
  assert.ok(arpTargets.includes(LAN.gateway));
  assert.ok(!arpTargets.includes(LAN.offLink));
  const arp = machine(world, dev, "arp");
  assert.ok(JSON.stringify(arp.data).includes(LAN.gateway));
  const route = machine(world, dev, "route");
  assert.match(JSON.stringify(route.data), /0\.0\.0\.0\/0 via 192\.168\.1\.1/);
});

test("pings survive 20% loss with reordering, a link flap, and an RX overflow burst", () => {
  const { world, dev, peer, link, chip } = bootedLan(3);
  // Resolve ARP both ways first: this is about pings surviving loss, not about ARP's retries.
  const warm = peer.ping(LAN.device, { count: 1 });
  world.runFor(SECOND);
  assert.equal(warm.received, 1);
  link.set({ loss: 0.2, reorder: 0.2, reorderDelayUs: 3000 });
  const lossy = peer.ping(LAN.device, { count: 40, intervalUs: 50 * MS });
  world.runFor(5 * SECOND);
  assert.ok(lossy.received >= 15 && lossy.received < 40, `some lost, most through: ${lossy.received}/40`);
  link.set({ loss: 0, reorder: 0 });

  link.setUp(false);
  world.runFor(500 * MS);
  assert.ok(world.timeline.find(/link down/i) || dev.counterValue(Counter.EthLinkChanges) >= 1, "the device saw the link go down");
  link.setUp(true);
  world.runFor(SECOND);
  const afterFlap = peer.ping(LAN.device, { count: 3, intervalUs: 100 * MS });
  world.runFor(2 * SECOND);
  assert.equal(afterFlap.received, 3);

  // A burst far beyond the receive ring, arriving faster than SPI can drain it.
  for (let i = 0; i < 60; i++) chip.receiveFromWire(ethernetTo(dev, i));
  world.runFor(SECOND);
  assert.ok(dev.counterValue(Counter.EthRxOverflow) > 0, "the burst overflowed the ring");
  const afterBurst = peer.ping(LAN.device, { count: 3, intervalUs: 100 * MS });
  world.runFor(2 * SECOND);
  assert.equal(afterBurst.received, 3, "the ring is intact after the overflow");
});

/** The ENC28J60's address: the eFuse base MAC + 3, as ESP-IDF derives it (and the device reads it). */
function ethernetMac(dev: ReturnType<typeof wiredLan>["dev"]): Uint8Array {
  const m = Buffer.from(dev.baseMac);
  m.writeUIntBE((m.readUIntBE(3, 3) + 3) & 0xffffff, 3, 3);
  return m;
}

function ethernetTo(dev: ReturnType<typeof wiredLan>["dev"], i: number): Uint8Array {
  const f = new Uint8Array(1514);
  f.fill(0xff, 0, 6); // broadcast: passes the filter, is dropped by the stack as unknown type
  f.set([0x02, 0, 0, 0, 0x02, i & 0xff], 6);
  f[12] = 0x88; f[13] = 0xb5; // local experimental ethertype
  void dev;
  return f;
}

test("a supply dip resets the ENC28J60: the board notices, sets it up again, logs it, counts it, and answers pings", () => {
  const { world, dev, peer, chip } = bootedLan(4);
  const before = peer.ping(LAN.device, { count: 2, intervalUs: 100 * MS });
  world.runFor(SECOND);
  assert.equal(before.received, 2);
  chip.powerGlitch();
  world.runFor(2 * SECOND);
  assert.ok(world.timeline.find(/enc28j60: chip lost its configuration/), "logged");
  assert.equal(dev.counterValue(Counter.EthChipResets), 1);
  assert.equal(machine(world, dev, "netstat").data.eth_chip_resets, 1, "shown by netstat");
  const r = peer.ping(LAN.device, { count: 5, intervalUs: 200 * MS });
  world.runFor(2 * SECOND);
  assert.equal(r.received, 5, "answers again");
  assert.equal(dev.stats.panics, 0);
});

test("an ENC28J60 that does not answer (not plugged in): retries back off to once a minute, one log line each; plugged in later, it comes up", () => {
  const world = new World(6);
  const dev = world.device({ name: "dev0", board: "esp32-devkitc-enc28j60", cpu: null });
  attachFlash(dev, world.rng);
  dev.boot();
  world.runFor(5 * 60 * SECOND);
  const failures = world.timeline.entries.filter((e) => /enc28j60: SPI transfers fail/.test(e.text));
  // 1, 2, 4, ... 32 s, then every 60 s: 10 attempts in 5 minutes, not 300.
  assert.ok(failures.length >= 8 && failures.length <= 11, `${failures.length} failed attempts logged`);
  assert.match(failures[failures.length - 1].text, /retrying in 60 s/);
  const link = new Link(world.scheduler, world.rng.fork("link"), { name: "late", params: TEN_BASE_T });
  attachEnc28j60(dev, world.rng, link.a);
  const host = new SimHost(world.scheduler, world.rng.fork("host"), { name: "host", mac: "02:00:00:00:01:10", ip: LAN.peer });
  host.attach(link.b);
  world.runUntil(() => !!world.timeline.find(/enc28j60: up/), 70 * SECOND);
  assert.ok(world.timeline.find(/enc28j60: up/), "up within one retry period of being plugged in");
  configureStatic(world, dev);
  const r = host.ping(LAN.device, { count: 3, intervalUs: 200 * MS });
  world.runFor(2 * SECOND);
  assert.equal(r.received, 3);
});

test("bad frames are dropped and counted, never trapped on", () => {
  const { world, dev, chip, peer } = bootedLan(4);
  const rng = world.rng.fork("garbage");
  const ourMac = ethernetMac(dev);
  for (let i = 0; i < 300; i++) {
    const f = rng.bytes(14 + rng.int(1500));
    f.set(i % 2 === 0 ? ourMac : [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0);
    f[12] = 0x08; f[13] = i % 3 === 0 ? 0x06 : 0x00;
    chip.receiveFromWire(f);
    if (i % 5 === 0) world.runFor(2 * MS);
  }
  world.runFor(SECOND);
  assert.equal(dev.stats.panics, 0);
  const drops = [Counter.EthRxDropNotForUs, Counter.IpDropMalformed, Counter.IpDropBadChecksum, Counter.ArpDropMalformed]
    .reduce((n, c) => n + dev.counterValue(c), 0);
  assert.ok(drops > 0, "drops were counted");
  const r = peer.ping(LAN.device, { count: 2, intervalUs: 100 * MS });
  world.runFor(SECOND);
  assert.equal(r.received, 2);
  typeLines(world, dev, ["netstat"]);
  assert.match(dev.uartOutput, /eth_rx: \d+/);
});

test("the same seed replays the same run bit for bit; another seed differs", () => {
  const run = (seed: number) => {
    const { world, peer, pcap, link } = bootedLan(seed);
    link.set({ loss: 0.1, jitterUs: 500 });
    peer.ping(LAN.device, { count: 10, intervalUs: 30 * MS });
    world.runFor(2 * SECOND);
    return Buffer.from(pcap.bytes()).toString("hex") + JSON.stringify(world.timeline.entries);
  };
  assert.equal(run(5), run(5));
  assert.notEqual(run(5), run(6));
});
