// Reusable topologies for scenarios, tests and benchmarks.
import type { World } from "./world.ts";
import { MS, SECOND } from "./world.ts";
import type { SimDevice } from "./device.ts";
import { Link, type LinkParams } from "./net/link.ts";
import { Switch } from "./net/switch.ts";
import { PcapWriter } from "./net/pcap.ts";
import { SimHost } from "./hosts/host.ts";
import { EchoGateway } from "./hosts/gateway.ts";
import { attachEnc28j60, attachFlash } from "./parts.ts";
import type { Enc28j60Model } from "./devices/enc28j60.ts";
import type { NorFlash } from "./devices/flash.ts";
import { DhcpServer, type DhcpServerOptions } from "./hosts/dhcp-server.ts";
import { DnsServer, type DnsRecordSpec } from "./hosts/dns-server.ts";
import { Medium } from "./wifi/medium.ts";
import { AccessPoint, type ApOptions } from "./wifi/ap.ts";
import { Esp32WifiRadio } from "./wifi/radio.ts";
import { captureAir } from "./wifi/air-pcap.ts";

/** 10BASE-T as the ENC28J60 runs it: 10 Mbit/s, 8-byte preamble + 4-byte FCS + 12-byte gap per frame. */
export const TEN_BASE_T: Partial<LinkParams> = { bandwidthBps: 10e6, overheadBytes: 24, delayUs: 1 };

export const LAN = { device: "192.168.1.50", gateway: "192.168.1.1", peer: "192.168.1.10", offLink: "10.0.0.5", mask: "255.255.255.0" };

export interface WiredLan {
  dev: SimDevice;
  /** The device's cable, from its ENC28J60 (side a) to the switch (side b). */
  link: Link;
  sw: Switch;
  gateway: EchoGateway;
  peer: SimHost;
  chip: Enc28j60Model;
  flash: Map<string, NorFlash>;
  /** Everything on the device's cable, as seen at the device's port. */
  pcap: PcapWriter;
}

export interface WiredLanOptions {
  cpu?: boolean;
  /** AccelCap bits the board's host offers (default: the firmware's, sim/accelerators.ts). */
  accelerators?: number;
  link?: Partial<LinkParams>;
  name?: string;
  wasm?: Uint8Array;
}

/** One board with an ENC28J60 on a switch, a gateway that answers for the off-link world, and a peer host. */
export function wiredLan(world: World, opts: WiredLanOptions = {}): WiredLan {
  const dev = world.device({ name: opts.name ?? "dev0", board: "esp32-devkitc-enc28j60", cpu: opts.cpu === false ? null : undefined, wasm: opts.wasm, accelerators: opts.accelerators });
  const flash = attachFlash(dev, world.rng);
  const sw = new Switch(world.scheduler, { ports: 6 }); // dev, gateway, peer, a server, a Wi-Fi AP, one spare
  const link = sw.connectLink(0, world.rng.fork("link:dev0"), { name: "dev0", params: { ...TEN_BASE_T, ...opts.link } });
  const chip = attachEnc28j60(dev, world.rng, link.a);
  const pcap = new PcapWriter();
  pcap.tapLink(link, "rx");
  const gateway = new EchoGateway(world.scheduler, world.rng.fork("gateway"), { name: "gateway", mac: "02:00:00:00:01:01", ip: LAN.gateway });
  gateway.attach(sw.connectLink(1, world.rng.fork("link:gw"), { params: TEN_BASE_T }).a);
  const peer = new SimHost(world.scheduler, world.rng.fork("peer"), { name: "peer", mac: "02:00:00:00:01:10", ip: LAN.peer, gateway: LAN.gateway });
  peer.attach(sw.connectLink(2, world.rng.fork("link:peer"), { params: TEN_BASE_T }).a);
  return { dev, link, sw, gateway, peer, chip, flash, pcap };
}

/** Types console lines into a device, letting each one run for `stepUs`. */
export function typeLines(world: World, dev: SimDevice, lines: string[], stepUs = 50 * MS): void {
  for (const line of lines) {
    dev.uartInput(0, `${line}\r`);
    world.runFor(stepUs);
  }
}

/**
 * Runs a console command in machine mode (docs/console.md) and returns its parsed JSON
 * reply, or null when no complete reply (`{"id":N,...}*crc`) came within `waitUs`.
 */
export function consoleReply(world: World, dev: SimDevice, cmd: string, waitUs = 5 * SECOND, id = 42): any {
  const before = dev.uartOutput.length;
  dev.uartInput(0, `@${id} ${cmd}\r`);
  const line = () => dev.uartOutput.slice(before).split("\r\n").slice(0, -1).find((l) => l.startsWith(`{"id":${id},`) && /\*[0-9a-f]{8}$/.test(l));
  world.runUntil(() => !!line(), waitUs);
  const l = line();
  return l ? JSON.parse(l.slice(0, l.lastIndexOf("*"))) : null;
}

/** Static addressing over the console, as a person would set it up. */
export function configureStatic(world: World, dev: SimDevice, address = LAN.device, gateway = LAN.gateway, mask = LAN.mask): void {
  typeLines(world, dev, [
    "config set if.mode static", `config set if.addr ${address}`, `config set if.mask ${mask}`, `config set if.gw ${gateway}`, "config commit",
  ]);
}

export const DHCP_LAN = { server: "192.168.1.2", deadDns: "192.168.1.3", poolStart: "192.168.1.100", poolEnd: "192.168.1.149" };

