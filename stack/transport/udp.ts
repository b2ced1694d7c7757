// UDP (RFC 768, RFC 1122 §4.1) with a non-blocking socket API for applications compiled
// into the module. Every socket owns a receive ring reserved at init; datagrams that do
// not fit (bytes or count) are dropped and counted, never queued elsewhere.
//
//   const s = udp.socket()!;            // at init
//   s.bind(5353); s.handler = myHandler; // handler.onReadable(s, now) or poll s.pending()
//   s.sendTo(addr, port, buf, len, now);
//   const n = s.receiveFrom(buf, cap);   // then s.fromAddr / s.fromPort
import { IpOutput, NetError, SockErr } from "./ip-output";
import { EphemeralPorts, PortUser } from "./ports";
import { UdpView, UDP_HEADER_LEN, emitUdpHeader, setUdpChecksum } from "../wire/udp";
import { inetSum, pseudoHeaderSum } from "../wire/checksum";
import { count, Counter } from "../runtime/counters";
import { reserve } from "../runtime/memory";
import { get16, get32 } from "../wire/bytes";

export const IPPROTO_UDP: u32 = 17;
const RECORD_HEADER: i32 = 8; // u16 length, u16 source port, u32 source address

export class UdpConfig {
  sockets: i32 = 4;
  /** Receive ring per socket, bytes (8 bytes of bookkeeping per datagram). */
  rxBytes: i32 = 1024;
  /** Datagrams queued per socket at most. */
  rxDatagrams: i32 = 4;
}

/** Optional callbacks; sockets work by polling too. */
export abstract class UdpHandler {
  onReadable(s: UdpSocket, now: i64): void {}
  onError(s: UdpSocket, error: NetError, now: i64): void {}
}

export class UdpSocket {
  handler: UdpHandler | null = null;
  /** Source of the datagram returned by the last receiveFrom. */
  fromAddr: u32 = 0;
  fromPort: u32 = 0;

  inUse: bool = false;
  localAddr: u32 = 0;
  localPort: u32 = 0;
  remoteAddr: u32 = 0;
  remotePort: u32 = 0;
  /** Destination of the last sendTo on an unconnected socket (to attribute ICMP errors). */
  lastDstAddr: u32 = 0;
  lastDstPort: u32 = 0;
  pendingError: NetError = NetError.None;
  drops: u32 = 0;

  private ring: usize;
  private cap: i32;
  private head: i32 = 0;
  private used: i32 = 0;
  private queued: i32 = 0;
  private maxQueued: i32;

  constructor(private udp: Udp, rxBytes: i32, rxDatagrams: i32) {
    this.ring = reserve(rxBytes);
    this.cap = rxBytes;
    this.maxQueued = rxDatagrams;
  }

  /** Binds to a local port (0 picks an ephemeral one) and optionally a local address. */
  bind(port: u32, localAddr: u32 = 0): i32 {
    if (!this.inUse || this.localPort != 0) return SockErr.InvalidState;
    if (port > 65535) return SockErr.InvalidArgument;
    if (port == 0) {
      port = this.udp.ephemeral(localAddr, 0, 0);
      if (port == 0) return SockErr.NoBuffers;
    } else if (this.udp.portInUse(port, 0, 0)) {
      return SockErr.AddressInUse;
    }
    this.localPort = port;
    this.localAddr = localAddr;
    return SockErr.Ok;
  }

  /** Fixes the peer: send() goes there, and only its datagrams are received. */
  connect(addr: u32, port: u32): i32 {
    if (!this.inUse || port == 0 || port > 65535) return SockErr.InvalidArgument;
    if (this.localPort == 0) {
      const p = this.udp.ephemeral(this.localAddr, addr, port);
      if (p == 0) return SockErr.NoBuffers;
      this.localPort = p;
    }
    this.remoteAddr = addr;
    this.remotePort = port;
    return SockErr.Ok;
  }

  send(buf: usize, len: i32, now: i64): i32 {
    if (this.remotePort == 0) return SockErr.InvalidState;
    return this.sendTo(this.remoteAddr, this.remotePort, buf, len, now);
  }

  /** Sends one datagram; 0 on success or a negative SockErr. */
  sendTo(addr: u32, port: u32, buf: usize, len: i32, now: i64): i32 {
    if (!this.inUse) return SockErr.InvalidState;
    if (port == 0 || port > 65535 || len < 0) return SockErr.InvalidArgument;
    if (this.localPort == 0) {
      const r = this.bind(0, this.localAddr);
      if (r != 0) return r;
    }
    if (this.remotePort == 0) { this.lastDstAddr = addr; this.lastDstPort = port; }
    return this.udp.output(this, addr, port, buf, len, now);
  }

