// DHCPv4 client (RFC 2131, options RFC 2132, client id RFC 4361), sans-IO, one instance per
// interface. It is fed datagrams (onDatagram), received ARP packets (onArp, for address
// conflict detection) and the time; it sends through a UdpEndpoint and an AcdArpPort and
// reports what the interface must do as events (takeEvents): it never touches the
// interface's address, routes or DNS servers itself (smoltcp's lesson).
//
// States: INIT, SELECTING, REQUESTING, (CHECKING: RFC 5227 probe of the offered address),
// BOUND, RENEWING (T1, unicast to the server), REBINDING (T2, broadcast), INIT-REBOOT /
// REBOOTING (a remembered lease verified in one round trip). Retransmission per RFC 2131
// 4.1: 4 s, 8 s, ... 64 s, each +-1 s. Optional RFC 3927 link-local fallback.
import { NO_DEADLINE, LogLevel } from "../../hal/generated/hal";
import { count, Counter } from "../runtime/counters";
import { logBegin, logStr, logIp, logEnd } from "../runtime/log";
import {
  DhcpView, DhcpOptions, DhcpHas, DhcpMessageType, DhcpClientParams, parseDhcpOptions, dhcpEmit, dhcpClientIdFromMac,
  dhcpClientIdRfc4361, dhcpDefaultParamList, DHCP_DEFAULT_PRL_LEN, DHCP_SERVER_PORT, DHCP_CLIENT_PORT, BOOTP_OP_REPLY,
} from "../wire/dhcp";
import { UdpEndpoint, randomU32, randomBelow } from "./udp";
import { Acd, AcdArpPort, AcdMode, AcdResult } from "./acd";
import { DhcpLease, DHCP_LEASE_MAX_DNS } from "./lease";

export namespace DhcpState {
  export const Stopped: i32 = 0;
  export const Init: i32 = 1;
  export const Selecting: i32 = 2;
  export const Requesting: i32 = 3;
  /** ACK received, the address is being probed (AcdMode.Probe) before use. */
  export const Checking: i32 = 4;
  export const Bound: i32 = 5;
  export const Renewing: i32 = 6;
  export const Rebinding: i32 = 7;
  /** INIT-REBOOT: REQUEST for a remembered address sent, waiting for ACK/NAK. */
  export const Rebooting: i32 = 8;
}

/** Bits returned by takeEvents(): what the interface has to apply. */
export namespace DhcpEvent {
  /** A (new) address is ours: configure lease.address/mask/router/dns on the interface. */
  export const Bound: u32 = 1;
  /** The lease was extended; address unchanged. */
  export const Renewed: u32 = 2;
  /** On a renewal the mask, router or DNS servers changed: re-apply them. */
  export const ServersChanged: u32 = 4;
  /** The address must be removed (expired, NAKed, conflict, released). */
  export const Lost: u32 = 8;
  /** An offered/acknowledged address was found in use and DECLINEd. */
  export const Conflict: u32 = 16;
  /** Link-local address (linkLocalAddress()) is ready: configure 169.254/16. */
  export const LinkLocalUp: u32 = 32;
  /** Remove the link-local address (a DHCP lease arrived, or it was lost). */
  export const LinkLocalDown: u32 = 64;
  export const Nak: u32 = 128;
}

export namespace DhcpClientIdMode {
  export const None: i32 = 0;
  /** RFC 2132 9.14: type 1 + MAC. */
  export const Mac: i32 = 1;
  /** RFC 4361: type 255, IAID, DUID-LL. */
  export const Rfc4361: i32 = 2;
}