export interface DhcpLanOptions extends WiredLanOptions {
  /** Passed to the DHCP server (lease time, T1/T2, DNS list, ...). */
  dhcp?: Partial<DhcpServerOptions>;
  /** The zone the DNS server answers (default: a few A records, a CNAME, an SOA for negative answers). */
  records?: DnsRecordSpec[];
}

export interface DhcpLan extends WiredLan {
  /** One host at DHCP_LAN.server running both servers. */
  server: SimHost;
  dhcp: DhcpServer;
  dns: DnsServer;
}

/**
 * wiredLan plus a host on the switch's fourth port that is the network's DHCP server
 * (pool .100-.149, router = the gateway, DNS = itself) and DNS server. The device is left
 * with its default configuration (`if.mode dhcp`).
 */
export function dhcpLan(world: World, opts: DhcpLanOptions = {}): DhcpLan {
  const lan = wiredLan(world, opts);
  const server = new SimHost(world.scheduler, world.rng.fork("server"), { name: "server", mac: "02:00:00:00:01:02", ip: DHCP_LAN.server, gateway: LAN.gateway });
  server.attach(lan.sw.connectLink(3, world.rng.fork("link:server"), { params: TEN_BASE_T }).a);
  const dhcp = new DhcpServer(server, {
    poolStart: DHCP_LAN.poolStart, poolEnd: DHCP_LAN.poolEnd, router: LAN.gateway, dns: [DHCP_LAN.server], leaseSecs: 3600, ...opts.dhcp,
  });
  const dns = new DnsServer(server, {
    records: opts.records ?? [
      { name: "peer.lan", type: "A", value: LAN.peer, ttl: 300 },
      { name: "gw.lan", type: "A", value: LAN.gateway, ttl: 300 },
      { name: "www.lan", type: "CNAME", value: "peer.lan", ttl: 120 },
      { name: "multi.lan", type: "A", value: "192.168.1.20", ttl: 60 },
      { name: "multi.lan", type: "A", value: "192.168.1.21", ttl: 60 },
    ],
    soa: { zone: "lan", ttl: 600, minimum: 60 },
  });
  return { ...lan, server, dhcp, dns };
}

export const WIFI_LAN = { ssid: "wasmnet-lab", passphrase: "correct horse battery", channel: 6, bssid: "02:00:00:00:0a:01" };

export interface WifiLan {
  medium: Medium;
  ap: AccessPoint;
  /** The board's radio (its station MAC is the board's base MAC, as on an ESP32). */
  radio: Esp32WifiRadio;
  /** Everything on the air (radiotap + 802.11, CCMP-encrypted as sent). */
  airPcap: PcapWriter;
}

/**
 * A WPA2-PSK access point bridged onto the wired LAN's switch (port 4), so the board's
 * Wi-Fi and Ethernet reach the same network and DHCP server, as on a home router. The
 * board's radio is attached; it joins once a network is configured (`wifi join`).
 */
export function wifiOnLan(world: World, lan: WiredLan, ap: Partial<ApOptions> = {}): WifiLan {
  return addAccessPoint(world, lan.dev, lan.sw, 4, ap);
}

export interface WifiOnlyLan extends WifiLan {
  dev: SimDevice;
  flash: Map<string, NorFlash>;
  sw: Switch;
  /** The DHCP and DNS server behind the access point (DHCP_LAN.server, pool .100-.149). */
  server: SimHost;
  dhcp: DhcpServer;
}

/** A Wi-Fi-only board (esp32-devkitc-wifi) and a WPA2 access point bridged to a LAN with a DHCP server. */
export function wifiOnlyLan(world: World, opts: { cpu?: boolean; dhcp?: Partial<DhcpServerOptions>; ap?: Partial<ApOptions> } = {}): WifiOnlyLan {
  const dev = world.device({ name: "dev0", board: "esp32-devkitc-wifi", cpu: opts.cpu === false ? null : undefined });
  const flash = attachFlash(dev, world.rng);
  const sw = new Switch(world.scheduler, { ports: 2 });
  const server = new SimHost(world.scheduler, world.rng.fork("server"), { name: "server", mac: "02:00:00:00:01:02", ip: DHCP_LAN.server, gateway: LAN.gateway });
  server.attach(sw.connectLink(0, world.rng.fork("link:server"), { params: TEN_BASE_T }).a);
  const dhcp = new DhcpServer(server, {
    poolStart: DHCP_LAN.poolStart, poolEnd: DHCP_LAN.poolEnd, router: LAN.gateway, dns: [DHCP_LAN.server], leaseSecs: 3600, ...opts.dhcp,
  });
  return { dev, flash, sw, server, dhcp, ...addAccessPoint(world, dev, sw, 1, opts.ap ?? {}) };
}

function addAccessPoint(world: World, dev: SimDevice, sw: Switch, port: number, ap: Partial<ApOptions>): WifiLan {
  const medium = new Medium(world.scheduler, world.rng.fork("air"));
  const accessPoint = new AccessPoint(world.scheduler, world.rng.fork("ap"), medium, {
    ssid: WIFI_LAN.ssid, passphrase: WIFI_LAN.passphrase, channel: WIFI_LAN.channel, bssid: WIFI_LAN.bssid, ...ap,
  } as ApOptions);
  accessPoint.attachWired(sw.connectLink(port, world.rng.fork("link:ap"), { name: "ap", params: { bandwidthBps: 100e6, delayUs: 1 } }).a);
  const radio = new Esp32WifiRadio(world.scheduler, medium, { name: dev.name, mac: dev.baseMac, position: { x: 5, y: 0 } });
  dev.attachWifi(radio);
  const airPcap = captureAir(medium);
  return { medium, ap: accessPoint, radio, airPcap };
}
