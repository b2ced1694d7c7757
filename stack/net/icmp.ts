// ICMP (RFC 792, RFC 1122 §3.2.2): answers echo requests, hands echo replies to the
// pinger and received errors to the transport that sent the quoted datagram, and sends
// our own errors through a token bucket.
import { Ipv4, IpProtocolHandler, UnreachableReporter, RxAddressing } from "./ipv4";
import { count, Counter } from "../runtime/counters";
import { get16, put16 } from "../wire/bytes";
import { checksumAdjust } from "../wire/checksum";
import { IcmpPacket, IcmpType, UnreachCode, emitIcmpEcho, emitIcmpError, isIcmpError, ICMP_HEADER_LEN } from "../wire/icmp";
import { Ipv4Packet, IpProtocol, IPV4_BROADCAST, IPV4_MIN_HEADER, isMulticast } from "../wire/ipv4";
import { ETH_MTU } from "../wire/ethernet";

/** A transport's view of ICMP errors about datagrams it sent. */
export abstract class IcmpErrorListener {
  /** quotedIpHeader: the start of our original IP header as quoted; len: bytes quoted (≥ header + 8). */
  abstract onIcmpError(type: u32, code: u32, quotedIpHeader: usize, len: i32, now: i64): void;
}

/** Receives echo replies (the pinger). */
export abstract class EchoReplyListener {
  abstract onEchoReply(src: u32, ident: u32, seq: u32, data: usize, len: i32, now: i64): void;
}

/** Largest echo data that fits one Ethernet frame unfragmented. */
export const MAX_ECHO_DATA: i32 = ETH_MTU - IPV4_MIN_HEADER - ICMP_HEADER_LEN;

/** RFC 1122 §3.2.2: quote the IP header and at least the first 8 bytes of its payload. */
const QUOTED_PAYLOAD: i32 = 8;

/** A token bucket on `now`: `burst` errors at once, then one per `intervalUs`. */
export class RateLimiter {
  private tokens: i32;
  private refilledAt: i64 = 0;
  constructor(readonly burst: i32, readonly intervalUs: i64) {
    this.tokens = burst;
  }

  allow(now: i64): bool {
    const add = (now - this.refilledAt) / this.intervalUs;
    if (add > 0) {
      this.tokens = add >= <i64>(this.burst - this.tokens) ? this.burst : this.tokens + <i32>add;
      this.refilledAt += add * this.intervalUs;
    }
    if (this.tokens == 0) return false;
    this.tokens--;
    return true;
  }
}

export class Icmp extends IpProtocolHandler {
  echoListener: EchoReplyListener | null = null;
  readonly limiter: RateLimiter;
  private errorProtocols: StaticArray<u32>;
  private errorListeners: StaticArray<IcmpErrorListener | null>;
  private view: IcmpPacket = new IcmpPacket();
  private quoted: Ipv4Packet = new Ipv4Packet();

  constructor(private ip: Ipv4, errorBurst: i32 = 4, errorIntervalUs: i64 = 250_000, maxListeners: i32 = 4) {
    super();
    this.limiter = new RateLimiter(errorBurst, errorIntervalUs);
    this.errorProtocols = new StaticArray<u32>(maxListeners);
    this.errorListeners = new StaticArray<IcmpErrorListener | null>(maxListeners);
    ip.register(IpProtocol.Icmp, this);
    ip.unreachable = new IcmpUnreachable(this);
  }

  /** Errors quoting datagrams of `protocol` go to listener (UDP, TCP register here). */
  addErrorListener(protocol: u32, listener: IcmpErrorListener): bool {
    for (let i = 0; i < this.errorListeners.length; i++) {
      if (this.errorListeners[i] === null || this.errorProtocols[i] == protocol) {
        this.errorProtocols[i] = protocol;
        this.errorListeners[i] = listener;
        return true;
      }
    }
    return false;
  }

  onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void {
    count(Counter.IcmpRx);
    const m = this.view.wrap(payload, len);
    if (!m.check() || !m.checksumValid()) { count(Counter.IcmpDropMalformed); return; }
    const type = m.type;
    if (type == IcmpType.EchoRequest) {
      // RFC 1122 §3.2.2.6 lets us ignore echo requests to broadcast/multicast (smurf).
      // Not to 0.0.0.0 either: a host without an address cannot receive the reply.
      if (this.ip.rxAddressing == RxAddressing.Unicast && src != 0) this.reply(src, m, now);
    } else if (type == IcmpType.EchoReply) {
      const l = this.echoListener;
      if (l) l.onEchoReply(src, m.echoIdent, m.echoSeq, m.body, m.bodyLen, now);
    } else if (m.isError) {
      this.deliverError(m, now);
    }
  }