export class DhcpConfig {
  /** Random delay before the first DISCOVER, uniform in [0, this] (RFC 2131 4.4.1 suggests 1-10 s; we default to 0-50 ms so a boot is fast while simultaneous power-ups still spread). */
  initialDelayMaxUs: i64 = 50_000;
  /** Also delay the INIT-REBOOT request (off: a reboot gets its address back in one round trip). */
  delayReboot: bool = false;
  /** After a first OFFER that is not ideal (no router/DNS, or not the address we held), wait this long for better ones. */
  offerWindowUs: i64 = 300_000;
  firstRetransmitUs: i64 = 4_000_000;
  maxRetransmitUs: i64 = 64_000_000;
  jitterUs: i64 = 1_000_000;
  /** REQUEST transmissions in REQUESTING before restarting with DISCOVER. */
  requestTries: i32 = 4;
  /** INIT-REBOOT transmissions before falling back to DISCOVER (first waits 2 s, then 4 s). */
  rebootTries: i32 = 2;
  rebootFirstRetransmitUs: i64 = 2_000_000;
  /** RFC 2131 3.1.5: wait at least 10 s after a DECLINE. */
  declineWaitUs: i64 = 10_000_000;
  acdMode: i32 = AcdMode.AnnounceDefend;
  clientIdMode: i32 = DhcpClientIdMode.Mac;
  iaid: u32 = 0;
  /** Ask servers to broadcast replies (only for IP layers that drop unicast before configuration). */
  broadcastFlag: bool = false;
  /** RFC 3927 fallback when no lease arrives within linkLocalAfterUs. */
  linkLocal: bool = false;
  linkLocalAfterUs: i64 = 10_000_000;
  /** Tag of the current network (set by the lead); a remembered lease is reused only when it matches. */
  networkTag: u32 = 0;
  /** Lease assumed when an ACK carries none (s). */
  defaultLeaseSecs: u32 = 3600;
  /** Message build buffer shared with other users of the same thread (e.g. the DNS
   *  resolver; a message is built and sent in one call); 0: the client reserves its own. */
  txBuffer: usize = 0;
  /** Its size: a message with every option we send fits in 400 bytes (the hostname is at most 63). */
  txBytes: i32 = 576;
}

const MAX_OFFERS: i32 = 4;
const INFINITE: u32 = 0xffffffff;
const LL_RATE_LIMIT_US: i64 = 60_000_000; // RFC 3927 RATE_LIMIT_INTERVAL
const LL_MAX_CONFLICTS: i32 = 10;

// One parse scratch per module: the clients run one at a time.
const view = new DhcpView();
const opts = new DhcpOptions(4, 4);

const NULL_ARP = new AcdArpPort();

export class DhcpClient {
  state: i32 = DhcpState.Stopped;
  /** The current lease (valid from Bound until Lost). */
  lease: DhcpLease = new DhcpLease();
  /** A lease to verify with INIT-REBOOT at start(): fill it from the config store. */
  remembered: DhcpLease = new DhcpLease();
  cfg: DhcpConfig;
  acd: Acd;
  /** Only with cfg.linkLocal (null otherwise: one Acd less to reserve). */
  private llAcd: Acd | null = null;

  // statistics (tests and the console)
  offersSeen: u32 = 0;
  acks: u32 = 0;
  naks: u32 = 0;
  declines: u32 = 0;
  transmissions: u32 = 0;
  /** Well-formed replies that were not for us (xid, chaddr, state). */
  ignored: u32 = 0;
  malformed: u32 = 0;

  private mac: usize;
  private tx: usize;
  private txCap: i32;
  private p: DhcpClientParams = new DhcpClientParams();
  private hostname: usize;
  private hostnameLen: i32 = 0;
  private clientId: usize;
  private clientIdLen: i32 = 0;
  private events: u32 = 0;

  private xid: u32 = 0;
  private startedAt: i64 = 0;
  private nextTx: i64 = NO_DEADLINE;
  private tries: i32 = 0;
  private requestFirstAt: i64 = 0;
  private rebootPending: bool = false;
  private nakCount: i32 = 0;
  /** Offer being requested / address being verified. */
  private candAddr: u32 = 0;
  private candServer: u32 = 0;
  private hintAddr: u32 = 0;
  private offerAddr: StaticArray<u32> = new StaticArray<u32>(MAX_OFFERS);
  private offerServer: StaticArray<u32> = new StaticArray<u32>(MAX_OFFERS);
  private offerScore: StaticArray<i32> = new StaticArray<i32>(MAX_OFFERS);
  private offerCount: i32 = 0;
  private offerDeadline: i64 = NO_DEADLINE;
  private t1At: i64 = NO_DEADLINE;
  private t2At: i64 = NO_DEADLINE;
  private expiresAt: i64 = NO_DEADLINE;
  private pending: DhcpLease = new DhcpLease();

  // link-local (RFC 3927)
  private llState: i32 = 0; // 0 off, 1 probing, 2 up, 3 waiting (rate limit)
  private llAddr: u32 = 0;
  private llConflicts: i32 = 0;
  private llWaitUntil: i64 = NO_DEADLINE;
  private arpPort: AcdArpPort;

