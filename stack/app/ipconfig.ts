// Per-interface IPv4 addressing and the device's DNS resolver.
//
// Each interface gets an IfAddressing: static from the config store (`if.mode static`,
// `if.addr`, `if.mask`, `if.gw`, `if.dns`) or a DhcpClient (`if.mode dhcp`, the default)
// whose events set the interface's address, mask and router through NetStack.setIpv4 and
// its DNS servers in the one DnsResolver. Interface 0 (the wired port, or Wi-Fi on a board
// without one) reads those keys; interface 1 (Wi-Fi next to the wired port) always uses
// DHCP, which is what a station roaming between networks needs.
//
// Wiring (stack/system.ts): ipconfig.init(net, udp, tcp) after the transports are attached,
// ipconfig.apply(now) when the configuration changed, ipconfig.poll(now) in System.poll.
//
// Datagrams: init() puts a small demultiplexer in front of the UDP transport for protocol
// 17: replies from port 67 to port 68 go to the interface's DHCP client (also while the
// interface has no address: the IP layer accepts unicast UDP then), replies from port 53 to
// a port of an active DNS query go to the resolver; everything else reaches the sockets as
// before. Sending builds the UDP datagram directly in the IP layer's transmit buffer;
// DHCP broadcasts (and anything before an address exists) go out through
// Ipv4.beginPacketOn(ifIndex, ourAddressOr0, dst, 17), bypassing the route table.
//
// Lease persistence: a bound lease is kept in the config store (`_lease` for interface 0,
// `_lease.1` for interface 1: the 32-byte compact record of stack/dhcp/lease.ts); at boot
// the client starts with INIT-REBOOT for it. The write waits while the user has uncommitted `config set` changes (a commit would
// take them along). A NAK or an address conflict forgets it.
//
// Console: `nslookup <name>` answers (deferred) with the addresses and TTL or the cause;
// `ping <name>` (stack/app/net-commands.ts) resolves through `pingLookup` first.
//
// Truncated DNS answers are re-asked over TCP (DnsOverTcp: one socket of the TCP transport
// per fallback, one fallback at a time). Every interface joins 224.0.0.251 and runs its own
// mDNS responder for `<hostname>.local` (stack/dns/mdns.ts) with that interface's address
// (RFC 6762 §14): UDP to port 5353 goes to the responder of the interface it came in on,
// not to the sockets. Our own messages heard on another interface (both on one LAN, as a
// Wi-Fi AP bridged to the wired switch) are not conflicts and are ignored.
import { NO_DEADLINE } from "../../hal/generated/hal";
import { reserve } from "../runtime/memory";
import { count, Counter } from "../runtime/counters";
import { configStore } from "../config/store";
import { bytesEqStr, parseIp } from "../config/text";
import { shell, Args, Reply } from "../console/index";
import { NetStack } from "../net/stack";
import { NetInterface } from "../net/interface";
import { Ipv4, IpProtocolHandler } from "../net/ipv4";
import { ArpObserver } from "../net/arp";
import { IpProtocol } from "../wire/ipv4";
import { UdpView, UDP_HEADER_LEN, emitUdpHeader, setUdpChecksum } from "../wire/udp";
import { inetSum, pseudoHeaderSum } from "../wire/checksum";
import { Udp } from "../transport/udp";
import { Tcp, TcpSocket, TcpHandler } from "../transport/tcp";
import { NetError } from "../transport/ip-output";
import { UdpEndpoint } from "../dhcp/udp";
import { AcdArpPort } from "../dhcp/acd";
import { DhcpClient, DhcpConfig, DhcpEvent } from "../dhcp/client";
import { DHCP_LEASE_COMPACT_LEN } from "../dhcp/lease";
import { MdnsResponder, MDNS_GROUP, MDNS_PORT } from "../dns/mdns";
import { Work, giveWork } from "../runtime/work";
import { DnsResolver, DnsConfig, DnsStatus, DnsTcpHook, DNS_SERVERS_PER_IFACE } from "../dns/resolver";

const BROADCAST: u32 = 0xffffffff;
/** Interfaces with addressing state: the wired port and Wi-Fi. */
export const IPCONFIG_IFACES: i32 = 2;

/** UDP output for the DHCP client (ifIndex >= 0: that interface) and the resolver (-1: routed). */
class UdpOut extends UdpEndpoint {
  constructor(private net: NetStack, private ifIndex: i32) { super(); }

