// The IPv4 layer (RFC 791, RFC 1122 §3): validates and delivers received datagrams to the
// protocol handlers, and builds outgoing ones directly in the chosen interface's transmit
// buffer (beginPacket / sendPacket) so transports write their payload exactly once.
//
// Fragments are dropped and counted (IpDropFragment), not reassembled. Reassembly needs a
// buffer per datagram in flight, up to 64 KiB each, in a device that has one 64 KiB page
// in total. Our peers have no reason to fragment towards us: TCP advertises an MSS that
// fits one frame, we set DF on everything we send (so path MTU discovery, RFC 1191,
// shrinks segments instead), and our UDP users (DHCP, DNS ≤ 512 bytes) fit one frame.
// This deviates from RFC 1122 §3.3.2 (reassemble at least 576 bytes); the counter shows
// whether it matters on a real network.
import { NetInterface, IpReceiver } from "./interface";
import { RouteTable, NO_ROUTE } from "./route";
import { count, Counter } from "../runtime/counters";
import { Ipv4Packet, emitIpv4Header, IpProtocol, IPV4_MIN_HEADER, IPV4_BROADCAST, isMulticast } from "../wire/ipv4";
import { ETH_HEADER_LEN } from "../wire/ethernet";

export const DEFAULT_TTL: u32 = 64;

/** A transport (UDP, TCP, ICMP) registered for one IP protocol number. */
export abstract class IpProtocolHandler {
  abstract onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void;
}

/** How the datagram being delivered was addressed (valid during onPacket only). */
export enum RxAddressing {
  Unicast = 0,
  Broadcast = 1,
  Multicast = 2,
}

/** ICMP protocol-unreachable generation, supplied by the ICMP layer. */
export abstract class UnreachableReporter {
  abstract protocolUnreachable(now: i64): void;
}

export class Ipv4 extends IpReceiver {
  ttl: u32 = DEFAULT_TTL;
  readonly routes: RouteTable;
  readonly interfaces: StaticArray<NetInterface | null>;
  unreachable: UnreachableReporter | null = null;

  // The datagram being delivered: lets ICMP reply and quote it.
  rxIface: NetInterface | null = null;
  rxHeader: usize = 0;
  rxLen: i32 = 0;
  rxAddressing: RxAddressing = RxAddressing.Unicast;
  rxLinkBroadcast: bool = false;

  private protocols: StaticArray<u32>;
  private handlers: StaticArray<IpProtocolHandler | null>;
  private ident: u32 = 0;
  private view: Ipv4Packet = new Ipv4Packet();

  // The packet being built between beginPacket and sendPacket.
  private txIface: NetInterface | null = null;
  private txSrc: u32 = 0;
  private txDst: u32 = 0;
  private txProtocol: u32 = 0;
  private txNextHop: u32 = 0;
  private routedNextHop: u32 = 0;

  constructor(maxInterfaces: i32 = 2, routeCapacity: i32 = 8, maxProtocols: i32 = 4) {
    super();
    this.routes = new RouteTable(routeCapacity);
    this.interfaces = new StaticArray<NetInterface | null>(maxInterfaces);
    this.protocols = new StaticArray<u32>(maxProtocols);
    this.handlers = new StaticArray<IpProtocolHandler | null>(maxProtocols);
  }

  /** Seeds the identification counter (from hal.random_fill) so reboots do not repeat IDs. */
  seedIdent(seed: u32): void { this.ident = seed & 0xffff; }

  attach(iface: NetInterface): bool {
    const i = iface.index;
    if (i < 0 || i >= this.interfaces.length || this.interfaces[i] !== null) return false;
    this.interfaces[i] = iface;
    iface.receiver = this;
    this.routes.setInterfaceUp(i, iface.up);
    return true;
  }

  register(protocol: u32, handler: IpProtocolHandler): bool {
    for (let i = 0; i < this.handlers.length; i++) {
      if (this.handlers[i] === null || this.protocols[i] == protocol) {
        this.protocols[i] = protocol;
        this.handlers[i] = handler;
        return true;
      }
    }
    return false;
  }

  onLinkChange(iface: NetInterface, up: bool, now: i64): void {
    this.routes.setInterfaceUp(iface.index, up);
  }