  /** mac: 6 bytes (copied). arp may be null when the interface has no ARP (then ACD is off). */
  constructor(private udp: UdpEndpoint, arp: AcdArpPort | null, mac: usize, cfg: DhcpConfig | null = null) {
    const c = cfg ? cfg : new DhcpConfig();
    if (!arp) c.acdMode = AcdMode.Off;
    const m = changetype<usize>(new StaticArray<u8>(6));
    memory.copy(m, mac, 6);
    const port = arp ? arp : NULL_ARP;
    this.cfg = c;
    this.mac = m;
    this.arpPort = port;
    this.acd = new Acd(port, m);
    if (c.linkLocal) this.llAcd = new Acd(port, m);
    this.txCap = c.txBytes;
    this.tx = c.txBuffer != 0 ? c.txBuffer : changetype<usize>(new StaticArray<u8>(c.txBytes));
    this.hostname = changetype<usize>(new StaticArray<u8>(64));
    this.clientId = changetype<usize>(new StaticArray<u8>(16));
  }

  /** Hostname (option 12), up to 63 bytes of text. Call before start(). */
  setHostname(ptr: usize, len: i32): void {
    this.hostnameLen = len < 0 ? 0 : len > 63 ? 63 : len;
    memory.copy(this.hostname, ptr, <usize>this.hostnameLen);
  }

  /** Events since the last call (DhcpEvent bits); cleared by reading. */
  takeEvents(): u32 { const e = this.events; this.events = 0; return e; }
  /** The link-local address while LinkLocalUp holds, else 0. */
  linkLocalAddress(): u32 { return this.llState == 2 ? this.llAddr : 0; }
  /** Absolute µs times of the lease (NO_DEADLINE for infinite leases). */
  t1Time(): i64 { return this.t1At; }
  t2Time(): i64 { return this.t2At; }
  expiryTime(): i64 { return this.expiresAt; }
  currentXid(): u32 { return this.xid; }

  /**
   * Starts acquisition. With a valid `remembered` lease whose networkTag matches the
   * config, INIT-REBOOT is tried first (falls back to DISCOVER on NAK or silence).
   */
  start(now: i64): void {
    this.buildClientId();
    this.startedAt = now;
    this.nakCount = 0;
    this.lease.clear();
    this.rebootPending = this.remembered.valid() && this.remembered.networkTag == this.cfg.networkTag;
    this.hintAddr = this.remembered.valid() ? this.remembered.address : 0;
    this.enterInit(now, this.rebootPending && !this.cfg.delayReboot ? 0 : <i64>randomBelow(<u64>(this.cfg.initialDelayMaxUs + 1)));
  }

  /** Stops without sending anything; reports Lost when an address was in use. */
  stop(): void {
    if (this.hasAddress()) this.events |= DhcpEvent.Lost;
    this.dropLinkLocal();
    this.acd.stop();
    this.state = DhcpState.Stopped;
    this.nextTx = NO_DEADLINE;
    this.offerDeadline = NO_DEADLINE;
    this.t1At = this.t2At = this.expiresAt = NO_DEADLINE;
  }

  /** RELEASE (unicast to the server) and stop. */
  release(now: i64): void {
    if (this.hasAddress()) {
      this.prepare(now);
      this.p.ciaddr = this.lease.address;
      this.p.serverId = this.lease.serverId;
      this.send(DhcpMessageType.Release, this.lease.serverId, now);
    }
    this.stop();
    this.lease.clear();
  }

  /**
   * The link came back (or the device roamed): a held lease is verified with INIT-REBOOT
   * (RFC 2131 3.2) instead of being trusted.
   */
  onLinkUp(now: i64): void {
    if (this.state == DhcpState.Stopped) return;
    if (this.hasAddress()) {
      this.remembered.copyFrom(this.lease);
      this.remembered.networkTag = this.cfg.networkTag;
      this.rebootPending = true;
      this.hintAddr = this.lease.address;
      this.enterInit(now, 0);
    }
  }

  /** True while the interface may use lease.address. */
  hasAddress(): bool {
    return this.state == DhcpState.Bound || this.state == DhcpState.Renewing || this.state == DhcpState.Rebinding;
  }

  // ---------------------------------------------------------------- input