  send(dst: u32, dstPort: u16, srcPort: u16, payload: usize, len: i32, now: i64): bool {
    const ip = this.net.ip;
    let p: usize = 0;
    if (this.ifIndex >= 0) {
      const iface = this.net.iface(this.ifIndex);
      if (!iface) return false;
      // Broadcasts and anything before we have an address leave on this interface as they
      // are; unicast with an address (RENEWING, RELEASE) is routed (the server may be off-link).
      if (dst == BROADCAST || iface.address == 0) p = ip.beginPacketOn(this.ifIndex, iface.address, dst, IpProtocol.Udp);
      else p = ip.beginPacket(dst, IpProtocol.Udp);
    } else {
      p = ip.beginPacket(dst, IpProtocol.Udp);
    }
    if (p == 0) return false;
    return sendUdp(ip, p, srcPort, dstPort, payload, len, now);
  }
}

/** mDNS output of one interface: everything leaves on it, also unicast (legacy answers go
 *  back out the way the query came), with IP TTL 255 (RFC 6762 11). */
class MdnsOut extends UdpEndpoint {
  constructor(private net: NetStack, private ifIndex: i32) { super(); }

  send(dst: u32, dstPort: u16, srcPort: u16, payload: usize, len: i32, now: i64): bool {
    const ip = this.net.ip;
    const iface = this.net.iface(this.ifIndex);
    if (!iface) return false;
    const p = ip.beginPacketOn(this.ifIndex, iface.address, dst, IpProtocol.Udp);
    if (p == 0) return false;
    const t = ip.ttl;
    ip.ttl = 255;
    const ok = sendUdp(ip, p, srcPort, dstPort, payload, len, now);
    ip.ttl = t;
    return ok;
  }
}

/** RFC 6762 11: mDNS sent to us by unicast is taken only from on the link (the interface's
 *  subnet, or 169.254/16); anything sent to the group is on the link by definition. */
function onLink(iface: NetInterface, src: u32): bool {
  return ((src ^ iface.address) & iface.netmask) == 0 || (src & 0xffff0000) == 0xa9fe0000;
}

function sendUdp(ip: Ipv4, p: usize, sport: u16, dport: u16, payload: usize, len: i32, now: i64): bool {
  const total = len + UDP_HEADER_LEN;
  if (total > ip.payloadCapacity()) { ip.sendPacket(-1, now); return false; }
  emitUdpHeader(p, sport, dport, len);
  memory.copy(p + UDP_HEADER_LEN, payload, <usize>len);
  let c = ~inetSum(p, total, pseudoHeaderSum(ip.packetSource(), ip.packetDestination(), IpProtocol.Udp, <u32>total)) & 0xffff;
  if (c == 0) c = 0xffff;
  setUdpChecksum(p, c);
  count(Counter.UdpTx);
  return ip.sendPacket(total, now);
}

/** The interface's ARP layer as the ACD port of its DHCP client. */
class AcdOverArp extends AcdArpPort {
  constructor(private net: NetStack, private ifIndex: i32) { super(); }
  sendProbe(target: u32, now: i64): void {
    const f = this.net.iface(this.ifIndex);
    if (f && f.up) f.arp.sendProbe(target, now);
  }
  sendAnnounce(addr: u32, now: i64): void {
    const f = this.net.iface(this.ifIndex);
    if (f && f.up) f.arp.sendAnnounce(addr, now);
  }
}

/** Every ARP packet received on the interface goes to its DHCP client's ACD. */
class ArpToDhcp extends ArpObserver {
  constructor(private a: IfAddressing) { super(); }
  onArp(op: i32, senderIp: u32, senderMac: usize, targetIp: u32, now: i64): void {
    const a = this.a;
    if (!a.dhcpMode) return;
    giveWork(Work.Addressing);
    a.dhcp.onArp(op, senderIp, senderMac, targetIp, now);
    a.handleEvents(now);
  }
}

// Scratch for configuration values (hostname, hosts, the lease record).
const NAME_CAP: i32 = 64;
const scratch = reserve(NAME_CAP + 2 * DHCP_LEASE_COMPACT_LEN);
const nameBuf = scratch;
const leaseBuf = scratch + NAME_CAP;
const leaseOld = leaseBuf + DHCP_LEASE_COMPACT_LEN;
/**
 * DHCP and DNS messages are built where the UDP payload goes in the first interface's
 * transmit frame (Ethernet + IPv4 + UDP headers in front), then sent in the same call:
 * sending over that interface copies nothing, over another one copies once. Nothing else
 * uses the frame between the build and the send, so no buffer of their own is needed.
 */
