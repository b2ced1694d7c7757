// DHCP client / DNS resolver figures, and the rigs that wire the AssemblyScript clients
// (test/harness/dhcpclient.ts, test/harness/dnsresolver.ts) to simulated networks: the
// node:test suites test/sim/dhcp-*.test.ts and dns-*.test.ts use the same rigs.
//
// A rig plays the interface layer the lead will provide on the device: it carries the
// client's datagrams on a SimHost (source 0.0.0.0 until bound, limited broadcast), feeds
// every ARP packet of the interface to the client, applies Bound/Lost events to the host's
// address, and calls poll() at the client's deadlines in virtual time.
import { readFileSync } from "node:fs";
import { Scheduler, type EventHandle } from "../sim/core/scheduler.ts";
import { Rng } from "../sim/core/rng.ts";
import { Switch } from "../sim/net/switch.ts";
import { BROADCAST_MAC } from "../sim/net/port.ts";
import { SimHost } from "../sim/hosts/host.ts";
import { TcpLayer, type TcpConnection } from "../sim/hosts/tcp.ts";
import { ETHERTYPE_ARP, ipToString } from "../sim/hosts/wire.ts";
import { DhcpServer, type DhcpServerOptions } from "../sim/hosts/dhcp-server.ts";
import { DnsServer, type DnsRecordSpec, type DnsServerMode } from "../sim/hosts/dns-server.ts";
import { buildHarness } from "../tools/build-harness.ts";
import { instrument } from "../tools/instrument.ts";
import { fakeHal } from "../test/assembly/fake-hal.js";

export const DhcpState = { Stopped: 0, Init: 1, Selecting: 2, Requesting: 3, Checking: 4, Bound: 5, Renewing: 6, Rebinding: 7, Rebooting: 8 };
export const DhcpEvent = { Bound: 1, Renewed: 2, ServersChanged: 4, Lost: 8, Conflict: 16, LinkLocalUp: 32, LinkLocalDown: 64, Nak: 128 };
export const AcdMode = { Off: 0, AnnounceDefend: 1, Probe: 2 };
export const NO_DEADLINE = 0x7fffffffffffffffn;
const OUT = { Udp: 1, Probe: 2, Announce: 3, TcpOpen: 4, TcpSend: 5, TcpClose: 6 };

export interface WasmModule { ex: any; mem(): Uint8Array; input(b: Uint8Array, off?: number): number }

/** Instantiates a harness with the fake HAL (optionally the instruction-counting build). */
export async function loadWasm(name: string, counted = false): Promise<WasmModule> {
  let bytes: Uint8Array = readFileSync(buildHarness(name));
  if (counted) bytes = instrument(bytes);
  let instance!: WebAssembly.Instance;
  const hal = fakeHal(() => (instance.exports as any).memory);
  ({ instance } = (await WebAssembly.instantiate(bytes, { hal })) as any);
  const ex = instance.exports as any;
  ex._start();
  const mem = () => new Uint8Array(ex.memory.buffer);
  return {
    ex, mem,
    input(b, off = 0) { const p = ex.input_buffer() + off; mem().set(b, p); return p; },
  };
}

interface OutEntry { iface: number; kind: number; a: number; b: number; c: number; data: Uint8Array }

function drain(w: WasmModule): OutEntry[] {
  const out: OutEntry[] = [];
  const n = w.ex.out_count();
  for (let i = 0; i < n; i++) {
    const p = w.ex.out_ptr(i);
    const dv = new DataView(w.ex.memory.buffer);
    const kind = dv.getInt32(p, true), len = dv.getInt32(p + 16, true);
    out.push({ iface: kind >> 8, kind: kind & 255, a: dv.getUint32(p + 4, true), b: dv.getInt32(p + 8, true), c: dv.getInt32(p + 12, true), data: w.mem().slice(p + 20, p + 20 + len) });
  }
  w.ex.out_clear();
  return out;
}

