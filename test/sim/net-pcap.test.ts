import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Link } from "../../sim/net/link.ts";
import {
  LINKTYPE_ETHERNET, LINKTYPE_IEEE802_11_RADIOTAP, PcapWriter, radiotapHeader, readPcap,
} from "../../sim/net/pcap.ts";
import { SimHost } from "../../sim/hosts/host.ts";

const hasTshark = spawnSync("sh", ["-c", "command -v tshark"]).status === 0;

/** Two hosts exchanging ARP, ICMP and UDP over a link tapped by a writer. */
function capture(at: "tx" | "rx") {
  const sched = new Scheduler();
  const rng = new Rng(99);
  const link = new Link(sched, rng.fork("l"), { params: { delayUs: 1500, loss: 0.2 } });
  const pcap = new PcapWriter();
  pcap.tapLink(link, at);
  const a = new SimHost(sched, rng.fork("a"), { mac: "02:00:00:00:00:01", ip: "10.1.0.1" }).attach(link.a);
  const b = new SimHost(sched, rng.fork("b"), { mac: "02:00:00:00:00:02", ip: "10.1.0.2" }).attach(link.b);
  b.udp.bind(7, (d, from) => sock.sendTo(from.ip, from.port, d));
  const sock = b.udp.bind(8);
  sched.at(2_500_000_123, () => a.udp.bind(1234).sendTo("10.1.0.2", 7, Buffer.from("echo me")));
  a.ping("10.1.0.2", { count: 5, intervalUs: 300_000 });
  sched.runUntil(2_600e6);
  return { pcap, link };
}

test("pcap round trip keeps bytes, order and microsecond times", () => {
  const { pcap, link } = capture("tx");
  const f = readPcap(pcap.bytes());
  assert.equal(f.linktype, LINKTYPE_ETHERNET);
  assert.equal(f.nanosecond, false);
  const sent = link.counters("ab").sent + link.counters("ba").sent;
  assert.equal(f.packets.length, sent);
  assert.ok(f.packets.length >= 10);
  const times = f.packets.map((p) => p.time);
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
  assert.ok(times.includes(2_500_000_123)); // seconds and microseconds split correctly
  assert.equal(f.packets[0].data[12] * 256 + f.packets[0].data[13], 0x0806); // ARP first
});

test("an rx tap sees exactly what was delivered", () => {
  const { pcap, link } = capture("rx");
  const f = readPcap(pcap.bytes());
  assert.equal(f.packets.length, link.counters("ab").delivered + link.counters("ba").delivered);
});

test("readPcap accepts big-endian and nanosecond files", () => {
  const h = new DataView(new ArrayBuffer(24 + 16 + 3));
  h.setUint32(0, 0xa1b23c4d, false);
  h.setUint16(4, 2, false); h.setUint16(6, 4, false);
  h.setUint32(16, 65535, false); h.setUint32(20, 1, false);
  h.setUint32(24, 3, false); h.setUint32(28, 500_000_001, false);
  h.setUint32(32, 3, false); h.setUint32(36, 60, false);
  new Uint8Array(h.buffer).set([7, 8, 9], 40);
  const f = readPcap(new Uint8Array(h.buffer));
  assert.equal(f.nanosecond, true);
  assert.deepEqual(f.packets.map((p) => [p.time, [...p.data], p.origLen]), [[3_500_000.001, [7, 8, 9], 60]]);
  assert.throws(() => readPcap(new Uint8Array(h.buffer).subarray(0, 41)), /truncated/);
  assert.throws(() => readPcap(new Uint8Array(24)), /magic/);
});

test("snaplen truncates the stored bytes but keeps the original length", () => {
  const w = new PcapWriter(LINKTYPE_ETHERNET, 20);
  w.add(1, new Uint8Array(100).fill(5));
  const f = readPcap(w.bytes());
  assert.equal(f.packets[0].data.length, 20);
  assert.equal(f.packets[0].origLen, 100);
});

test("tshark reads Ethernet and radiotap captures without malformed packets", { skip: hasTshark ? false : "tshark not installed" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmnet-pcap-"));
  try {
    const eth = join(dir, "eth.pcap");
    const { pcap } = capture("tx");
    pcap.writeFile(eth);
    const tshark = (file: string, ...args: string[]) =>
      execFileSync("tshark", ["-n", "-r", file, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const lines = tshark(eth).trim().split("\n");
    assert.equal(lines.length, pcap.packets);
    assert.match(lines.join("\n"), /ICMP.*Echo \(ping\) reply/);
    assert.match(lines.join("\n"), /UDP/);
    assert.equal(tshark(eth, "-Y", "_ws.malformed || _ws.expert.severity == error").trim(), "");

    const wifi = join(dir, "wifi.pcap");
    const w = new PcapWriter(LINKTYPE_IEEE802_11_RADIOTAP);
    // 802.11 ACK control frame: frame control, duration, receiver address (no FCS)
    const ack = Uint8Array.of(0xd4, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 1);
    w.add(10, Buffer.concat([radiotapHeader({ rateMbps: 6, channelMHz: 2437, signalDbm: -40 }), ack]));
    w.writeFile(wifi);
    const out = tshark(wifi, "-T", "fields", "-e", "radiotap.channel.freq", "-e", "radiotap.dbm_antsignal", "-e", "wlan.fc.type_subtype", "-e", "_ws.malformed");
    assert.deepEqual(out.trim().split("\t").slice(0, 3), ["2437", "-40", "0x001d"]);
    assert.equal(out.trim().split("\t")[3] ?? "", "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