  /** A UDP datagram for port 68 (any destination address, broadcast included). */
  onDatagram(src: u32, srcPort: u16, dstPort: u16, payload: usize, len: i32, now: i64): void {
    count(Counter.DhcpRx);
    if (dstPort != DHCP_CLIENT_PORT || srcPort != DHCP_SERVER_PORT) { this.ignored++; return; }
    view.wrap(payload, len);
    if (!parseDhcpOptions(view, opts) || view.op() != BOOTP_OP_REPLY || !opts.has(DhcpHas.MessageType)) {
      this.malformed++;
      count(Counter.DhcpDropMalformed);
      return;
    }
    if (this.state == DhcpState.Stopped || view.xid() != this.xid || !view.chaddrIs(this.mac)) { this.ignored++; return; }
    const t = opts.messageType;
    if (t == DhcpMessageType.Offer) this.onOffer(now);
    else if (t == DhcpMessageType.Ack) this.onAck(now);
    else if (t == DhcpMessageType.Nak) this.onNak(now);
    else this.ignored++;
  }

  /** Every ARP packet received on the interface (op 1 request / 2 reply). */
  onArp(op: i32, senderIp: u32, senderMac: usize, targetIp: u32, now: i64): void {
    this.acd.onArp(op, senderIp, senderMac, targetIp, now);
    const ll = this.llAcd;
    if (ll) ll.onArp(op, senderIp, senderMac, targetIp, now);
    this.acdResults(now);
  }

  private usableAddr(a: u32): bool {
    const top = a >>> 24;
    return a != 0 && a != 0xffffffff && top != 0 && top != 127 && top < 224;
  }

  private onOffer(now: i64): void {
    if (this.state != DhcpState.Selecting) { this.ignored++; return; }
    const a = view.yiaddr();
    if (!this.usableAddr(a) || !opts.has(DhcpHas.ServerId) || opts.serverId == 0) { this.ignored++; return; }
    this.offersSeen++;
    // Prefer the address we held, then offers that give us a router and DNS, then the first.
    let score = 0;
    if (this.hintAddr != 0 && a == this.hintAddr) score += 4;
    if (opts.routerCount > 0) score += 2;
    if (opts.dnsCount > 0) score += 1;
    const ideal = score >= (this.hintAddr != 0 ? 7 : 3);
    for (let i = 0; i < this.offerCount; i++) if (unchecked(this.offerServer[i]) == opts.serverId) return; // duplicate
    if (this.offerCount < MAX_OFFERS) {
      const i = this.offerCount++;
      unchecked(this.offerAddr[i] = a);
      unchecked(this.offerServer[i] = opts.serverId);
      unchecked(this.offerScore[i] = score);
    }
    if (ideal) { this.select(now); return; }
    if (this.offerDeadline == NO_DEADLINE) this.offerDeadline = now + this.cfg.offerWindowUs;
  }

  private select(now: i64): void {
    if (this.offerCount == 0) return;
    let best = 0;
    for (let i = 1; i < this.offerCount; i++) if (unchecked(this.offerScore[i]) > unchecked(this.offerScore[best])) best = i;
    this.candAddr = unchecked(this.offerAddr[best]);
    this.candServer = unchecked(this.offerServer[best]);
    this.offerDeadline = NO_DEADLINE;
    this.state = DhcpState.Requesting;
    this.tries = 0;
    this.requestFirstAt = now;
    this.sendRequest(now);
  }

  private onAck(now: i64): void {
    const st = this.state;
    const a = view.yiaddr();
    if (st == DhcpState.Requesting || st == DhcpState.Rebooting) {
      if (st == DhcpState.Requesting && opts.has(DhcpHas.ServerId) && opts.serverId != this.candServer) { this.ignored++; return; }
      if (!this.usableAddr(a) || (st == DhcpState.Rebooting && a != this.candAddr)) { this.ignored++; return; }
      this.acks++;
      this.fillLease(this.pending, a, now);
      if (this.pending.serverId == 0) this.pending.serverId = this.candServer;
      if (this.cfg.acdMode == AcdMode.Probe) {
        this.state = DhcpState.Checking;
        this.nextTx = NO_DEADLINE;
        this.acd.start(a, AcdMode.Probe, now);
        return;
      }
      this.bind(now);
      return;
    }
    if (st == DhcpState.Renewing || st == DhcpState.Rebinding) {
      if (!this.usableAddr(a)) { this.ignored++; return; }
      this.acks++;
      this.fillLease(this.pending, a, now);
      if (this.pending.serverId == 0) this.pending.serverId = this.lease.serverId;
      if (a != this.lease.address) {
        // The server moved us: drop the old address, take the new one.
        this.events |= DhcpEvent.Lost;
        this.bind(now);
        return;
      }
      let changed = this.pending.mask != this.lease.mask || this.pending.router != this.lease.router ||
        this.pending.dnsCount != this.lease.dnsCount;
      for (let i = 0; i < this.pending.dnsCount && !changed; i++) changed = this.pending.dns[i] != this.lease.dns[i];
      this.lease.copyFrom(this.pending);
      this.state = DhcpState.Bound;
      this.nextTx = NO_DEADLINE;
      this.computeTimes();
      this.events |= DhcpEvent.Renewed | (changed ? DhcpEvent.ServersChanged : 0);
      return;
    }
    this.ignored++;
  }