export interface LeaseInfo {
  address: number; mask: number; router: number; dns: number[]; serverId: number; leaseSecs: number; t1Secs: number; t2Secs: number; networkTag: number; raw: Uint8Array;
}

export function decodeLease(raw: Uint8Array): LeaseInfo {
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = raw[1];
  return {
    address: v.getUint32(4), mask: v.getUint32(8), router: v.getUint32(12), dns: [0, 1, 2].slice(0, n).map((i) => v.getUint32(16 + 4 * i)),
    serverId: v.getUint32(28), leaseSecs: v.getUint32(32), t1Secs: v.getUint32(36), t2Secs: v.getUint32(40), networkTag: v.getUint32(44), raw,
  };
}

export interface DhcpClientOptions {
  acdMode?: number; clientIdMode?: number; initialDelayMaxUs?: number; offerWindowUs?: number;
  linkLocal?: boolean; linkLocalAfterUs?: number; networkTag?: number; hostname?: string;
}

function maskToPrefix(m: number): number {
  let n = 0;
  for (let i = 31; i >= 0 && (m >>> i) & 1; i--) n++;
  return n;
}

function arpPacket(op: number, sha: Uint8Array, spa: number, tpa: number): Uint8Array {
  const a = new Uint8Array(28);
  const v = new DataView(a.buffer);
  v.setUint16(0, 1); v.setUint16(2, 0x0800); a[4] = 6; a[5] = 4; v.setUint16(6, op);
  a.set(sha, 8); v.setUint32(14, spa); v.setUint32(24, tpa);
  return a;
}

/** One simulated interface driven by wasm DHCP client number `idx`. */
export class DhcpDevice {
  readonly events: { t: number; bits: number }[] = [];
  readonly sentArp: { t: number; kind: "probe" | "announce"; addr: number }[] = [];
  private timer: EventHandle | null = null;
  constructor(readonly rig: DhcpRig, readonly idx: number, readonly host: SimHost) {}

  get state(): number { return this.rig.w.ex.dhcp_state(this.idx); }
  lease(): LeaseInfo {
    const p = this.rig.w.ex.output_buffer();
    const n = this.rig.w.ex.dhcp_lease(this.idx, p);
    return decodeLease(this.rig.w.mem().slice(p, p + n));
  }
  stat(which: number): number { return this.rig.w.ex.dhcp_stat(this.idx, which); }
  eventTimes(bit: number): number[] { return this.events.filter((e) => e.bits & bit).map((e) => e.t); }
  t1(): bigint { return this.rig.w.ex.dhcp_t1(this.idx); }
  expiry(): bigint { return this.rig.w.ex.dhcp_expiry(this.idx); }

  remember(raw: Uint8Array): boolean {
    return this.rig.w.ex.dhcp_set_remembered(this.idx, this.rig.w.input(raw), raw.length) !== 0;
  }
  start(): void { this.rig.w.ex.dhcp_start(this.idx, this.rig.now()); this.rig.pump(); }
  release(): void { this.rig.w.ex.dhcp_release(this.idx, this.rig.now()); this.rig.pump(); }
  linkUp(): void { this.rig.w.ex.dhcp_link_up(this.idx, this.rig.now()); this.rig.pump(); }

  /** @internal */
  afterCall(): void {
    const bits = this.rig.w.ex.dhcp_events(this.idx) >>> 0;
    if (bits) {
      this.events.push({ t: this.rig.sched.now, bits });
      if (bits & DhcpEvent.Lost) this.host.ip = 0;
      const ll = this.rig.w.ex.dhcp_link_local(this.idx) >>> 0;
      if (bits & DhcpEvent.LinkLocalDown && !(bits & DhcpEvent.Bound)) this.host.ip = 0;
      if (bits & DhcpEvent.LinkLocalUp && ll) { this.host.ip = ll; this.host.prefix = 16; }
      if (bits & (DhcpEvent.Bound | DhcpEvent.ServersChanged)) {
        const l = this.lease();
        this.host.ip = l.address;
        this.host.prefix = maskToPrefix(l.mask);
        this.host.gateway = l.router;
      }
    }
    const d: bigint = this.rig.w.ex.dhcp_deadline(this.idx);
    this.rig.sched.cancel(this.timer);
    this.timer = null;
    if (d !== NO_DEADLINE) {
      const at = Math.max(Number(d), this.rig.sched.now);
      this.timer = this.rig.sched.at(at, () => { this.rig.w.ex.dhcp_poll(this.idx, this.rig.now()); this.rig.pump(); }, "dhcp client");
    }
  }
}