  /** Sends an echo request carrying `dataLen` bytes of a counting pattern. */
  sendEcho(dst: u32, ident: u32, seq: u32, dataLen: i32, now: i64): bool {
    if (dataLen < 0 || dataLen > MAX_ECHO_DATA) return false;
    const p = this.ip.beginPacket(dst, IpProtocol.Icmp);
    if (p == 0) return false;
    this.fillPattern(p + ICMP_HEADER_LEN, dataLen);
    const len = emitIcmpEcho(p, IcmpType.EchoRequest, ident, seq, dataLen);
    count(Counter.IcmpTx);
    return this.ip.sendPacket(len, now);
  }

  /**
   * Destination unreachable (`code`, e.g. UnreachCode.Port) about the datagram being
   * delivered right now; for transports to call from their onPacket.
   */
  sendUnreachable(code: u32, now: i64): bool {
    return this.sendError(IcmpType.DestUnreachable, code, now);
  }

  /** An error about the datagram being delivered, under the RFC 1122 §3.2.2 rules. */
  sendError(type: u32, code: u32, now: i64): bool {
    const ip = this.ip;
    if (ip.rxIface === null) return false;
    // Never about broadcast/multicast datagrams, link broadcasts, non-initial fragments
    // (we see none), or ICMP errors; never to a source that is not a unicast host.
    if (ip.rxAddressing != RxAddressing.Unicast || ip.rxLinkBroadcast) return false;
    const orig = this.quoted.wrap(ip.rxHeader, ip.rxLen);
    const src = orig.src;
    if (src == 0 || src == IPV4_BROADCAST || isMulticast(src)) return false;
    if (orig.protocol == IpProtocol.Icmp && orig.payloadLen >= 1 && isIcmpError(load<u8>(orig.payload))) return false;
    if (!this.limiter.allow(now)) { count(Counter.IcmpErrorsRateLimited); return false; }
    let quotedLen = orig.headerLen + QUOTED_PAYLOAD;
    if (quotedLen > ip.rxLen) quotedLen = ip.rxLen;
    const p = ip.beginPacket(src, IpProtocol.Icmp);
    if (p == 0) return false;
    memory.copy(p + ICMP_HEADER_LEN, ip.rxHeader, <usize>quotedLen);
    const len = emitIcmpError(p, type, code, 0, quotedLen);
    count(Counter.IcmpTx);
    return ip.sendPacket(len, now);
  }

  /** Echo reply: the request's data copied, the checksum adjusted for the type change. */
  private reply(dst: u32, m: IcmpPacket, now: i64): void {
    const len = m.len; // fits: it arrived in one frame with at least a 20-byte IP header
    const p = this.ip.beginPacket(dst, IpProtocol.Icmp);
    if (p == 0) return;
    memory.copy(p, m.ptr, <usize>len);
    const oldWord = get16(p); // type << 8 | code
    store<u8>(p, <u8>IcmpType.EchoReply);
    put16(p + 2, checksumAdjust(get16(p + 2), oldWord, get16(p)));
    count(Counter.IcmpTx);
    count(Counter.IcmpEchoReplies);
    this.ip.sendPacket(len, now);
  }

  private deliverError(m: IcmpPacket, now: i64): void {
    // The quote must hold a plausible IPv4 header and the 8 bytes after it (ports).
    const q = this.quoted.wrap(m.body, m.bodyLen);
    if (m.bodyLen < 28 || (load<u8>(q.ptr) >>> 4) != 4) { count(Counter.IcmpDropMalformed); return; }
    const headerLen = q.headerLen;
    if (headerLen < 20 || headerLen + QUOTED_PAYLOAD > m.bodyLen) { count(Counter.IcmpDropMalformed); return; }
    count(Counter.IcmpUnreachRx);
    const protocol = q.protocol;
    for (let i = 0; i < this.errorListeners.length; i++) {
      const l = this.errorListeners[i];
      if (l && this.errorProtocols[i] == protocol) {
        l.onIcmpError(m.type, m.code, q.ptr, m.bodyLen, now);
        return;
      }
    }
  }

  private fillPattern(p: usize, len: i32): void {
    for (let i = 0; i < len; i++) store<u8>(p + <usize>i, <u8>i);
  }
}

class IcmpUnreachable extends UnreachableReporter {
  constructor(private icmp: Icmp) { super(); }
  protocolUnreachable(now: i64): void {
    this.icmp.sendUnreachable(UnreachCode.Protocol, now);
  }
}