  onIpPacket(iface: NetInterface, packet: usize, len: i32, linkBroadcast: bool, now: i64): void {
    count(Counter.IpRx);
    const p = this.view.wrap(packet, len);
    if (!p.check()) { count(Counter.IpDropMalformed); return; }
    if (!p.checksumValid()) { count(Counter.IpDropBadChecksum); return; }
    const src = p.src;
    const dst = p.dst;
    // RFC 1122 §3.2.1.3: a broadcast, multicast or loopback (127/8) source is invalid.
    if (src == IPV4_BROADCAST || isMulticast(src) || (src >>> 24) == 127 || (src == iface.directedBroadcast && src != 0)) {
      count(Counter.IpDropMalformed);
      return;
    }
    const protocol = p.protocol;
    let addressing = RxAddressing.Unicast;
    if (dst == iface.address && dst != 0) {
      // RFC 1122 §3.3.6: unicast IP in a link-layer broadcast is discarded.
      if (linkBroadcast) { count(Counter.IpDropNotForUs); return; }
    } else if (dst == IPV4_BROADCAST || (dst == iface.directedBroadcast && dst != 0)) {
      addressing = RxAddressing.Broadcast;
    } else if (isMulticast(dst) && iface.isMember(dst)) {
      addressing = RxAddressing.Multicast;
    } else if (!(iface.address == 0 && protocol == IpProtocol.Udp)) {
      // (Unconfigured, UDP: a DHCP server may unicast the offer to the address it offers,
      // RFC 2131 §4.1; the DHCP client filters by port and transaction.)
      count(Counter.IpDropNotForUs);
      return;
    }
    // RFC 791: a datagram with TTL 0 must be destroyed. (Hosts accept TTL 1, RFC 1122 §3.2.1.7.)
    if (p.ttl == 0) { count(Counter.IpDropTtl); return; }
    if (p.isFragment) { count(Counter.IpDropFragment); return; }
    this.rxIface = iface;
    this.rxHeader = packet;
    this.rxLen = p.totalLen;
    this.rxAddressing = addressing;
    this.rxLinkBroadcast = linkBroadcast;
    const handler = this.handlerFor(protocol);
    if (handler) {
      handler.onPacket(src, dst, p.payload, p.payloadLen, now);
    } else {
      count(Counter.IpDropProtocol);
      const u = this.unreachable;
      if (u && addressing == RxAddressing.Unicast) u.protocolUnreachable(now);
    }
    this.rxIface = null;
  }

  /**
   * Starts an outgoing packet to dst, routed by the table. Returns where to write the
   * payload (up to payloadCapacity() bytes), or 0 when there is no route. Finish with
   * sendPacket; do not start another packet in between.
   */
  beginPacket(dst: u32, protocol: u32): usize {
    const iface = this.route(dst);
    if (!iface) { count(Counter.IpDropNoRoute); return 0; }
    return this.open(iface, iface.address, dst, protocol, this.routedNextHop);
  }

  /** The source address we would use towards dst, 0 when there is no route. */
  sourceAddressFor(dst: u32): u32 {
    const iface = this.route(dst);
    return iface && iface.up ? iface.address : 0;
  }

  /** The largest transport payload towards dst (we never fragment), 0 when there is no route. */
  maxPayloadFor(dst: u32): i32 {
    const iface = this.route(dst);
    return iface && iface.up ? iface.mtu - IPV4_MIN_HEADER : 0;
  }

  /**
   * Starts a packet on a given interface with a given source, bypassing the route table
   * (DHCP: source 0.0.0.0, destination 255.255.255.255 before we have an address).
   */
  beginPacketOn(ifIndex: i32, src: u32, dst: u32, protocol: u32): usize {
    const iface = ifIndex >= 0 && ifIndex < this.interfaces.length ? unchecked(this.interfaces[ifIndex]) : null;
    if (!iface || !iface.up) { count(Counter.IpDropNoRoute); return 0; }
    return this.open(iface, src, dst, protocol, dst);
  }

  /** The source address of the packet being built (for pseudo-header checksums). */
  packetSource(): u32 { return this.txSrc; }
  packetDestination(): u32 { return this.txDst; }

  payloadCapacity(): i32 {
    const iface = this.txIface;
    return iface ? iface.mtu - IPV4_MIN_HEADER : 0;
  }

  /** Adds the IP header in front of the payload and hands the packet to the link. */
  sendPacket(payloadLen: i32, now: i64): bool {
    const iface = this.txIface;
    if (!iface) return false;
    this.txIface = null;
    if (payloadLen < 0 || payloadLen > iface.mtu - IPV4_MIN_HEADER) { count(Counter.IpDropMalformed); return false; }
    const ip = iface.txFrame + ETH_HEADER_LEN;
    emitIpv4Header(ip, this.txSrc, this.txDst, this.txProtocol, payloadLen, this.ttl, this.ident, true);
    this.ident = (this.ident + 1) & 0xffff;
    count(Counter.IpTx);
    return iface.transmitIp(IPV4_MIN_HEADER + payloadLen, this.txNextHop, now);
  }

  private open(iface: NetInterface, src: u32, dst: u32, protocol: u32, nextHop: u32): usize {
    if (!iface.up) { count(Counter.IpDropNoRoute); return 0; }
    this.txIface = iface;
    this.txSrc = src;
    this.txDst = dst;
    this.txProtocol = protocol;
    this.txNextHop = nextHop;
    return iface.txFrame + ETH_HEADER_LEN + IPV4_MIN_HEADER;
  }

  /** The interface towards dst (and its next hop in routedNextHop), or null. */
  private route(dst: u32): NetInterface | null {
    const r = this.routes.lookup(dst);
    this.routedNextHop = dst;
    // Limited broadcast and multicast stay on-link: by route if one matches, else the first interface up.
    if (dst == IPV4_BROADCAST || isMulticast(dst)) return r != NO_ROUTE ? this.interfaces[this.routes.interfaceOf(r)] : this.firstUp();
    if (r == NO_ROUTE) return null;
    this.routedNextHop = this.routes.nextHop(r, dst);
    return this.interfaces[this.routes.interfaceOf(r)];
  }

  private firstUp(): NetInterface | null {
    for (let i = 0; i < this.interfaces.length; i++) {
      const f = unchecked(this.interfaces[i]);
      if (f && f.up) return f;
    }
    return null;
  }

  private handlerFor(protocol: u32): IpProtocolHandler | null {
    for (let i = 0; i < this.handlers.length; i++) {
      if (unchecked(this.protocols[i]) == protocol) return unchecked(this.handlers[i]);
    }
    return null;
  }
}