  private onNak(now: i64): void {
    const st = this.state;
    if (st == DhcpState.Requesting && opts.has(DhcpHas.ServerId) && opts.serverId != this.candServer) { this.ignored++; return; }
    if (st == DhcpState.Renewing && opts.has(DhcpHas.ServerId) && opts.serverId != this.lease.serverId) { this.ignored++; return; }
    if (st != DhcpState.Requesting && st != DhcpState.Rebooting && st != DhcpState.Renewing && st != DhcpState.Rebinding) {
      this.ignored++;
      return;
    }
    this.naks++;
    this.nakCount++;
    this.events |= DhcpEvent.Nak;
    if (this.hasAddress()) this.events |= DhcpEvent.Lost;
    if (logBegin(LogLevel.Info)) { logStr("dhcp: NAK for "); logIp(st == DhcpState.Rebooting ? this.candAddr : this.lease.address); logEnd(); }
    this.lease.clear();
    this.remembered.clear();
    this.hintAddr = 0;
    this.rebootPending = false;
    this.acd.stop();
    // Immediately after the first NAK; back off if a server keeps NAKing (avoids a tight loop).
    let delay: i64 = 0;
    if (this.nakCount > 1) {
      delay = this.cfg.firstRetransmitUs << <i64>(this.nakCount - 2 < 4 ? this.nakCount - 2 : 4);
      if (delay > this.cfg.maxRetransmitUs) delay = this.cfg.maxRetransmitUs;
    }
    this.enterInit(now, delay);
  }

  private fillLease(l: DhcpLease, a: u32, now: i64): void {
    l.clear();
    l.address = a;
    l.networkTag = this.cfg.networkTag;
    l.serverId = opts.has(DhcpHas.ServerId) ? opts.serverId : 0;
    l.mask = opts.has(DhcpHas.SubnetMask) ? opts.subnetMask : classfulMask(a);
    l.router = opts.routerCount > 0 ? unchecked(opts.routers[0]) : 0;
    const n = opts.dnsCount < DHCP_LEASE_MAX_DNS ? opts.dnsCount : DHCP_LEASE_MAX_DNS;
    for (let i = 0; i < n; i++) unchecked(l.dns[i] = opts.dnsServers[i]);
    l.dnsCount = n;
    let lease = opts.has(DhcpHas.LeaseTime) ? opts.leaseTime : this.cfg.defaultLeaseSecs;
    if (lease == 0) lease = 1; // a zero lease would expire before use; treat as the shortest possible
    l.leaseSecs = lease;
    let t1: u32 = INFINITE, t2: u32 = INFINITE;
    if (lease != INFINITE) {
      // Server-given T1/T2 only when consistent (T1 <= T2 < lease), else RFC 2131 4.4.5
      // defaults 0.5 and 0.875, computed in µs so a 2 s lease still has T1 < T2.
      const leaseUs = <i64>lease * 1_000_000;
      l.t2Us = opts.has(DhcpHas.RebindingTime) && opts.rebindingTime < lease ? <i64>opts.rebindingTime * 1_000_000 : leaseUs / 8 * 7;
      l.t1Us = opts.has(DhcpHas.RenewalTime) && <i64>opts.renewalTime * 1_000_000 <= l.t2Us ? <i64>opts.renewalTime * 1_000_000 : leaseUs / 2;
      if (l.t1Us > l.t2Us) l.t1Us = l.t2Us;
      t1 = <u32>(l.t1Us / 1_000_000);
      t2 = <u32>(l.t2Us / 1_000_000);
    }
    l.t1Secs = t1;
    l.t2Secs = t2;
    // The lease runs from when the REQUEST went out (RFC 2131 4.4.1), the earliest we know.
    l.obtainedAt = this.requestFirstAt;
  }