const TX_PAYLOAD_OFFSET: usize = 14 + 20 + 8;
const TX_BYTES: i32 = 400;

class IfAddressing {
  dhcp: DhcpClient;
  dhcpMode: bool = false;
  /** DHCP mode: start the client when the link is (next) up. */
  startPending: bool = false;
  started: bool = false;
  wasUp: bool = false;
  /** The address currently set from DHCP (for addressRemoved), 0 when none. */
  dhcpAddr: u32 = 0;
  /** A bound lease waits to be written to the config store. */
  savePending: bool = false;
  /** Fingerprint of the settings last applied (mode, addresses, hostname). */
  settings: u32 = 0;
  applied: bool = false;
  /** `<hostname>.local` on this interface, when it could join the mDNS group. */
  readonly mdns: MdnsResponder | null;

  constructor(private ipc: IpConfig, readonly ifIndex: i32) {
    const net = ipc.net!;
    const iface = net.iface(ifIndex)!;
    const cfg = new DhcpConfig();
    cfg.txBuffer = ipc.txBuffer;
    cfg.txBytes = TX_BYTES;
    this.dhcp = new DhcpClient(new UdpOut(net, ifIndex), new AcdOverArp(net, ifIndex), iface.mac, cfg);
    iface.arp.observer = new ArpToDhcp(this);
    this.mdns = iface.joinGroup(MDNS_GROUP) ? new MdnsResponder(new MdnsOut(net, ifIndex), ipc.txBuffer) : null;
  }

  /** (Re)applies the configuration; the DHCP client restarts only when its settings changed. */
  apply(now: i64): void {
    const ipc = this.ipc;
    const net = ipc.net!;
    const st = readStaticSettings(this.ifIndex);
    const dhcpMode = !st.isStatic;
    const fp = settingsFingerprint(st);
    if (this.applied && fp == this.settings) return;
    this.applied = true;
    this.settings = fp;
    const res = ipc.resolver!;
    if (this.dhcpAddr != 0) ipc.addressGone(this.dhcpAddr, now);
    this.dhcpAddr = 0;
    this.dhcp.stop();
    this.dhcp.takeEvents();
    this.started = false;
    this.savePending = false;
    res.clearServers(this.ifIndex);
    this.dhcpMode = dhcpMode;
    net.iface(this.ifIndex)!.announces = !dhcpMode; // with DHCP, its conflict detection announces
    if (!dhcpMode) {
      this.startPending = false;
      net.setIpv4(this.ifIndex, st.addr, <i32>popcnt<u32>(st.mask), st.gw, now);
      res.setServer(this.ifIndex, 0, st.dns);
      return;
    }
    net.setIpv4(this.ifIndex, 0, 0, 0, now);
    const n = configStore.getStr("hostname", nameBuf, NAME_CAP);
    this.dhcp.setHostname(nameBuf, n > 0 ? n : 0);
    const l = this.storedLease(leaseBuf);
    if (!this.dhcp.remembered.readCompact(leaseBuf, l)) this.dhcp.remembered.clear();
    this.startPending = true;
  }

  poll(now: i64): i64 {
    if (!this.dhcpMode) return NO_DEADLINE;
    const iface = this.ipc.net!.iface(this.ifIndex)!;
    const up = iface.up;
    if (up && this.startPending) {
      this.startPending = false;
      this.started = true;
      this.dhcp.start(now);
    } else if (up && !this.wasUp && this.started) {
      // The link came back: verify a held lease (INIT-REBOOT), else start over at once.
      if (this.dhcp.hasAddress()) this.dhcp.onLinkUp(now);
      else this.dhcp.start(now);
    }
    this.wasUp = up;
    if (!this.started) return NO_DEADLINE;
    this.dhcp.poll(now);
    this.handleEvents(now);
    if (this.savePending) this.saveLease();
    return this.dhcp.nextDeadline();
  }