/** A switch with DHCP servers, plain hosts and wasm DHCP clients. */
export class DhcpRig {
  readonly sched = new Scheduler();
  readonly rng: Rng;
  readonly sw: Switch;
  readonly devices: DhcpDevice[] = [];
  readonly servers: DhcpServer[] = [];
  private port = 0;
  constructor(readonly w: WasmModule, seed = 1, readonly linkDelayUs = 100, ports = 8) {
    this.rng = new Rng(seed);
    this.sw = new Switch(this.sched, { ports });
  }
  now(): bigint { return BigInt(Math.round(this.sched.now)); }

  host(name: string, mac: string, ip: number | string): SimHost {
    const i = this.port++;
    return new SimHost(this.sched, this.rng.fork(name), { name, mac, ip })
      .attach(this.sw.connectLink(i, this.rng.fork(`link${i}`), { params: { delayUs: this.linkDelayUs } }).a);
  }

  server(ip: string, opts: DhcpServerOptions, mac = `02:00:00:00:01:${(this.servers.length + 1).toString(16).padStart(2, "0")}`): DhcpServer {
    const s = new DhcpServer(this.host(`dhcpd${this.servers.length}`, mac, ip), opts);
    this.servers.push(s);
    return s;
  }

  device(mac: string, o: DhcpClientOptions = {}): DhcpDevice {
    const idx = this.devices.length;
    const host = this.host(`dev${idx}`, mac, 0);
    // Before configuration the interface accepts unicast DHCP replies to the offered address.
    host.promiscuousIp = true;
    const dev = new DhcpDevice(this, idx, host);
    this.devices.push(dev);
    const w = this.w;
    const macPtr = w.input(host.mac, 0);
    const hn = Buffer.from(o.hostname ?? "");
    const hostPtr = w.input(hn, 64);
    w.ex.dhcp_create(idx, macPtr, o.acdMode ?? AcdMode.AnnounceDefend, o.clientIdMode ?? 1, BigInt(o.initialDelayMaxUs ?? 50_000),
      BigInt(o.offerWindowUs ?? 300_000), o.linkLocal ? 1 : 0, BigInt(o.linkLocalAfterUs ?? 10e6), o.networkTag ?? 0, hostPtr, hn.length);
    host.udp.bind(68, (data, from, pkt) => {
      // The IP layer hands port-68 datagrams to the client whatever their destination.
      w.ex.dhcp_datagram(idx, from.ip, from.port, 68, w.input(data), data.length, this.now());
      this.pump();
      void pkt;
    });
    // Tap the interface's ARP input for conflict detection.
    const port = host.port!;
    port.attach({
      receive: (f) => {
        if (f.length >= 42 && ((f[12] << 8) | f[13]) === ETHERTYPE_ARP) {
          const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
          w.ex.dhcp_arp(idx, v.getUint16(20), v.getUint32(28), w.input(f.subarray(22, 28), 2048), v.getUint32(38), this.now());
          this.pump();
        }
        host.receive(f);
      },
    });
    return dev;
  }