  private computeTimes(): void {
    const l = this.lease;
    if (l.leaseSecs == INFINITE) { this.t1At = this.t2At = this.expiresAt = NO_DEADLINE; return; }
    this.t1At = l.obtainedAt + l.t1Us;
    this.t2At = l.obtainedAt + l.t2Us;
    this.expiresAt = l.obtainedAt + <i64>l.leaseSecs * 1_000_000;
  }

  private bind(now: i64): void {
    this.lease.copyFrom(this.pending);
    this.state = DhcpState.Bound;
    this.nextTx = NO_DEADLINE;
    this.nakCount = 0;
    this.rebootPending = false;
    this.remembered.copyFrom(this.lease);
    this.hintAddr = this.lease.address;
    this.computeTimes();
    this.events |= DhcpEvent.Bound;
    if (this.cfg.acdMode == AcdMode.AnnounceDefend) this.acd.start(this.lease.address, AcdMode.AnnounceDefend, now);
    else if (this.cfg.acdMode == AcdMode.Probe) {
      // Probing is done; announce and defend from here on.
      this.acd.start(this.lease.address, AcdMode.AnnounceDefend, now);
    }
    this.dropLinkLocal();
    if (logBegin(LogLevel.Info)) { logStr("dhcp: bound "); logIp(this.lease.address); logEnd(); }
  }

  private decline(now: i64): void {
    const a = this.state == DhcpState.Checking ? this.pending.address : this.lease.address;
    const server = this.state == DhcpState.Checking ? this.pending.serverId : this.lease.serverId;
    if (this.hasAddress()) this.events |= DhcpEvent.Lost;
    this.events |= DhcpEvent.Conflict;
    this.declines++;
    this.prepare(now);
    this.p.requestedIp = a;
    this.p.serverId = server;
    this.send(DhcpMessageType.Decline, 0xffffffff, now);
    this.lease.clear();
    this.remembered.clear();
    this.hintAddr = 0;
    this.rebootPending = false;
    this.enterInit(now, this.cfg.declineWaitUs);
  }

  private acdResults(now: i64): void {
    const r = this.acd.takeResult();
    if (r == AcdResult.Ready && this.state == DhcpState.Checking) this.bind(now);
    else if (r == AcdResult.Conflict || r == AcdResult.Lost) {
      if (this.state == DhcpState.Checking || this.hasAddress()) this.decline(now);
    }
    const lla = this.llAcd;
    const l = lla ? lla.takeResult() : AcdResult.None;
    if (l == AcdResult.Ready && this.llState == 1) {
      this.llState = 2;
      this.events |= DhcpEvent.LinkLocalUp;
    } else if (l == AcdResult.Conflict || l == AcdResult.Lost) {
      if (this.llState == 2) this.events |= DhcpEvent.LinkLocalDown;
      this.llConflicts++;
      this.llState = 3;
      this.llWaitUntil = this.llConflicts >= LL_MAX_CONFLICTS ? now + LL_RATE_LIMIT_US : now;
    }
  }

  // ---------------------------------------------------------------- timers

  nextDeadline(): i64 {
    let d = this.nextTx;
    if (this.offerDeadline < d) d = this.offerDeadline;
    if (this.state == DhcpState.Bound && this.t1At < d) d = this.t1At;
    if (this.state == DhcpState.Renewing && this.t2At < d) d = this.t2At;
    if (this.state == DhcpState.Rebinding && this.expiresAt < d) d = this.expiresAt;
    const a = this.acd.nextDeadline();
    if (a < d) d = a;
    const lla = this.llAcd;
    const b = lla ? lla.nextDeadline() : NO_DEADLINE;
    if (b < d) d = b;
    if (this.llState == 3 && this.llWaitUntil < d) d = this.llWaitUntil;
    if (this.cfg.linkLocal && this.llState == 0 && !this.hasAddress() && this.state != DhcpState.Stopped &&
        this.state != DhcpState.Checking) {
      const t = this.startedAt + this.cfg.linkLocalAfterUs;
      if (t < d) d = t;
    }
    return d;
  }