  /** Datagrams waiting. */
  pending(): i32 { return this.queued; }
  /** Length of the next datagram, or -1 when none. */
  nextLength(): i32 {
    if (this.queued == 0) return -1;
    return <i32>this.peekU16(0);
  }

  /**
   * Takes the next datagram into buf (truncated to cap, the rest discarded, like
   * recvfrom). Returns its full length, 0 for an empty datagram, or -1 when none is queued.
   */
  receiveFrom(buf: usize, cap: i32): i32 {
    if (this.queued == 0) return -1;
    const len = <i32>this.peekU16(0);
    this.fromPort = this.peekU16(2);
    this.fromAddr = <u32>this.peekU16(4) << 16 | this.peekU16(6);
    const copy = len < cap ? len : cap;
    this.copyOut(RECORD_HEADER, buf, copy);
    const total = RECORD_HEADER + len;
    this.head = (this.head + total) % this.cap;
    this.used -= total;
    this.queued--;
    return len;
  }

  /** Returns and clears the pending error (NetError.None when there is none). */
  takeError(): NetError {
    const e = this.pendingError;
    this.pendingError = NetError.None;
    return e;
  }

  close(): void {
    this.inUse = false;
    this.localAddr = this.localPort = this.remoteAddr = this.remotePort = 0;
    this.lastDstAddr = this.lastDstPort = 0;
    this.head = this.used = this.queued = 0;
    this.pendingError = NetError.None;
    this.handler = null;
  }

  // --- receive ring: records are header + data, copied with wrap-around ---

  enqueue(srcAddr: u32, srcPort: u32, data: usize, len: i32): bool {
    const total = RECORD_HEADER + len;
    if (this.queued >= this.maxQueued || total > this.cap - this.used) return false;
    const at = (this.head + this.used) % this.cap;
    this.putU16(at, <u32>len);
    this.putU16(at + 2, srcPort);
    this.putU16(at + 4, srcAddr >>> 16);
    this.putU16(at + 6, srcAddr & 0xffff);
    this.copyIn(at + RECORD_HEADER, data, len);
    this.used += total;
    this.queued++;
    return true;
  }

  private putU16(off: i32, v: u32): void {
    store<u8>(this.ring + <usize>(off % this.cap), <u8>(v >>> 8));
    store<u8>(this.ring + <usize>((off + 1) % this.cap), <u8>v);
  }

  private peekU16(off: i32): u32 {
    const a = this.head + off;
    return <u32>load<u8>(this.ring + <usize>(a % this.cap)) << 8 | <u32>load<u8>(this.ring + <usize>((a + 1) % this.cap));
  }

  private copyIn(off: i32, src: usize, len: i32): void {
    const at = off % this.cap;
    const first = min(len, this.cap - at);
    memory.copy(this.ring + <usize>at, src, <usize>first);
    if (len > first) memory.copy(this.ring, src + <usize>first, <usize>(len - first));
  }

  private copyOut(off: i32, dst: usize, len: i32): void {
    const at = (this.head + off) % this.cap;
    const first = min(len, this.cap - at);
    memory.copy(dst, this.ring + <usize>at, <usize>first);
    if (len > first) memory.copy(dst + <usize>first, this.ring, <usize>(len - first));
  }
}

export class Udp extends PortUser {
  readonly sockets: StaticArray<UdpSocket>;
  private ports: EphemeralPorts = new EphemeralPorts();
  private view: UdpView = new UdpView();

  constructor(private ip: IpOutput, config: UdpConfig = new UdpConfig()) {
    super();
    this.sockets = new StaticArray<UdpSocket>(config.sockets);
    for (let i = 0; i < config.sockets; i++) this.sockets[i] = new UdpSocket(this, config.rxBytes, config.rxDatagrams);
  }