  /** Carries out what the clients queued, then re-arms their timers. */
  pump(): void {
    for (const e of drain(this.w)) {
      const dev = this.devices[e.iface];
      if (!dev) continue;
      const h = dev.host;
      if (e.kind === OUT.Udp) h.udp.send(e.c, e.a, e.b, e.data, { src: h.ip });
      else if (e.kind === OUT.Probe) { dev.sentArp.push({ t: this.sched.now, kind: "probe", addr: e.a }); h.sendFrame(BROADCAST_MAC, ETHERTYPE_ARP, arpPacket(1, h.mac, 0, e.a)); }
      else if (e.kind === OUT.Announce) { dev.sentArp.push({ t: this.sched.now, kind: "announce", addr: e.a }); h.sendFrame(BROADCAST_MAC, ETHERTYPE_ARP, arpPacket(1, h.mac, e.a, e.a)); }
    }
    for (const d of this.devices) d.afterCall();
  }
}

// ---------------------------------------------------------------- DNS rig

export const DnsStatus = { Pending: 0, Ok: 1, NxDomain: 2, NoData: 3, ServerFailure: 4, Timeout: 5, NoServers: 6, BadName: 7, ChainTooLong: 8 };

export interface DnsResult { status: number; addrs: string[]; ttl: number; at: number; fromCache: boolean }

/** A device with the wasm resolver on a SimHost, DNS servers on other hosts of a switch. */
export class DnsRig {
  readonly sched = new Scheduler();
  readonly rng: Rng;
  readonly sw: Switch;
  readonly device: SimHost;
  readonly servers: DnsServer[] = [];
  readonly tcp: TcpLayer;
  private timer: EventHandle | null = null;
  private port = 1;
  private conns = new Map<number, TcpConnection>();
  private boundPorts = new Set<number>();
  readonly results = new Map<number, DnsResult>();

  constructor(readonly w: WasmModule, seed = 1, readonly linkDelayUs = 250, cfg: { cacheEntries?: number; maxTtl?: number; staggerUs?: number; timeoutUs?: number } = {}) {
    this.rng = new Rng(seed);
    this.sw = new Switch(this.sched, { ports: 8 });
    this.device = new SimHost(this.sched, this.rng.fork("dev"), { name: "dev", mac: "02:00:00:00:00:10", ip: "10.0.0.10" })
      .attach(this.sw.connectLink(0, this.rng.fork("l0"), { params: { delayUs: linkDelayUs } }).a);
    this.tcp = new TcpLayer(this.device);
    w.ex.dns_create(cfg.cacheEntries ?? 8, cfg.maxTtl ?? 86400, BigInt(cfg.staggerUs ?? 500_000), BigInt(cfg.timeoutUs ?? 10_000_000));
  }
  now(): bigint { return BigInt(Math.round(this.sched.now)); }

  server(ip: string, records: DnsRecordSpec[], mode: DnsServerMode = "normal", delayUs = 0): DnsServer {
    const i = this.port++;
    const h = new SimHost(this.sched, this.rng.fork(`dns${i}`), { name: `dns${i}`, mac: `02:00:00:00:02:${i.toString(16).padStart(2, "0")}`, ip })
      .attach(this.sw.connectLink(i, this.rng.fork(`l${i}`), { params: { delayUs: this.linkDelayUs } }).a);
    const s = new DnsServer(h, { records, mode, delayUs, soa: { zone: "example.com", ttl: 900, minimum: 30 } });
    this.servers.push(s);
    return s;
  }

  setServers(iface: number, ips: string[]): void {
    const b = new Uint8Array(4 * ips.length);
    const v = new DataView(b.buffer);
    ips.forEach((s, i) => { const p = s.split(".").map(Number); v.setUint32(4 * i, ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0, true); });
    this.w.ex.dns_set_servers(iface, this.w.input(b), ips.length);
    this.pump();
  }

  addHost(name: string, ip: string): void {
    const p = ip.split(".").map(Number);
    const n = Buffer.from(name);
    this.w.ex.dns_add_host(this.w.input(n), n.length, ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0);
  }

  /** Starts a lookup; returns the handle (negative = error). */
  resolve(name: string): number {
    const n = Buffer.from(name);
    const h = this.w.ex.dns_resolve(this.w.input(n), n.length, this.now());
    if (h >= 0 && this.w.ex.dns_status(h) !== DnsStatus.Pending) {
      // Answered synchronously (hosts table or cache).
      this.results.set(h, this.read(h));
      this.w.ex.dns_release(h);
    }
    this.pump();
    return h;
  }