  poll(now: i64): void {
    this.acd.poll(now);
    const lla = this.llAcd;
    if (lla) lla.poll(now);
    this.acdResults(now);
    const st = this.state;
    if (st == DhcpState.Stopped) return;
    if (st == DhcpState.Init) {
      if (now >= this.nextTx) {
        if (this.rebootPending) this.beginReboot(now);
        else this.beginDiscover(now);
      }
    } else if (st == DhcpState.Selecting) {
      if (now >= this.offerDeadline) this.select(now);
      else if (now >= this.nextTx) { this.tries++; this.sendDiscover(now); }
    } else if (st == DhcpState.Requesting) {
      if (now >= this.nextTx) {
        if (this.tries >= this.cfg.requestTries) this.enterInit(now, 0);
        else this.sendRequest(now);
      }
    } else if (st == DhcpState.Rebooting) {
      if (now >= this.nextTx) {
        if (this.tries >= this.cfg.rebootTries) { this.rebootPending = false; this.beginDiscover(now); }
        else this.sendReboot(now);
      }
    } else if (st == DhcpState.Bound) {
      if (now >= this.t1At) { this.state = DhcpState.Renewing; this.tries = 0; this.requestFirstAt = now; this.sendRenew(now); }
    } else if (st == DhcpState.Renewing) {
      if (now >= this.t2At) { this.state = DhcpState.Rebinding; this.tries = 0; this.requestFirstAt = now; this.sendRenew(now); }
      else if (now >= this.nextTx) this.sendRenew(now);
    } else if (st == DhcpState.Rebinding) {
      if (now >= this.expiresAt) {
        if (logBegin(LogLevel.Warn)) { logStr("dhcp: lease expired "); logIp(this.lease.address); logEnd(); }
        this.events |= DhcpEvent.Lost;
        this.acd.stop();
        this.hintAddr = this.lease.address;
        this.lease.clear();
        this.startedAt = now;
        this.enterInit(now, 0);
      } else if (now >= this.nextTx) this.sendRenew(now);
    }
    this.linkLocalPoll(now);
  }

  private linkLocalPoll(now: i64): void {
    if (!this.cfg.linkLocal || this.hasAddress() || this.state == DhcpState.Checking || this.state == DhcpState.Stopped) return;
    if (this.llState == 0 && now >= this.startedAt + this.cfg.linkLocalAfterUs) this.llStart(now);
    else if (this.llState == 3 && now >= this.llWaitUntil) this.llStart(now);
  }

  private llStart(now: i64): void {
    // RFC 3927 2.1: 169.254.1.0 - 169.254.254.255; the first pick derives from the MAC so a
    // device tends to get the same address back, later picks are random.
    let r: u32;
    if (this.llConflicts == 0) {
      r = 2166136261;
      for (let i = 0; i < 6; i++) r = (r ^ <u32>load<u8>(this.mac + i)) * 16777619;
    } else r = randomU32();
    this.llAddr = 0xa9fe0000 | (0x100 + r % (0xfeff - 0x100 + 1));
    this.llState = 1;
    const lla = this.llAcd;
    if (lla) lla.start(this.llAddr, AcdMode.Probe, now);
  }

  private dropLinkLocal(): void {
    if (this.llState == 2) this.events |= DhcpEvent.LinkLocalDown;
    this.llState = 0;
    const lla = this.llAcd;
    if (lla) lla.stop();
  }

  // ---------------------------------------------------------------- output

  private enterInit(now: i64, delay: i64): void {
    this.state = DhcpState.Init;
    this.nextTx = now + delay;
    this.offerDeadline = NO_DEADLINE;
    this.t1At = this.t2At = this.expiresAt = NO_DEADLINE;
  }

  private newXid(now: i64): void {
    this.xid = randomU32();
    this.tries = 0;
    this.startedAt = this.startedAt == 0 ? now : this.startedAt;
  }

  private beginDiscover(now: i64): void {
    this.newXid(now);
    this.state = DhcpState.Selecting;
    this.offerCount = 0;
    this.offerDeadline = NO_DEADLINE;
    this.sendDiscover(now);
  }

  private beginReboot(now: i64): void {
    this.newXid(now);
    this.state = DhcpState.Rebooting;
    this.candAddr = this.remembered.address;
    this.candServer = this.remembered.serverId;
    this.requestFirstAt = now;
    this.sendReboot(now);
  }