  /** A free socket, or null when all are in use. */
  socket(): UdpSocket | null {
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.inUse) { s.inUse = true; return s; }
    }
    return null;
  }

  portInUse(port: u32, remoteAddr: u32, remotePort: u32): bool {
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (s.inUse && s.localPort == port) return true;
    }
    return false;
  }

  ephemeral(localAddr: u32, remoteAddr: u32, remotePort: u32): u32 {
    return this.ports.pick(localAddr, remoteAddr, remotePort, this);
  }

  output(s: UdpSocket, dst: u32, dport: u32, buf: usize, len: i32, now: i64): i32 {
    const max = this.ip.maxPayloadFor(dst);
    if (max == 0) return SockErr.NoRoute;
    if (len + UDP_HEADER_LEN > max) return SockErr.TooBig; // we never fragment
    const p = this.ip.beginPacket(dst, IPPROTO_UDP);
    if (p == 0) return SockErr.NoRoute;
    const src = this.ip.packetSource();
    emitUdpHeader(p, s.localPort, dport, len);
    memory.copy(p + UDP_HEADER_LEN, buf, <usize>len);
    const total = len + UDP_HEADER_LEN;
    let c = ~inetSum(p, total, pseudoHeaderSum(src, dst, IPPROTO_UDP, <u32>total)) & 0xffff;
    // RFC 768: a computed zero is sent as all ones; zero means "no checksum".
    if (c == 0) c = 0xffff;
    setUdpChecksum(p, c);
    count(Counter.UdpTx);
    return this.ip.sendPacket(total, now) ? SockErr.Ok : SockErr.NoRoute;
  }

  /** A datagram from the IP layer (register under protocol 17). */
  onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void {
    count(Counter.UdpRx);
    const v = this.view.wrap(payload, len);
    if (!v.check()) { count(Counter.UdpDropMalformed); return; }
    const ulen = v.length;
    // RFC 768: checksum 0 means the sender computed none (legal for IPv4).
    if (v.checksum != 0 && inetSum(payload, ulen, pseudoHeaderSum(src, dst, IPPROTO_UDP, <u32>ulen)) != 0xffff) {
      count(Counter.UdpDropMalformed);
      return;
    }
    const sport = v.srcPort, dport = v.dstPort;
    // Prefer a socket connected to this source over a merely bound one.
    let best: UdpSocket | null = null;
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.inUse || s.localPort != dport) continue;
      if (s.localAddr != 0 && s.localAddr != dst) continue;
      if (s.remotePort != 0) {
        if (s.remoteAddr != src || s.remotePort != sport) continue;
        best = s;
        break;
      }
      if (!best) best = s;
    }
    if (!best) {
      count(Counter.UdpDropNoSocket);
      this.ip.portUnreachable(now);
      return;
    }
    const s = changetype<UdpSocket>(best);
    if (!s.enqueue(src, sport, v.payload, v.payloadLen)) {
      s.drops++;
      count(Counter.UdpDropQueueFull);
      return;
    }
    const h = s.handler;
    if (h) h.onReadable(s, now);
  }

  /**
   * An ICMP error quoting one of our datagrams (RFC 1122 §4.1.3.3: pass it to the
   * application). `quoted` is the quoted IP header followed by at least 8 bytes.
   */
  onIcmpError(type: u32, code: u32, quoted: usize, len: i32, now: i64): void {
    if (type != 3 || len < 20) return; // only destination unreachable is a socket error
    const ihl = <i32>(load<u8>(quoted) & 15) << 2;
    if (ihl < 20 || len < ihl + 8 || load<u8>(quoted + 9) != IPPROTO_UDP) return;
    const qsrc = get32(quoted + 12), qdst = get32(quoted + 16);
    const sport = get16(quoted + ihl), dport = get16(quoted + ihl + 2);
    let err = NetError.HostUnreachable;
    if (code == 0) err = NetError.NetworkUnreachable;
    else if (code == 2 || code == 3) err = NetError.Refused;
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.inUse || s.localPort != sport) continue;
      if (s.localAddr != 0 && s.localAddr != qsrc) continue;
      const matches = s.remotePort != 0
        ? s.remoteAddr == qdst && s.remotePort == dport
        : s.lastDstAddr == qdst && s.lastDstPort == dport;
      if (!matches) continue;
      s.pendingError = err;
      const h = s.handler;
      if (h) h.onError(s, err, now);
    }
  }

  /** The local address went away: sockets bound to it report AddressGone. */
  addressRemoved(addr: u32, now: i64): void {
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.inUse || s.localAddr != addr || addr == 0) continue;
      s.pendingError = NetError.AddressGone;
      const h = s.handler;
      if (h) h.onError(s, NetError.AddressGone, now);
    }
  }
}