  handleEvents(now: i64): void {
    const e = this.dhcp.takeEvents();
    if (e == 0) return;
    const ipc = this.ipc;
    const net = ipc.net!;
    const res = ipc.resolver!;
    const l = this.dhcp.lease;
    if ((e & DhcpEvent.Lost) != 0) {
      if (this.dhcpAddr != 0) ipc.addressGone(this.dhcpAddr, now);
      this.dhcpAddr = 0;
      net.setIpv4(this.ifIndex, 0, 0, 0, now);
      res.clearServers(this.ifIndex);
      res.flushCache();
    }
    if ((e & (DhcpEvent.Nak | DhcpEvent.Conflict)) != 0) this.forgetLease();
    if ((e & (DhcpEvent.Bound | DhcpEvent.ServersChanged)) != 0 && this.dhcp.hasAddress()) {
      net.setIpv4(this.ifIndex, l.address, <i32>popcnt<u32>(l.mask), l.router, now);
      this.dhcpAddr = l.address;
      for (let i = 0; i < DNS_SERVERS_PER_IFACE; i++) res.setServer(this.ifIndex, i, i < l.dnsCount ? unchecked(l.dns[i]) : 0);
      this.savePending = true;
    }
    if ((e & DhcpEvent.LinkLocalUp) != 0 && !this.dhcp.hasAddress()) {
      net.setIpv4(this.ifIndex, this.dhcp.linkLocalAddress(), 16, 0, now);
    } else if ((e & DhcpEvent.LinkLocalDown) != 0 && !this.dhcp.hasAddress()) {
      net.setIpv4(this.ifIndex, 0, 0, 0, now);
    }
    if (this.savePending) this.saveLease();
  }

  /** Writes the bound lease to the store when it differs from the stored one (flash wear). */
  private saveLease(): void {
    if (configStore.pending > 0) return; // the user's uncommitted changes must not ride along
    this.savePending = false;
    if (!this.dhcp.hasAddress()) return;
    this.dhcp.lease.writeCompact(leaseBuf);
    const n = this.storedLease(leaseOld);
    if (n == DHCP_LEASE_COMPACT_LEN && memory.compare(leaseOld, leaseBuf, <usize>n) == 0) return;
    const r = this.ifIndex == 0 ? configStore.setBytes("_lease", leaseBuf, DHCP_LEASE_COMPACT_LEN)
      : configStore.setBytes("_lease.1", leaseBuf, DHCP_LEASE_COMPACT_LEN);
    if (r == 0) configStore.commit();
  }

  private storedLease(out: usize): i32 {
    return this.ifIndex == 0 ? configStore.getStr("_lease", out, DHCP_LEASE_COMPACT_LEN)
      : configStore.getStr("_lease.1", out, DHCP_LEASE_COMPACT_LEN);
  }

  private forgetLease(): void {
    this.savePending = false;
    if (configStore.pending > 0 || this.storedLease(leaseOld) <= 0) return;
    const r = this.ifIndex == 0 ? configStore.unset("_lease") : configStore.unset("_lease.1");
    if (r == 0) configStore.commit();
  }
}

/**
 * The resolver's TCP fallback for truncated answers (RFC 7766) on one socket of the TCP
 * transport, taken from the pool per fallback and handed back after it (one at a time).
 * The connection id is the socket's id; the resolver frames the query and the answer.
 */
class DnsOverTcp extends DnsTcpHook {
  sock: TcpSocket | null = null;
  private events: DnsTcpEvents = new DnsTcpEvents(this);
  constructor(private tcp: Tcp) { super(); }

  open(dst: u32, port: u16, now: i64): i32 {
    if (this.sock) return -1;
    const s = this.tcp.socket(true); // one query, read in 128-byte chunks: a small socket
    if (!s) return -1;
    s.handler = this.events;
    if (s.connect(dst, port, now) < 0) { s.release(now); return -1; }
    this.sock = s;
    return s.id;
  }
  send(conn: i32, data: usize, len: i32, now: i64): bool {
    const s = this.sock;
    return s != null && s.id == conn && s.send(data, len, now) == len;
  }
  close(conn: i32, now: i64): void {
    const s = this.sock;
    if (!s || s.id != conn) return;
    this.sock = null;
    s.release(now);
  }
}

const tcpChunk = reserve(128);