  private collect(): void {
    for (;;) {
      const h = this.w.ex.dns_take_completed();
      if (h < 0) break;
      this.results.set(h, this.read(h));
      this.w.ex.dns_release(h);
    }
  }

  read(h: number): DnsResult {
    const ex = this.w.ex;
    const n = ex.dns_addr_count(h);
    const addrs: string[] = [];
    for (let i = 0; i < n; i++) addrs.push(ipToString(ex.dns_addr(h, i) >>> 0));
    return { status: ex.dns_status(h), addrs, ttl: ex.dns_ttl(h), at: this.sched.now, fromCache: ex.dns_from_cache(h) !== 0 };
  }

  private ensurePort(port: number): void {
    if (this.boundPorts.has(port) || port === 0) return;
    this.boundPorts.add(port);
    this.device.udp.bind(port, (data, from, _pkt) => {
      this.w.ex.dns_datagram(from.ip, from.port, port, this.w.input(data), data.length, this.now());
      this.pump();
    });
  }

  pump(): void {
    const ex = this.w.ex;
    for (const e of drain(this.w)) {
      if (e.kind === OUT.Udp) { this.ensurePort(e.c); this.device.udp.send(e.c, e.a, e.b, e.data); }
      else if (e.kind === OUT.TcpOpen) {
        const id = e.c;
        const c = this.tcp.connect(e.a >>> 0, e.b);
        this.conns.set(id, c);
        c.onEstablished = () => { ex.dns_tcp_connected(id, this.now()); this.pump(); };
        c.onData = (d) => { ex.dns_tcp_data(id, this.w.input(d), d.length, this.now()); this.pump(); };
        c.onClose = () => { if (this.conns.get(id) === c) { this.conns.delete(id); ex.dns_tcp_closed(id, this.now()); this.pump(); } };
        c.onPeerClosed = () => c.close();
      } else if (e.kind === OUT.TcpSend) this.conns.get(e.c)?.send(e.data);
      else if (e.kind === OUT.TcpClose) { const c = this.conns.get(e.c); this.conns.delete(e.c); c?.close(); }
    }
    this.collect();
    const d: bigint = ex.dns_deadline();
    this.sched.cancel(this.timer);
    this.timer = null;
    if (d !== NO_DEADLINE) {
      this.timer = this.sched.at(Math.max(Number(d), this.sched.now), () => { ex.dns_poll(this.now()); this.pump(); }, "dns poll");
    }
  }

  /** Resolves and runs the simulation until the answer (or limitUs passes). */
  lookup(name: string, limitUs = 60e6): DnsResult & { handle: number; started: number } {
    const started = this.sched.now;
    const h = this.resolve(name);
    if (h < 0) return { status: -h, addrs: [], ttl: 0, at: started, fromCache: false, handle: h, started };
    this.sched.runUntilCondition(() => this.results.has(h), started + limitUs);
    const r = this.results.get(h) ?? { status: DnsStatus.Pending, addrs: [], ttl: 0, at: this.sched.now, fromCache: false };
    return { ...r, handle: h, started };
  }
}

export const BENCH_ZONE: DnsRecordSpec[] = [
  { name: "www.example.com", type: "CNAME", value: "edge.example.com", ttl: 300 },
  { name: "edge.example.com", type: "A", value: "192.0.2.7", ttl: 600 },
  { name: "api.example.com", type: "A", value: "192.0.2.9", ttl: 60 },
];

// ---------------------------------------------------------------- figures

async function dhcpColdToBound(acdMode: number, initialDelayMaxUs: number): Promise<number> {
  const w = await loadWasm("dhcpclient");
  const rig = new DhcpRig(w, 3, 100);
  rig.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.150", delayUs: 2000, dns: ["10.0.0.1"] });
  const dev = rig.device("02:00:00:00:00:10", { acdMode, initialDelayMaxUs });
  rig.sched.runUntil(1000);
  const t0 = rig.sched.now;
  dev.start();
  rig.sched.runUntilCondition(() => dev.eventTimes(DhcpEvent.Bound).length > 0, 120e6);
  return (dev.eventTimes(DhcpEvent.Bound)[0] - t0) / 1000;
}