  /** RFC 2131 4.1: 4 s, 8 s, 16 s ... up to 64 s, randomised by +-1 s. */
  private backoff(first: i64): i64 {
    const shift = this.tries < 5 ? this.tries : 5;
    let d = first << <i64>shift;
    if (d > this.cfg.maxRetransmitUs) d = this.cfg.maxRetransmitUs;
    const j = this.cfg.jitterUs;
    if (j > 0) d += <i64>randomBelow(<u64>(2 * j + 1)) - j;
    return d < 1000 ? 1000 : d;
  }

  private prepare(now: i64): void {
    const p = this.p;
    p.mac = this.mac;
    p.xid = this.xid;
    const secs = (now - this.startedAt) / 1_000_000;
    p.secs = secs < 0 ? 0 : <u32>secs;
    p.broadcast = this.cfg.broadcastFlag;
    p.ciaddr = 0;
    p.requestedIp = 0;
    p.serverId = 0;
    p.leaseTime = 0;
    p.maxMessageSize = 0;
    p.clientIdPtr = this.clientId;
    p.clientIdLen = this.clientIdLen;
    p.hostnamePtr = this.hostname;
    p.hostnameLen = this.hostnameLen;
    p.paramListPtr = dhcpDefaultParamList();
    p.paramListLen = DHCP_DEFAULT_PRL_LEN;
    p.messagePtr = 0;
    p.messageLen = 0;
  }

  private send(type: u8, dst: u32, now: i64): void {
    const n = dhcpEmit(this.tx, this.txCap, type, this.p);
    if (n <= 0) return;
    this.transmissions++;
    count(Counter.DhcpTx);
    this.udp.send(dst, DHCP_SERVER_PORT, DHCP_CLIENT_PORT, this.tx, n, now);
  }

  private sendDiscover(now: i64): void {
    this.prepare(now);
    this.p.requestedIp = this.hintAddr;
    this.send(DhcpMessageType.Discover, 0xffffffff, now);
    this.nextTx = now + this.backoff(this.cfg.firstRetransmitUs);
  }

  private sendRequest(now: i64): void {
    this.prepare(now);
    this.p.requestedIp = this.candAddr;
    this.p.serverId = this.candServer;
    this.send(DhcpMessageType.Request, 0xffffffff, now);
    this.nextTx = now + this.backoff(this.cfg.firstRetransmitUs);
    this.tries++;
  }

  private sendReboot(now: i64): void {
    this.prepare(now);
    this.p.requestedIp = this.candAddr;
    this.send(DhcpMessageType.Request, 0xffffffff, now);
    this.nextTx = now + this.backoff(this.cfg.rebootFirstRetransmitUs);
    this.tries++;
  }

  /** RENEWING: unicast to the server; REBINDING: broadcast. Retransmit at half the remaining time (RFC 2131 4.4.5). */
  private sendRenew(now: i64): void {
    this.prepare(now);
    this.p.ciaddr = this.lease.address;
    const renewing = this.state == DhcpState.Renewing;
    this.send(DhcpMessageType.Request, renewing ? this.lease.serverId : 0xffffffff, now);
    const end = renewing ? this.t2At : this.expiresAt;
    let wait = (end - now) / 2;
    // RFC 2131 suggests at least 60 s; with short leases that would skip the stage, so the
    // floor is 60 s only when the stage is long, never below 1 s.
    if (wait < 60_000_000) wait = end - now > 120_000_000 ? 60_000_000 : wait;
    if (wait < 1_000_000) wait = end - now < 1_000_000 ? end - now : 1_000_000;
    if (wait < 1) wait = 1;
    this.nextTx = now + wait;
    this.tries++;
  }

  private buildClientId(): void {
    const m = this.cfg.clientIdMode;
    if (m == DhcpClientIdMode.Mac) this.clientIdLen = dhcpClientIdFromMac(this.clientId, this.mac);
    else if (m == DhcpClientIdMode.Rfc4361) this.clientIdLen = dhcpClientIdRfc4361(this.clientId, this.cfg.iaid, this.mac);
    else this.clientIdLen = 0;
  }
}

function classfulMask(a: u32): u32 {
  const top = a >>> 24;
  if (top < 128) return 0xff000000;
  if (top < 192) return 0xffff0000;
  return 0xffffff00;
}