class DnsTcpEvents extends TcpHandler {
  constructor(private hook: DnsOverTcp) { super(); }
  onConnected(s: TcpSocket, now: i64): void { giveWork(Work.Addressing); ipconfig.resolver!.onTcpConnected(s.id, now); }
  onReadable(s: TcpSocket, now: i64): void {
    giveWork(Work.Addressing);
    while (this.hook.sock === s) {
      const n = s.recv(tcpChunk, 128, now);
      if (n <= 0) break;
      ipconfig.resolver!.onTcpData(s.id, tcpChunk, n, now);
    }
  }
  onPeerClosed(s: TcpSocket, now: i64): void {
    this.onReadable(s, now);
    if (this.hook.sock === s) this.gone(s, now);
  }
  onClosed(s: TcpSocket, error: NetError, now: i64): void {
    giveWork(Work.Addressing);
    if (this.hook.sock === s) this.gone(s, now);
  }
  private gone(s: TcpSocket, now: i64): void {
    this.hook.sock = null;
    s.release(now);
    ipconfig.resolver!.onTcpClosed(s.id, now);
  }
}

/** UDP protocol 17: DHCP and DNS replies first, the socket layer for the rest. */
class UdpDemux extends IpProtocolHandler {
  private view: UdpView = new UdpView();
  constructor(private ipc: IpConfig, private udp: Udp) { super(); }

  onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void {
    const v = this.view.wrap(payload, len);
    if (v.check()) {
      const sport = <u16>v.srcPort, dport = <u16>v.dstPort;
      const ipc = this.ipc;
      const res = ipc.resolver!;
      const forDhcp = sport == 67 && dport == 68;
      const forDns = sport == 53 && res.ownsPort(dport);
      const rxIface = ipc.net!.ip.rxIface;
      const a = rxIface ? ipc.ifAt(rxIface.index) : null;
      const mdns = dport == MDNS_PORT && a ? a.mdns : null;
      const forMdns = mdns != null;
      if ((forDhcp || forDns || forMdns) &&
          (v.checksum == 0 || inetSum(payload, v.length, pseudoHeaderSum(src, dst, IpProtocol.Udp, <u32>v.length)) == 0xffff)) {
        count(Counter.UdpRx);
        giveWork(Work.Addressing);
        if (forDns) { res.onDatagram(src, sport, dport, v.payload, v.payloadLen, now); return; }
        if (forMdns) {
          if (!ipc.net!.ownsAddress(src) && (dst == MDNS_GROUP || onLink(rxIface!, src))) mdns!.onDatagram(src, sport, v.payload, v.payloadLen, now);
          return;
        }
        if (a && a.dhcpMode) {
          a.dhcp.onDatagram(src, sport, dport, v.payload, v.payloadLen, now);
          a.handleEvents(now);
        }
        return;
      }
    }
    giveWork(Work.Everything); // a socket's datagram: its owner may be any part
    this.udp.onPacket(src, dst, payload, len, now);
  }
}

export class IpConfig {
  net: NetStack | null = null;
  resolver: DnsResolver | null = null;
  private tcp: Tcp | null = null;
  private udp: Udp | null = null;
  private ifs: StaticArray<IfAddressing | null> = new StaticArray<IfAddressing | null>(IPCONFIG_IFACES);
  /** The query of a deferred `nslookup`, or -1. */
  lookup: i32 = -1;
  /** The query of a deferred `ping <name>` (stack/app/net-commands.ts), or -1. */
  pingLookup: i32 = -1;
  /** Where DHCP and DNS messages are built (see TX_PAYLOAD_OFFSET); 0: they reserve their own. */
  txBuffer: usize = 0;

  /** Call once in System.init, after the transports are attached. */
  init(net: NetStack, udp: Udp, tcp: Tcp): void {
    this.net = net;
    this.udp = udp;
    this.tcp = tcp;
    for (let i = 0; i < 2 && this.txBuffer == 0; i++) {
      const f = net.iface(i);
      if (f) this.txBuffer = f.txFrame + TX_PAYLOAD_OFFSET;
    }
    const dc = new DnsConfig();
    dc.cacheEntries = 4;
    dc.maxQueries = 1;
    dc.hostsEntries = 0; // host.0..3 are looked up in the config store itself (hostsLookup): no RAM
    dc.nameMax = 128;
    dc.cacheNameMax = 64;
    dc.txBuffer = this.txBuffer;
    dc.tcpBufBytes = 1024; // truncated answers up to 1022 bytes over TCP
    this.resolver = new DnsResolver(new UdpOut(net, -1), new DnsOverTcp(tcp), dc);
    for (let i = 0; i < IPCONFIG_IFACES; i++) {
      if (net.iface(i)) unchecked(this.ifs[i] = new IfAddressing(this, i));
    }
    net.registerProtocol(IpProtocol.Udp, new UdpDemux(this, udp)); // replaces the plain Udp handler
    shell.register("nslookup", "nslookup <name>        DNS lookup", cmdNslookup);
  }