async function dhcpRebootToBound(): Promise<{ ms: number; rttMs: number }> {
  const w = await loadWasm("dhcpclient");
  const rig = new DhcpRig(w, 4, 100);
  rig.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.150", delayUs: 2000 });
  const first = rig.device("02:00:00:00:00:10", { networkTag: 7 });
  first.start();
  rig.sched.runUntilCondition(() => first.state === DhcpState.Bound, 60e6);
  const saved = first.lease().raw;
  // "Reboot": a fresh client instance on another port of the same network, same MAC.
  rig.w.ex.dhcp_stop(0);
  first.host.port!.attach({ receive: () => {} });
  const second = rig.device("02:00:00:00:00:10", { networkTag: 7 });
  second.remember(saved);
  rig.sched.runUntil(rig.sched.now + 1e6);
  const t0 = rig.sched.now;
  second.start();
  rig.sched.runUntilCondition(() => second.eventTimes(DhcpEvent.Bound).length > 0, t0 + 60e6);
  // link round trip client <-> server through the switch: 2 links each way
  return { ms: (second.eventTimes(DhcpEvent.Bound)[0] - t0) / 1000, rttMs: (4 * 100) / 1000 };
}

async function dnsCachedInstructions(): Promise<number> {
  const w = await loadWasm("dnsresolver", true);
  const rig = new DnsRig(w, 5, 250);
  rig.server("10.0.0.53", BENCH_ZONE);
  rig.setServers(0, ["10.0.0.53"]);
  const r = rig.lookup("www.example.com");
  if (r.status !== DnsStatus.Ok) throw new Error(`bench lookup failed: ${r.status}`);
  // A cached lookup: resolve() answers synchronously from the cache.
  const n = Buffer.from("www.example.com");
  const p = w.input(n);
  w.ex.__instr_count.value = 0n;
  const h = w.ex.dns_resolve(p, n.length, rig.now());
  const count = Number(w.ex.__instr_count.value);
  if (w.ex.dns_status(h) !== DnsStatus.Ok || w.ex.dns_from_cache(h) === 0) throw new Error("not answered from cache");
  return count;
}

async function dnsFailover(): Promise<number> {
  const w = await loadWasm("dnsresolver");
  const rig = new DnsRig(w, 6, 250);
  rig.server("10.0.0.53", BENCH_ZONE, "dead");
  rig.server("10.0.0.54", BENCH_ZONE);
  rig.setServers(0, ["10.0.0.53", "10.0.0.54"]);
  const r = rig.lookup("api.example.com");
  if (r.status !== DnsStatus.Ok) throw new Error(`failover lookup failed: ${r.status}`);
  return (r.at - r.started) / 1000;
}

export async function benchDhcpDns(): Promise<Record<string, number>> {
  const reboot = await dhcpRebootToBound();
  return {
    dhcp_cold_to_bound_virtual_ms: await dhcpColdToBound(AcdMode.AnnounceDefend, 50_000),
    dhcp_cold_to_bound_no_initial_delay_virtual_ms: await dhcpColdToBound(AcdMode.AnnounceDefend, 0),
    dhcp_cold_to_bound_full_acd_virtual_ms: await dhcpColdToBound(AcdMode.Probe, 50_000),
    dhcp_reboot_to_bound_virtual_ms: reboot.ms,
    dhcp_reboot_target_virtual_ms: 2 * reboot.rttMs + 2,
    dns_cached_lookup_wasm_instructions: await dnsCachedInstructions(),
    dns_failover_virtual_ms: await dnsFailover(),
  };
}

if (process.argv[1]?.endsWith("dhcp-dns.ts")) {
  benchDhcpDns().then((r) => console.log(JSON.stringify(r, null, 1)));
}