  ifAt(i: i32): IfAddressing | null { return i >= 0 && i < IPCONFIG_IFACES ? unchecked(this.ifs[i]) : null; }

  /**
   * The configuration changed (and at the first poll): addressing and DNS servers. The work
   * (config reads) is done at the start of the next ipconfig.poll, which System.poll runs
   * after the drivers: a driver timing a wait from `now` (the ENC28J60's reset) must not
   * have CPU time spent in front of it in the same poll.
   */
  apply(now: i64): void { this.applyPending = true; }
  private applyPending: bool = false;

  private applyNow(now: i64): void {
    const n = configStore.getStr("hostname", nameBuf, NAME_CAP);
    for (let i = 0; i < IPCONFIG_IFACES; i++) {
      const a = unchecked(this.ifs[i]);
      if (!a) continue;
      const m = a.mdns;
      if (m) m.setName(nameBuf, n, now);
      a.apply(now);
    }
  }

  poll(now: i64): i64 {
    if (this.applyPending) { this.applyPending = false; this.applyNow(now); }
    let next: i64 = NO_DEADLINE;
    for (let i = 0; i < IPCONFIG_IFACES; i++) {
      const a = unchecked(this.ifs[i]);
      if (!a) continue;
      let d = a.poll(now);
      if (d < next) next = d;
      const m = a.mdns;
      if (!m) continue;
      // `<hostname>.local` answers for whatever address the interface has (DHCP,
      // link-local or static), as people expect of a device on their desk.
      const f = this.net!.iface(i)!;
      m.setAddress(f.address, f.up, now);
      m.poll(now);
      d = m.nextDeadline();
      if (d < next) next = d;
    }
    const res = this.resolver!;
    res.poll(now);
    if (this.lookup >= 0 && res.status(this.lookup) != DnsStatus.Pending) {
      const h = this.lookup;
      this.lookup = -1;
      answer(shell.reply, h);
      res.release(h);
      shell.finishDeferred();
    }
    while (true) { // completions nobody waits for (a cancelled nslookup) free their slot
      const h = res.takeCompleted();
      if (h < 0) break;
      if (h != this.lookup && h != this.pingLookup) res.release(h);
    }
    const d = res.nextDeadline();
    return d < next ? d : next;
  }

  /** An address went away: sockets bound to it learn about it. */
  addressGone(addr: u32, now: i64): void {
    this.udp!.addressRemoved(addr, now);
    this.tcp!.addressRemoved(addr, now);
  }

  /**
   * The hosts table: host.0..3 (`name=a.b.c.d`, validated by the config store) read where
   * they are stored, compared case-insensitively (a trailing dot allowed). The address, or -1.
   */
  hostsLookup(text: usize, len: i32): i64 {
    if (len > 0 && load<u8>(text + len - 1) == 46) len--;
    for (let i = 0; i < 4; i++) {
      const n = hostEntry(i);
      if (n <= len || load<u8>(nameBuf + len) != 61) continue;
      let k = 0;
      while (k < len && (load<u8>(nameBuf + k) | 32) == (load<u8>(text + k) | 32)) k++;
      if (k == len) return parseIp(nameBuf + len + 1, n - len - 1);
    }
    return -1;
  }
}


export const ipconfig = new IpConfig();

// ---------------------------------------------------------------- nslookup

function cmdNslookup(a: Args, r: Reply, now: i64): void {
  if (a.argc < 1) { r.fail("usage", "nslookup <name>"); return; }
  const res = ipconfig.resolver!;
  const host = ipconfig.hostsLookup(a.argPtr(0), a.argLen(0));
  if (host >= 0) {
    r.field("addresses"); r.quote(); ipPart(r, <u32>host); r.quote(); r.endField();
    r.fieldU32("ttl", 0);
    r.fieldStr("source", "hosts");
    return;
  }
  if (ipconfig.lookup >= 0) { r.fail("busy", "busy"); return; }
  const h = res.resolve(a.argPtr(0), a.argLen(0), now);
  if (h < 0) { failStatus(r, -h, 0); return; }
  if (res.status(h) != DnsStatus.Pending) { answer(r, h); res.release(h); return; }
  ipconfig.lookup = h;
  r.deferred = true;
  shell.onCancel(cancelLookup);
}

function cancelLookup(): void {
  const h = ipconfig.lookup;
  ipconfig.lookup = -1;
  if (h >= 0) ipconfig.resolver!.release(h);
}

function answer(r: Reply, h: i32): void {
  const res = ipconfig.resolver!;
  const st = res.status(h);
  if (st != DnsStatus.Ok) { failStatus(r, st, res.ttl(h)); return; }
  r.field("addresses");
  r.quote();
  for (let i = 0, n = res.addressCount(h); i < n; i++) {
    if (i) r.part(" ");
    ipPart(r, res.address(h, i));
  }
  r.quote();
  r.endField();
  r.fieldU32("ttl", res.ttl(h));
  if (res.fromCacheOf(h)) r.fieldStr("source", "cache"); else r.fieldStr("source", "dns");
}

function ipPart(r: Reply, x: u32): void {
  r.partU32(x >>> 24); r.part("."); r.partU32((x >>> 16) & 255); r.part("."); r.partU32((x >>> 8) & 255); r.part("."); r.partU32(x & 255);
}

/** The cause as a stable code (also the message: console text costs RAM). */
function failStatus(r: Reply, st: i32, ttl: u32): void {
  if (st == DnsStatus.NxDomain) r.fail("nxdomain", "nxdomain");
  else if (st == DnsStatus.NoData) r.fail("nodata", "nodata");
  else if (st == DnsStatus.ServerFailure) r.fail("servfail", "servfail");
  else if (st == DnsStatus.Timeout) r.fail("timeout", "timeout");
  else if (st == DnsStatus.NoServers) r.fail("no_servers", "no_servers");
  else if (st == DnsStatus.BadName) r.fail("bad_name", "bad_name");
  else if (st == DnsStatus.ChainTooLong) r.fail("cname_loop", "cname_loop");
  else r.fail("busy", "busy");
  if (st == DnsStatus.NxDomain || st == DnsStatus.NoData) { r.msg(" ttl "); r.msgU32(ttl); }
}

// ---------------------------------------------------------------- config helpers

/** host.<i> into nameBuf (its length, or <= 0 when unset). */
function hostEntry(i: i32): i32 {
  return configStore.getStr(i == 0 ? "host.0" : i == 1 ? "host.1" : i == 2 ? "host.2" : "host.3", nameBuf, NAME_CAP);
}

const valueScratch = reserve(16);
function configEquals(key: string, value: string): bool {
  const n = configStore.getStr(key, valueScratch, 16);
  return n >= 0 && bytesEqStr(valueScratch, n, value);
}

/** An interface's addressing keys: `if.*` for the wired port (0), `if1.*` for Wi-Fi (1). */
class StaticSettings {
  isStatic: bool = false;
  addr: u32 = 0;
  mask: u32 = 0;
  gw: u32 = 0;
  dns: u32 = 0;
}
const staticSettings = new StaticSettings();

function readStaticSettings(ifIndex: i32): StaticSettings {
  const st = staticSettings;
  if (ifIndex == 0) {
    st.isStatic = configEquals("if.mode", "static");
    st.addr = configStore.getIp("if.addr"); st.mask = configStore.getIp("if.mask");
    st.gw = configStore.getIp("if.gw"); st.dns = configStore.getIp("if.dns");
  } else {
    st.isStatic = configEquals("if1.mode", "static");
    st.addr = configStore.getIp("if1.addr"); st.mask = configStore.getIp("if1.mask");
    st.gw = configStore.getIp("if1.gw"); st.dns = configStore.getIp("if1.dns");
  }
  return st;
}

/** FNV-1a over the settings that shape an interface's addressing. */
function settingsFingerprint(st: StaticSettings): u32 {
  let h: u32 = st.isStatic ? 0x01000193 : 0x811c9dc5;
  if (st.isStatic) {
    h = mix(h, st.addr);
    h = mix(h, st.mask);
    h = mix(h, st.gw);
    h = mix(h, st.dns);
  }
  const n = configStore.getStr("hostname", nameBuf, NAME_CAP);
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(nameBuf + i)) * 16777619;
  return h;
}

function mix(h: u32, v: u32): u32 {
  for (let i = 0; i < 4; i++) { h = (h ^ (v & 255)) * 16777619; v >>>= 8; }
  return h;
}
