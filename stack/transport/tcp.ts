// TCP (RFC 9293) for a device with one 64 KiB page: a fixed pool of sockets, each with a
// receive and a transmit ring reserved at init, a bounded TIME_WAIT table, and nothing
// allocated per segment. Sans-IO: fed segments with `now` (µs), emits through IpOutput,
// reports `poll(now)` deadlines.
//
// Implemented: active/passive/simultaneous open and close, bounded listen backlog (oldest
// half-open connection evicted under a SYN flood), RST generation and RFC 5961 checks
// (challenge ACK for in-window RST and SYN, ACK range check), RFC 6298 RTO (SRTT/RTTVAR,
// Karn, backoff, bounds), persist timer with zero-window probes (RFC 9293 §3.8.6.1),
// delayed ACK (every second segment, 200 ms) and Nagle, both switchable per socket,
// sender and receiver silly-window avoidance, slow start / congestion avoidance / fast
// retransmit / NewReno (RFC 5681, RFC 6582), MSS option (RFC 6691), out-of-order data
// kept in the receive ring (up to OOO_RANGES holes), RFC 6528 ISNs (SipHash), RFC 6056
// ephemeral ports, keep-alive (RFC 1122 §4.2.3.6), FIN_WAIT_2 timeout (after unanswered probes), ICMP soft/hard
// errors (RFC 1122 §4.2.3.9, RFC 5927 sequence check).
//
// Not implemented, on purpose:
// - Window scaling (RFC 7323 §2): a socket's receive ring is at most a few KiB on a 64 KiB
//   device, far below the 65535-byte unscaled window; the option would only cost bytes.
// - SACK (RFC 2018): windows are a few segments at most (the device's bulk socket takes
//   five), so a loss rarely leaves more than one hole to describe; NewReno recovers it.
// - Timestamps (RFC 7323 §3): RTT is sampled once per window (Karn), which suffices at
//   these window sizes; PAWS matters only for windows that wrap the sequence space.
// - Urgent data: the URG flag is ignored (RFC 6093 deprecates its use).
import { random_fill } from "../../hal/generated/hal";
import { IpOutput, NetError, SockErr } from "./ip-output";
import { EphemeralPorts, PortUser } from "./ports";
import { siphash2 } from "./siphash";
import {
  TcpView, emitTcpHeader, emitMssOption, setTcpChecksum, TCP_HEADER_LEN,
  TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK,
} from "../wire/tcp";
import { inetSum, pseudoHeaderSum } from "../wire/checksum";
import { get16, get32 } from "../wire/bytes";
import { count, Counter } from "../runtime/counters";
import { reserve } from "../runtime/memory";
import { Work, giveWork } from "../runtime/work";

export const IPPROTO_TCP: u32 = 6;
export const NEVER: i64 = 0x7fffffffffffffff;
const OOO_RANGES: i32 = 4;

export enum TcpState {
  Closed = 0, Listen = 1, SynSent = 2, SynReceived = 3, Established = 4,
  FinWait1 = 5, FinWait2 = 6, CloseWait = 7, Closing = 8, LastAck = 9, TimeWait = 10,
}

/** How soon output is retried after the link refused a segment (one frame time at 10 Mbit/s). */
const TX_RETRY_US: i64 = 1_500;

export class TcpConfig {
  sockets: i32 = 4;
  rxBytes: i32 = 2048;
  txBytes: i32 = 2048;
  /**
   * The first `largeSockets` sockets get rings of `largeRxBytes`/`largeTxBytes` instead (0:
   * all sockets equal). A bulk connection needs a window of several segments to keep the
   * link busy while the device works; a DNS-over-TCP query or a heartbeat line does not.
   * socket() and accepted connections take the largest free socket, socket(true) the smallest.
   */
  largeSockets: i32 = 0;
  largeRxBytes: i32 = 0;
  largeTxBytes: i32 = 0;
  /** TIME_WAIT entries (4-tuple + sequence numbers, 32 bytes each). */
  timeWaitSlots: i32 = 8;
  /** Maximum segment lifetime; TIME_WAIT lasts 2 MSL (RFC 9293 §3.4.2). */
  mslUs: i64 = 30_000_000;
  initialRtoUs: i64 = 1_000_000;
  /** RFC 6298 (2.4) asks for 1 s; like Linux and lwIP we use less on LANs (configurable). */
  minRtoUs: i64 = 200_000;
  maxRtoUs: i64 = 60_000_000;
  /** Retransmissions of one segment before giving up (R2, RFC 1122 §4.2.3.5: >= 100 s with backoff). */
  maxRetries: i32 = 12;
  synRetries: i32 = 6;
  delayedAckUs: i64 = 200_000;
  /**
   * FIN_WAIT_2: after this long without a segment from the peer we probe it every
   * `keepIntervalUs`. A live peer answers a probe, but it may be silent a long time while
   * it still sends us data: its RTO backs off to 60 s or more (RFC 6298 (2.5); Linux: 120
   * s), and on a lossy link probes and answers get lost too. A socket the application
   * released is given up after `keepCount` unanswered probes, and at the latest this long
   * after the release even if the peer answers (nobody reads what it sends; Linux's
   * tcp_fin_timeout for orphans). One the application still reads is
   * given up only after `fin2HeldTimeoutUs` of silence as well: long enough for a peer at
   * the largest RTO to get a retransmission through.
   */
  fin2TimeoutUs: i64 = 60_000_000;
  fin2HeldTimeoutUs: i64 = 240_000_000;
  /** Keep-alive is off unless enabled per socket (RFC 1122 §4.2.3.6 MUST default off). */
  keepAlive: bool = false;
  keepIdleUs: i64 = 60_000_000;
  keepIntervalUs: i64 = 10_000_000;
  keepCount: i32 = 3;
  /** RFC 5961 §7: challenge ACKs per second, at most. */
  challengeAcksPerSecond: i32 = 10;
}

/** Optional callbacks (override what you need); sockets work by polling too. */
export abstract class TcpHandler {
  /** Our active open completed. */
  onConnected(s: TcpSocket, now: i64): void {}
  /** A listener has a connection ready for accept(). */
  onAcceptable(listener: TcpSocket, now: i64): void {}
  onReadable(s: TcpSocket, now: i64): void {}
  /** Transmit space was freed. */
  onWritable(s: TcpSocket, now: i64): void {}
  /** The peer sent FIN: no more data will arrive. */
  onPeerClosed(s: TcpSocket, now: i64): void {}
  /** The connection is gone; error is NetError.None for an orderly close. */
  onClosed(s: TcpSocket, error: NetError, now: i64): void {}
}

/** Statistics beyond the ABI counters (exposed for tests, console, bench). */
export class TcpStats {
  badChecksum: u32 = 0;
  challengeAcks: u32 = 0;
  keepAliveProbes: u32 = 0;
  timeWaitReclaims: u32 = 0;
  oooDrops: u32 = 0;
  fastRetransmits: u32 = 0;
  timeouts: u32 = 0;
  zeroWindowProbes: u32 = 0;
  rstAccepted: u32 = 0;
}

// Sequence-number comparisons modulo 2^32 (RFC 9293 §3.4).
// @ts-ignore: decorator
@inline function sLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
// @ts-ignore: decorator
@inline function sLe(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
// @ts-ignore: decorator
@inline function sGt(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
// @ts-ignore: decorator
@inline function sGe(a: u32, b: u32): bool { return <i32>(a - b) >= 0; }

export class TcpSocket {
  handler: TcpHandler | null = null;

  // --- identity and ownership ---
  state: TcpState = TcpState.Closed;
  error: NetError = NetError.None;
  allocated: bool = false;
  /** The application holds this socket (from socket() or accept()). */
  owned: bool = false;
  /** When the application let go of it (release()); bounds an orphan's FIN_WAIT_2. */
  releasedAt: i64 = 0;
  /** Passive child not yet accepted: its listener. */
  parent: TcpSocket | null = null;
  backlog: i32 = 0;
  created: u32 = 0;
  localAddr: u32 = 0;
  localPort: u32 = 0;
  remoteAddr: u32 = 0;
  remotePort: u32 = 0;

  // --- options ---
  noDelay: bool = false;
  quickAck: bool = false;
  keepAlive: bool = false;
  keepIdleUs: i64 = 0;
  keepIntervalUs: i64 = 0;
  keepCount: i32 = 0;

  // --- send sequence space (RFC 9293 §3.3.1) ---
  iss: u32 = 0;
  sndUna: u32 = 0;
  sndNxt: u32 = 0;
  /** Highest sequence number sent (sndNxt goes back to sndUna on timeout). */
  sndMax: u32 = 0;
  sndWnd: u32 = 0;
  maxSndWnd: u32 = 0;
  sndWl1: u32 = 0;
  sndWl2: u32 = 0;
  sndMss: u32 = 536;
  /** Sequence number of the first byte in the transmit ring. */
  txSeq: u32 = 0;
  finQueued: bool = false;
  finSent: bool = false;
  finSeq: u32 = 0;

  // --- receive sequence space ---
  irs: u32 = 0;
  rcvNxt: u32 = 0;
  /** Right edge of the window we advertised; it never moves left (RFC 9293 §3.8.6.2.2). */
  rcvAdv: u32 = 0;
  rcvMss: u32 = 536;
  peerFin: bool = false;
  finPending: bool = false;
  rxFinSeq: u32 = 0;
  oooCount: i32 = 0;

  // --- congestion control (RFC 5681, RFC 6582) ---
  cwnd: u32 = 0;
  ssthresh: u32 = 0;
  dupAcks: i32 = 0;
  inRecovery: bool = false;
  recover: u32 = 0;

  // --- RTT and timers (RFC 6298), µs ---
  srtt: i64 = 0;
  rttvar: i64 = 0;
  rto: i64 = 0;
  rttActive: bool = false;
  rttSeq: u32 = 0;
  rttTime: i64 = 0;
  retries: i32 = 0;
  synRetransmitted: bool = false;
  persist: bool = false;
  persistBackoff: i64 = 0;
  rtoAt: i64 = NEVER;
  ackAt: i64 = NEVER;
  /** The link refused a segment (NIC busy): output is tried again then, without counting a timeout. */
  txRetryAt: i64 = NEVER;
  ackPending: i32 = 0;
  ackNow: bool = false;
  lastRx: i64 = 0;
  keepProbes: i32 = 0;
  softError: NetError = NetError.None;

  // --- buffers ---
  txBuf: usize = 0;
  txCap: i32 = 0;
  txHead: i32 = 0;
  txLen: i32 = 0;
  rxBuf: usize = 0;
  rxCap: i32 = 0;
  rxHead: i32 = 0;
  rxLen: i32 = 0;
  /** Out-of-order ranges [start, end) as sequence numbers, OOO_RANGES pairs. */
  ooo: usize = 0;

  constructor(readonly tcp: Tcp, readonly id: i32, rxBytes: i32, txBytes: i32) {
    this.rxBuf = reserve(rxBytes);
    this.rxCap = rxBytes;
    this.txBuf = reserve(txBytes);
    this.txCap = txBytes;
    this.ooo = reserve(OOO_RANGES * 8);
  }

  // ---------------- application API ----------------

  /** Active open; 0 or a negative SockErr. The outcome arrives as onConnected/onClosed. */
  connect(addr: u32, port: u32, now: i64): i32 { return this.tcp.connect(this, addr, port, 0, now); }
  /** Active open from a chosen local port. */
  connectFrom(localPort: u32, addr: u32, port: u32, now: i64): i32 { return this.tcp.connect(this, addr, port, localPort, now); }
  /** Passive open on a port (any local address) with at most `backlog` pending connections. */
  listen(port: u32, backlog: i32): i32 { return this.tcp.listen(this, port, backlog); }
  /** A connection that completed its handshake, or null. */
  accept(): TcpSocket | null { return this.tcp.accept(this); }

  /** Queues up to len bytes; returns how many were taken (0 when full) or a negative SockErr. */
  send(buf: usize, len: i32, now: i64): i32 { return this.tcp.send(this, buf, len, now); }
  /** Reads up to cap bytes; returns the count, 0 when nothing is waiting, -1 at end of stream. */
  recv(buf: usize, cap: i32, now: i64): i32 { return this.tcp.recv(this, buf, cap, now); }
  /** Bytes ready to read. */
  available(): i32 { return this.rxLen; }
  /** Free transmit space. */
  sendSpace(): i32 { return this.finQueued ? 0 : this.txCap - this.txLen; }
  /** Bytes queued and not yet acknowledged. */
  unacked(): i32 { return this.txLen; }
  /** The peer closed its side (FIN received). */
  peerClosed(): bool { return this.peerFin; }

  /** Orderly close of our direction (FIN after queued data); reading continues. */
  close(now: i64): void { this.tcp.close(this, now); }
  /** Sends RST and drops the connection; error() becomes Aborted. */
  abort(now: i64): void { this.tcp.abort(this, now); }
  /**
   * Hands the socket back to the pool. An open connection finishes its orderly close on
   * its own (or is reset if unread data would be lost, RFC 9293 §3.10.4).
   */
  release(now: i64): void { this.tcp.release(this, now); }

  setNoDelay(on: bool): void { this.noDelay = on; }
  setQuickAck(on: bool): void { this.quickAck = on; }
  /** Keep-alive (RFC 1122 §4.2.3.6): probes after idle, every interval, fail after count. */
  setKeepAlive(on: bool, idleUs: i64, intervalUs: i64, probes: i32): void {
    this.keepAlive = on;
    if (idleUs > 0) this.keepIdleUs = idleUs;
    if (intervalUs > 0) this.keepIntervalUs = intervalUs;
    if (probes > 0) this.keepCount = probes;
    this.keepProbes = 0;
    this.tcp.pollDirty = true;
  }
}

export class Tcp extends PortUser {
  readonly sockets: StaticArray<TcpSocket>;
  readonly stats: TcpStats = new TcpStats();
  readonly config: TcpConfig;
  private ports: EphemeralPorts = new EphemeralPorts();
  private view: TcpView = new TcpView();
  private isnK0: u64 = 0;
  private isnK1: u64 = 0;
  private createdCounter: u32 = 0;
  private challengeWindow: i64 = 0;
  private challengeCount: i32 = 0;
  // TIME_WAIT table: 4-tuple, our next sequence number, theirs, expiry (0 = free).
  private twLocal: StaticArray<u32>;
  private twRemote: StaticArray<u32>;
  private twPorts: StaticArray<u32>;
  private twSnd: StaticArray<u32>;
  private twRcv: StaticArray<u32>;
  private twExpiry: StaticArray<i64>;
  /** poll() has nothing to do before pollDue unless pollDirty: every entry that can move a
   *  timer (segments, ICMP errors, application calls that change state or send) sets it. */
  pollDirty: bool = true;
  private pollDue: i64 = 0;

  constructor(private ip: IpOutput, config: TcpConfig = new TcpConfig()) {
    super();
    this.config = config;
    const n = config.timeWaitSlots;
    this.twLocal = new StaticArray<u32>(n);
    this.twRemote = new StaticArray<u32>(n);
    this.twPorts = new StaticArray<u32>(n);
    this.twSnd = new StaticArray<u32>(n);
    this.twRcv = new StaticArray<u32>(n);
    this.twExpiry = new StaticArray<i64>(n);
    this.sockets = new StaticArray<TcpSocket>(config.sockets);
    for (let i = 0; i < config.sockets; i++) {
      const large = i < config.largeSockets;
      this.sockets[i] = new TcpSocket(this, i, large ? config.largeRxBytes : config.rxBytes, large ? config.largeTxBytes : config.txBytes);
    }
    const key = reserve(16);
    random_fill(key, 16);
    this.isnK0 = load<u64>(key);
    this.isnK1 = load<u64>(key, 8);
  }

  /**
   * A free socket (state Closed), or null when the pool is exhausted: the one with the
   * largest receive ring, or with `small` the smallest (for listeners, which need no
   * rings, and for short exchanges such as DNS over TCP).
   */
  socket(small: bool = false): TcpSocket | null {
    const s = this.allocSlot(small);
    if (s) s.owned = true;
    return s;
  }

  // ---------------- ports and identity ----------------

  portInUse(port: u32, remoteAddr: u32, remotePort: u32): bool {
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.allocated || s.localPort != port || s.state == TcpState.Closed) continue;
      if (s.state == TcpState.Listen || remotePort == 0) return true;
      if (s.remoteAddr == remoteAddr && s.remotePort == remotePort) return true;
    }
    for (let i = 0; i < this.twExpiry.length; i++) {
      if (unchecked(this.twExpiry[i]) != 0 && (unchecked(this.twPorts[i]) >>> 16) == port
        && unchecked(this.twRemote[i]) == remoteAddr && (unchecked(this.twPorts[i]) & 0xffff) == remotePort) return true;
    }
    return false;
  }

  /** RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4 µs clock. */
  private isn(s: TcpSocket, now: i64): u32 {
    const f = <u32>siphash2(this.isnK0, this.isnK1,
      (<u64>s.localAddr << 32) | <u64>s.remoteAddr, (<u64>s.localPort << 16) | <u64>s.remotePort);
    return <u32>(now >> 2) + f;
  }

  /** The free socket with the largest receive ring (or the smallest); the lowest id among equals. */
  private allocSlot(small: bool = false): TcpSocket | null {
    let best: TcpSocket | null = null;
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (s.allocated) continue;
      if (!best || (small ? s.rxCap < best.rxCap : s.rxCap > best.rxCap)) best = s;
    }
    if (best) {
      const s = changetype<TcpSocket>(best);
      this.reset(s);
      s.allocated = true;
    }
    return best;
  }

  private reset(s: TcpSocket): void {
    const c = this.config;
    s.handler = null;
    s.state = TcpState.Closed;
    s.error = NetError.None;
    s.owned = false;
    s.parent = null;
    s.backlog = 0;
    s.localAddr = s.localPort = s.remoteAddr = s.remotePort = 0;
    s.noDelay = false; s.quickAck = false;
    s.keepAlive = c.keepAlive;
    s.keepIdleUs = c.keepIdleUs; s.keepIntervalUs = c.keepIntervalUs; s.keepCount = c.keepCount;
    this.resetConnection(s);
  }

  private resetConnection(s: TcpSocket): void {
    s.finQueued = s.finSent = false;
    s.peerFin = s.finPending = false;
    s.oooCount = 0;
    s.dupAcks = 0; s.inRecovery = false;
    s.srtt = 0; s.rttvar = 0; s.rto = this.config.initialRtoUs;
    s.rttActive = false; s.retries = 0; s.synRetransmitted = false;
    s.persist = false; s.persistBackoff = 0;
    s.rtoAt = NEVER; s.ackAt = NEVER; s.ackPending = 0; s.ackNow = false;
    s.keepProbes = 0; s.softError = NetError.None;
    s.txHead = s.txLen = 0;
    s.rxHead = s.rxLen = 0;
    s.sndWnd = s.maxSndWnd = 0;
  }

  /** Sequence state for a new connection once the 4-tuple is known. */
  private initSequence(s: TcpSocket, now: i64): void {
    s.iss = this.isn(s, now);
    s.sndUna = s.sndNxt = s.sndMax = s.iss;
    s.txSeq = s.iss + 1;
    s.recover = s.iss;
    s.created = ++this.createdCounter;
    s.lastRx = now;
    // MSS we advertise: what one IP packet carries and never more than our receive ring
    // (RFC 9293 §3.7.1, RFC 6691: the value excludes TCP and IP headers).
    let mss = this.ip.maxPayloadFor(s.remoteAddr) - TCP_HEADER_LEN;
    if (mss <= 0) mss = 536;
    if (mss > s.rxCap) mss = s.rxCap;
    s.rcvMss = <u32>mss;
    s.sndMss = 536;
  }

  /** The peer's MSS option: our segments fit it, our path and our transmit ring. */
  private setSendMss(s: TcpSocket, peerMss: u32): void {
    let m = peerMss != 0 ? peerMss : 536; // RFC 9293 §3.7.1: 536 without the option
    let path = this.ip.maxPayloadFor(s.remoteAddr) - TCP_HEADER_LEN;
    if (path > 0 && <u32>path < m) m = <u32>path;
    if (m > <u32>s.txCap) m = <u32>s.txCap;
    if (m < 64) m = 64; // a bogus tiny MSS must not turn every byte into a segment
    s.sndMss = m;
    // RFC 5681 §3.1 initial window.
    const iw = min(4 * m, max(2 * m, 4380));
    s.cwnd = iw;
    s.ssthresh = 0x7fffffff;
  }

  // ---------------- application calls ----------------

  connect(s: TcpSocket, addr: u32, port: u32, localPort: u32, now: i64): i32 {
    this.pollDirty = true;
    if (!s.allocated || s.state != TcpState.Closed) return SockErr.InvalidState;
    if (port == 0 || port > 65535 || addr == 0 || localPort > 65535) return SockErr.InvalidArgument;
    const src = this.ip.sourceAddressFor(addr);
    if (src == 0) return SockErr.NoRoute;
    if (localPort == 0) {
      localPort = this.ports.pick(src, addr, port, this);
      if (localPort == 0) return SockErr.NoBuffers;
    } else if (this.portInUse(localPort, addr, port)) {
      return SockErr.AddressInUse;
    }
    this.resetConnection(s);
    s.error = NetError.None;
    s.localAddr = src; s.localPort = localPort;
    s.remoteAddr = addr; s.remotePort = port;
    this.initSequence(s, now);
    s.rcvAdv = 0;
    s.state = TcpState.SynSent;
    this.sendSyn(s, now);
    return SockErr.Ok;
  }

  listen(s: TcpSocket, port: u32, backlog: i32): i32 {
    this.pollDirty = true;
    if (!s.allocated || s.state != TcpState.Closed) return SockErr.InvalidState;
    if (port == 0 || port > 65535 || backlog < 1) return SockErr.InvalidArgument;
    if (this.portInUse(port, 0, 0)) return SockErr.AddressInUse;
    s.localPort = port;
    s.backlog = backlog;
    s.state = TcpState.Listen;
    return SockErr.Ok;
  }

  accept(l: TcpSocket): TcpSocket | null {
    if (l.state != TcpState.Listen) return null;
    let best: TcpSocket | null = null;
    for (let i = 0; i < this.sockets.length; i++) {
      const c = unchecked(this.sockets[i]);
      if (!c.allocated || c.parent !== l || c.state == TcpState.SynReceived || c.state == TcpState.Closed) continue;
      if (!best || sLt(c.created, best.created)) best = c;
    }
    if (best) { best.parent = null; best.owned = true; this.pollDirty = true; }
    return best;
  }

  send(s: TcpSocket, buf: usize, len: i32, now: i64): i32 {
    const st = s.state;
    if (st != TcpState.Established && st != TcpState.CloseWait && st != TcpState.SynSent && st != TcpState.SynReceived) {
      return s.error != NetError.None ? SockErr.Failed : SockErr.InvalidState;
    }
    if (s.finQueued || len < 0) return SockErr.InvalidState;
    const room = s.txCap - s.txLen;
    const n = len < room ? len : room;
    if (n == 0) return 0;
    const at = (s.txHead + s.txLen) % s.txCap;
    const first = min(n, s.txCap - at);
    memory.copy(s.txBuf + <usize>at, buf, <usize>first);
    if (n > first) memory.copy(s.txBuf, buf + <usize>first, <usize>(n - first));
    s.txLen += n;
    this.output(s, now);
    return n;
  }

  recv(s: TcpSocket, buf: usize, cap: i32, now: i64): i32 {
    const n = cap < s.rxLen ? cap : s.rxLen;
    if (n <= 0) return s.peerFin && s.rxLen == 0 ? -1 : 0;
    this.pollDirty = true;
    const first = min(n, s.rxCap - s.rxHead);
    memory.copy(buf, s.rxBuf + <usize>s.rxHead, <usize>first);
    if (n > first) memory.copy(buf + <usize>first, s.rxBuf, <usize>(n - first));
    s.rxHead = (s.rxHead + n) % s.rxCap;
    s.rxLen -= n;
    // Window update once the window opened by enough to matter (receiver SWS avoidance,
    // RFC 9293 §3.8.6.2.2: min(half the buffer, one MSS)) and the peer has at most half the
    // ring left to send into: otherwise it is not held up and the next ACK carries the new
    // edge anyway. A closed window is reopened at once; otherwise the update waits for
    // poll(), after the application has read what it wants, so one segment carries the
    // whole reopened window rather than one per read.
    if (!s.peerFin && this.synchronized(s)) {
      const edge = s.rcvNxt + <u32>(s.rxCap - s.rxLen);
      const grow = <i32>(edge - s.rcvAdv);
      const offered = <i32>(s.rcvAdv - s.rcvNxt);
      if (grow >= min(s.rxCap >> 1, <i32>s.rcvMss) && 2 * offered <= s.rxCap) {
        if (offered <= 0) this.sendAck(s, now);
        else s.ackAt = now;
      }
    }
    return n;
  }

  close(s: TcpSocket, now: i64): void {
    this.pollDirty = true;
    const st = s.state;
    if (st == TcpState.Listen) { this.closeListener(s, now); return; }
    if (st == TcpState.SynSent) { this.terminate(s, NetError.None, now); return; }
    if (s.finQueued) return;
    if (st == TcpState.Established || st == TcpState.SynReceived) s.state = TcpState.FinWait1;
    else if (st == TcpState.CloseWait) s.state = TcpState.LastAck;
    else return;
    s.finQueued = true;
    this.output(s, now);
  }

  abort(s: TcpSocket, now: i64): void {
    this.pollDirty = true;
    const st = s.state;
    if (st == TcpState.Listen) { this.closeListener(s, now); return; }
    if (st == TcpState.Closed) return;
    if (st != TcpState.SynSent) this.sendRstFor(s, now);
    this.terminate(s, NetError.Aborted, now);
  }

  release(s: TcpSocket, now: i64): void {
    this.pollDirty = true;
    if (!s.allocated) return;
    s.owned = false;
    s.releasedAt = now;
    s.handler = null;
    const st = s.state;
    if (st == TcpState.Closed) { s.allocated = false; return; }
    if (st == TcpState.Listen) { this.closeListener(s, now); s.allocated = false; return; }
    if (st == TcpState.SynSent || s.rxLen > 0) { this.abort(s, now); return; }
    this.close(s, now); // orphaned: finishes on its own, then the slot is freed
  }

  private closeListener(l: TcpSocket, now: i64): void {
    for (let i = 0; i < this.sockets.length; i++) {
      const c = unchecked(this.sockets[i]);
      if (c.allocated && c.parent === l) { this.sendRstFor(c, now); c.parent = null; this.terminate(c, NetError.Aborted, now); }
    }
    l.state = TcpState.Closed;
    l.localPort = 0;
  }

  private synchronized(s: TcpSocket): bool {
    return s.state >= TcpState.Established && s.state <= TcpState.TimeWait;
  }

  // ---------------- output ----------------

  /** Window to advertise: never shrinks the right edge, opens in useful steps. */
  private advertise(s: TcpSocket): u32 {
    const free = <u32>(s.rxCap - s.rxLen);
    const edge = s.rcvNxt + free;
    if (sLt(s.rcvAdv, s.rcvNxt)) s.rcvAdv = s.rcvNxt;
    let grow = <i32>(edge - s.rcvAdv);
    const mss = <i32>s.rcvMss;
    // A ring of two segments or more opens in whole segments: a peer that fills every
    // window it gets (no sender SWS avoidance) would otherwise keep sending a full segment
    // and a runt for every ACK, forever, as the odd edges repeat.
    if (grow >= mss && s.rxCap >= 2 * mss) grow -= grow % mss;
    if (grow > 0 && (grow >= min(s.rxCap >> 1, mss) || s.rcvAdv == s.rcvNxt)) s.rcvAdv += <u32>grow;
    let w = s.rcvAdv - s.rcvNxt;
    if (w > 65535) w = 65535;
    return w;
  }

  /**
   * Builds and sends one segment of this connection: `len` bytes of the transmit ring from
   * sequence number `seq`. Returns false when the IP layer had no buffer or route.
   */
  private segment(s: TcpSocket, seq: u32, flags: u32, len: i32, now: i64): bool {
    const p = this.ip.beginPacket(s.remoteAddr, IPPROTO_TCP);
    if (p == 0) return false;
    const optLen = (flags & TCP_SYN) != 0 ? 4 : 0;
    const ack = (flags & TCP_ACK) != 0 ? s.rcvNxt : 0;
    const wnd = (flags & TCP_RST) != 0 ? 0 : this.advertise(s);
    const hlen = emitTcpHeader(p, s.localPort, s.remotePort, seq, ack, flags, wnd, optLen);
    if (optLen) emitMssOption(p + TCP_HEADER_LEN, s.rcvMss);
    if (len > 0) {
      const at = (s.txHead + <i32>(seq - s.txSeq)) % s.txCap;
      const first = min(len, s.txCap - at);
      const d = p + <usize>hlen;
      memory.copy(d, s.txBuf + <usize>at, <usize>first);
      if (len > first) memory.copy(d + <usize>first, s.txBuf, <usize>(len - first));
    }
    const total = hlen + len;
    setTcpChecksum(p, ~inetSum(p, total, pseudoHeaderSum(s.localAddr, s.remoteAddr, IPPROTO_TCP, <u32>total)) & 0xffff);
    count(Counter.TcpTx);
    if ((flags & TCP_RST) != 0) count(Counter.TcpResetsTx);
    if (!this.ip.sendPacket(total, now)) {
      // The link refused it (driver busy). Data is retried by output (txRetryAt) and carries
      // the ACK; a refused pure ACK goes out again shortly on its own.
      if (len == 0 && (flags & TCP_ACK) != 0 && s.ackAt > now + TX_RETRY_US) s.ackAt = now + TX_RETRY_US;
      return false;
    }
    if ((flags & TCP_ACK) != 0) { s.ackPending = 0; s.ackAt = NEVER; s.ackNow = false; }
    return true;
  }

  /**
   * Pure ACKs carry the highest sequence number sent, not SND.NXT rewound by a timeout:
   * the peer may already hold everything up to SND.MAX, and a sequence number left of its
   * window would make it drop our ACK unread (RFC 9293 §3.10.7.4).
   */
  private ackSeq(s: TcpSocket): u32 { return s.persist ? s.sndNxt : s.sndMax; }

  private sendAck(s: TcpSocket, now: i64): void {
    this.pollDirty = true;
    this.segment(s, this.ackSeq(s), TCP_ACK, 0, now);
  }

  private sendRstFor(s: TcpSocket, now: i64): void {
    this.segment(s, this.ackSeq(s), TCP_RST | TCP_ACK, 0, now);
  }

  private sendSyn(s: TcpSocket, now: i64): void {
    const flags = s.state == TcpState.SynReceived ? TCP_SYN | TCP_ACK : TCP_SYN;
    this.segment(s, s.iss, flags, 0, now);
    if (!s.synRetransmitted && !s.rttActive) { s.rttActive = true; s.rttSeq = s.iss + 1; s.rttTime = now; }
    s.sndNxt = s.iss + 1;
    if (sLt(s.sndMax, s.sndNxt)) s.sndMax = s.sndNxt;
    if (s.rtoAt == NEVER) s.rtoAt = now + s.rto;
  }

  /** A segment for no connection (RST replies): addresses from the received segment. */
  private sendBare(localAddr: u32, remoteAddr: u32, lport: u32, rport: u32, seq: u32, ack: u32, flags: u32, now: i64): void {
    const p = this.ip.beginPacket(remoteAddr, IPPROTO_TCP);
    if (p == 0) return;
    emitTcpHeader(p, lport, rport, seq, ack, flags, 0, 0);
    setTcpChecksum(p, ~inetSum(p, TCP_HEADER_LEN, pseudoHeaderSum(localAddr, remoteAddr, IPPROTO_TCP, TCP_HEADER_LEN)) & 0xffff);
    count(Counter.TcpTx);
    if ((flags & TCP_RST) != 0) count(Counter.TcpResetsTx);
    this.ip.sendPacket(TCP_HEADER_LEN, now);
  }

  /** Sends what window, congestion window, Nagle and SWS avoidance allow. */
  output(s: TcpSocket, now: i64): void {
    this.pollDirty = true;
    const st = s.state;
    if (st != TcpState.Established && st != TcpState.CloseWait && st != TcpState.FinWait1
      && st != TcpState.Closing && st != TcpState.LastAck) return;
    for (let guard = 0; guard < 64; guard++) {
      const off = <i32>(s.sndNxt - s.txSeq);
      let unsent = s.txLen - off;
      if (unsent < 0) unsent = 0;
      const finToSend = s.finQueued && off <= s.txLen && !(s.finSent && sGe(s.sndNxt, s.finSeq + 1));
      let wnd = s.sndWnd < s.cwnd ? s.sndWnd : s.cwnd;
      let usable = <i32>(s.sndUna + wnd - s.sndNxt);
      if (usable < 0) usable = 0;
      let len = unsent;
      if (len > usable) len = usable;
      if (len > <i32>s.sndMss) len = <i32>s.sndMss;
      const inFlight = s.sndMax != s.sndUna;
      if (len > 0 && len < <i32>s.sndMss && len < unsent) {
        // Sender SWS avoidance (RFC 9293 §3.8.6.2.1): a partial segment that is not the
        // end of our data waits for a bigger window, unless nothing is in flight and the
        // window is at least half the largest one offered.
        if (inFlight || len < <i32>(s.maxSndWnd >> 1)) len = 0;
      }
      if (len > 0 && len < <i32>s.sndMss && len == unsent && inFlight && !s.noDelay && !s.finQueued && s.txLen < s.txCap) {
        // Nagle (RFC 1122 §4.2.3.4): one small segment in flight at a time, while the
        // application can still add to it. A full send buffer cannot grow the segment, so it
        // goes (as in lwIP); otherwise a buffer below two segments would stop and wait.
        len = 0;
      }
      const fin = finToSend && len == unsent;
      if (len == 0 && !fin) break;
      if (len == 0 && fin && unsent > 0) break;
      let flags = TCP_ACK;
      if (len > 0 && off + len == s.txLen) flags |= TCP_PSH;
      if (fin) flags |= TCP_FIN;
      const start = s.sndNxt;
      if (!this.segment(s, start, flags, len, now)) {
        // Transient (the driver's transmit slots are full): retry soon, not at the RTO.
        s.txRetryAt = now + TX_RETRY_US;
        break;
      }
      s.sndNxt = start + <u32>len + (fin ? 1 : 0);
      if (fin) { s.finSent = true; s.finSeq = start + <u32>len; }
      if (sGt(s.sndNxt, s.sndMax)) {
        // Karn: time only segments carrying new data (RFC 6298 §3).
        if (!s.rttActive && sGe(start, s.sndMax)) { s.rttActive = true; s.rttSeq = s.sndNxt; s.rttTime = now; }
        s.sndMax = s.sndNxt;
      } else {
        count(Counter.TcpRetransmits);
      }
      if (s.rtoAt == NEVER || s.persist) { s.persist = false; s.rtoAt = now + s.rto; }
      if (fin) break;
    }
    // Zero window with data waiting and nothing in flight: persist timer (RFC 9293 §3.8.6.1).
    if (s.sndWnd == 0 && s.txLen - <i32>(s.sndNxt - s.txSeq) > 0 && s.sndMax == s.sndUna && !s.persist) {
      s.persist = true;
      s.persistBackoff = s.rto;
      s.rtoAt = now + s.persistBackoff;
    }
  }

  // ---------------- input ----------------

  /** A segment from the IP layer (register under protocol 6). */
  onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void {
    this.pollDirty = true;
    count(Counter.TcpRx);
    const v = this.view.wrap(payload, len);
    if (!v.check()) { count(Counter.TcpDropMalformed); return; }
    if (inetSum(payload, len, pseudoHeaderSum(src, dst, IPPROTO_TCP, <u32>len)) != 0xffff) {
      this.stats.badChecksum++;
      count(Counter.TcpDropMalformed);
      return;
    }
    const sport = v.srcPort, dport = v.dstPort;
    if (sport == 0 || dport == 0) { count(Counter.TcpDropMalformed); return; }
    // Connection lookup: exact 4-tuple first.
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (s.remotePort == sport && s.localPort == dport && s.remoteAddr == src && s.localAddr == dst
        && s.state > TcpState.Listen) {
        this.segmentArrives(s, v, now);
        return;
      }
    }
    if (this.timeWaitInput(src, dst, v, now)) return;
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (s.state == TcpState.Listen && s.localPort == dport && (s.localAddr == 0 || s.localAddr == dst)) {
        this.listenInput(s, src, dst, v, now);
        return;
      }
    }
    count(Counter.TcpDropNoSocket);
    this.replyReset(src, dst, v, now);
  }

  /** RFC 9293 §3.10.7.1: a segment for no connection is answered with RST (never a RST). */
  private replyReset(src: u32, dst: u32, v: TcpView, now: i64): void {
    const flags = v.flags;
    if ((flags & TCP_RST) != 0) return;
    if ((flags & TCP_ACK) != 0) {
      this.sendBare(dst, src, v.dstPort, v.srcPort, v.ack, 0, TCP_RST, now);
    } else {
      let segLen = <u32>v.payloadLen;
      if ((flags & TCP_SYN) != 0) segLen++;
      if ((flags & TCP_FIN) != 0) segLen++;
      this.sendBare(dst, src, v.dstPort, v.srcPort, 0, v.seq + segLen, TCP_RST | TCP_ACK, now);
    }
  }

  private listenInput(l: TcpSocket, src: u32, dst: u32, v: TcpView, now: i64): void {
    const flags = v.flags;
    if ((flags & TCP_RST) != 0) return;
    if ((flags & TCP_ACK) != 0) { this.sendBare(dst, src, v.dstPort, v.srcPort, v.ack, 0, TCP_RST, now); return; }
    if ((flags & TCP_SYN) == 0) return;
    // Bounded backlog: half-open and unaccepted children count against it. When full, the
    // oldest half-open child is dropped (a SYN flood recycles the same slots and cannot
    // starve established connections, which never count against it).
    let pending = 0;
    let oldest: TcpSocket | null = null;
    for (let i = 0; i < this.sockets.length; i++) {
      const c = unchecked(this.sockets[i]);
      if (!c.allocated || c.parent !== l) continue;
      pending++;
      if (c.state == TcpState.SynReceived && (!oldest || sLt(c.created, oldest.created))) oldest = c;
    }
    let child: TcpSocket | null = null;
    if (pending < l.backlog) {
      child = this.allocSlot();
      // Pool exhausted (half-open children of any listener hold it): recycle the oldest
      // half-open connection anywhere, so one port's flood cannot lock out another.
      if (!child) oldest = this.oldestHalfOpen();
    }
    if (!child) {
      count(Counter.TcpBacklogDrops);
      if (!oldest) return;
      const o = changetype<TcpSocket>(oldest);
      o.allocated = false;
      o.parent = null;
      o.state = TcpState.Closed;
      child = this.allocSlot();
      if (!child) return;
    }
    const c = changetype<TcpSocket>(child);
    c.parent = l;
    c.handler = l.handler;
    c.keepAlive = l.keepAlive;
    c.keepIdleUs = l.keepIdleUs; c.keepIntervalUs = l.keepIntervalUs; c.keepCount = l.keepCount;
    c.noDelay = l.noDelay; c.quickAck = l.quickAck;
    c.localAddr = dst; c.localPort = v.dstPort;
    c.remoteAddr = src; c.remotePort = v.srcPort;
    this.initSequence(c, now);
    c.irs = v.seq;
    c.rcvNxt = v.seq + 1;
    c.rcvAdv = c.rcvNxt;
    this.setSendMss(c, v.mss);
    c.sndWnd = v.window;
    c.maxSndWnd = c.sndWnd;
    c.sndWl1 = v.seq;
    c.sndWl2 = c.iss;
    c.state = TcpState.SynReceived;
    // Data on the SYN is not kept (it is not acknowledged, so the peer sends it again).
    this.sendSyn(c, now);
  }

  private oldestHalfOpen(): TcpSocket | null {
    let oldest: TcpSocket | null = null;
    for (let i = 0; i < this.sockets.length; i++) {
      const c = unchecked(this.sockets[i]);
      if (c.allocated && c.parent !== null && c.state == TcpState.SynReceived && (!oldest || sLt(c.created, oldest.created))) oldest = c;
    }
    return oldest;
  }

  private challengeAck(s: TcpSocket, now: i64): void {
    // RFC 5961 §7: limit challenge ACKs so they cannot be used to amplify.
    if (now - this.challengeWindow >= 1_000_000) { this.challengeWindow = now; this.challengeCount = 0; }
    if (this.challengeCount >= this.config.challengeAcksPerSecond) return;
    this.challengeCount++;
    this.stats.challengeAcks++;
    count(Counter.TcpChallengeAcks);
    this.sendAck(s, now);
  }

  private synSentInput(s: TcpSocket, v: TcpView, now: i64): void {
    const flags = v.flags;
    const ack = v.ack;
    const hasAck = (flags & TCP_ACK) != 0;
    // RFC 9293 §3.10.7.3: an ACK must cover our SYN and nothing more.
    const ackOk = hasAck && sGt(ack, s.iss) && sLe(ack, s.sndMax);
    if (hasAck && !ackOk) {
      if ((flags & TCP_RST) == 0) this.sendBare(s.localAddr, s.remoteAddr, s.localPort, s.remotePort, ack, 0, TCP_RST, now);
      return;
    }
    if ((flags & TCP_RST) != 0) {
      if (ackOk) { this.stats.rstAccepted++; this.terminate(s, NetError.Refused, now); }
      return;
    }
    if ((flags & TCP_SYN) == 0) return;
    s.irs = v.seq;
    s.rcvNxt = v.seq + 1;
    s.rcvAdv = s.rcvNxt;
    s.lastRx = now;
    this.setSendMss(s, v.mss);
    s.sndWnd = v.window;
    s.maxSndWnd = s.sndWnd;
    s.sndWl1 = v.seq;
    s.sndWl2 = ack;
    if (ackOk) {
      s.sndUna = ack;
      if (sLt(s.sndNxt, ack)) s.sndNxt = ack;
      this.ackedSyn(s, now);
      s.state = TcpState.Established;
      this.sendAck(s, now);
      const h = s.handler;
      if (h) h.onConnected(s, now);
      if (s.state == TcpState.Established) this.output(s, now);
    } else {
      // Simultaneous open (RFC 9293 §3.5, figure 8): SYN,ACK from the same ISS.
      s.state = TcpState.SynReceived;
      s.sndNxt = s.iss;
      this.segment(s, s.iss, TCP_SYN | TCP_ACK, 0, now);
      s.sndNxt = s.iss + 1;
    }
  }

  /** Our SYN was acknowledged: RTT sample (Karn: only if never retransmitted), timers. */
  private ackedSyn(s: TcpSocket, now: i64): void {
    if (s.rttActive && !s.synRetransmitted) this.updateRtt(s, now - s.rttTime);
    s.retries = 0;
    s.rtoAt = s.sndMax == s.sndUna ? NEVER : now + s.rto;
    // RFC 6298 (5.7): after a retransmitted SYN, start data with an RTO of at least 3 s.
    if (s.synRetransmitted && s.rto < 3_000_000) s.rto = 3_000_000;
    s.rttActive = false;
  }

  private segmentArrives(s: TcpSocket, v: TcpView, now: i64): void {
    if (s.state == TcpState.SynSent) { this.synSentInput(s, v, now); return; }
    const flags = v.flags;
    let seq = v.seq;
    let data = v.payload;
    let dlen = v.payloadLen;
    let fin = (flags & TCP_FIN) != 0;
    let segLen = <u32>dlen + (fin ? 1 : 0) + ((flags & TCP_SYN) != 0 ? 1 : 0);

    // 1. Acceptability (RFC 9293 §3.10.7.4, the four cases).
    const wnd = <u32>(s.rxCap - s.rxLen);
    let ok: bool;
    if (segLen == 0) {
      ok = wnd == 0 ? seq == s.rcvNxt : sLe(s.rcvNxt, seq) && sLt(seq, s.rcvNxt + wnd);
    } else if (wnd == 0) {
      ok = false;
    } else {
      ok = (sLe(s.rcvNxt, seq) && sLt(seq, s.rcvNxt + wnd))
        || (sLe(s.rcvNxt, seq + segLen - 1) && sLt(seq + segLen - 1, s.rcvNxt + wnd));
    }
    if (!ok) {
      // Zero window: still take the ACK and window of a segment at the edge (§3.10.7.4).
      if (wnd == 0 && seq == s.rcvNxt && (flags & (TCP_RST | TCP_SYN)) == 0) {
        dlen = 0; fin = false; segLen = 0;
        s.ackNow = true;
      } else {
        if ((flags & TCP_RST) == 0) {
          // An old duplicate (entirely left of RCV.NXT) may still carry a new cumulative
          // ACK: peers that rewind SND.NXT after a timeout (lwIP does) send pure ACKs with
          // old sequence numbers. Taking an ACK that passes the RFC 5961 range check is
          // safe and avoids a retransmission deadlock; the segment is otherwise dropped.
          if ((flags & (TCP_ACK | TCP_SYN)) == TCP_ACK && this.synchronized(s) && sLe(seq + segLen, s.rcvNxt)
            && sGt(v.ack, s.sndUna) && sLe(v.ack, s.sndMax)) {
            s.lastRx = now;
            s.keepProbes = 0;
            this.newAck(s, v.ack, now);
            if (!this.finAcked(s, now)) return;
            this.output(s, now);
          }
          this.sendAck(s, now);
        }
        return;
      }
    }
    s.lastRx = now;
    s.keepProbes = 0;

    // 2. RST (RFC 5961 §3.2: only an exact match resets; in-window gets a challenge ACK).
    if ((flags & TCP_RST) != 0) {
      if (seq != s.rcvNxt) { this.challengeAck(s, now); return; }
      this.stats.rstAccepted++;
      if (s.state == TcpState.SynReceived && s.parent !== null) { this.freeChild(s); return; }
      this.terminate(s, s.state == TcpState.SynReceived ? NetError.Refused : NetError.Reset, now);
      return;
    }
    // 4. SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, drop.
    if ((flags & TCP_SYN) != 0) {
      if (s.state == TcpState.SynReceived && seq == s.irs) { this.sendSyn(s, now); return; } // retransmitted SYN
      this.challengeAck(s, now);
      return;
    }
    // 5. ACK.
    if ((flags & TCP_ACK) == 0) return;
    const ack = v.ack;
    if (s.state == TcpState.SynReceived) {
      if (!(sGt(ack, s.sndUna) && sLe(ack, s.sndMax))) {
        this.sendBare(s.localAddr, s.remoteAddr, s.localPort, s.remotePort, ack, 0, TCP_RST, now);
        return;
      }
      s.sndUna = ack;
      if (sLt(s.sndNxt, ack)) s.sndNxt = ack;
      this.ackedSyn(s, now);
      s.sndWnd = v.window;
      if (s.sndWnd > s.maxSndWnd) s.maxSndWnd = s.sndWnd;
      s.sndWl1 = seq; s.sndWl2 = ack;
      s.state = s.finQueued ? TcpState.FinWait1 : TcpState.Established;
      const l = s.parent;
      if (l) {
        const h = l.handler;
        if (h) h.onAcceptable(l, now);
      } else {
        const h = s.handler;
        if (h) h.onConnected(s, now);
      }
      if (s.state == TcpState.Closed) return;
    }
    // RFC 5961 §5.2: acceptable ACKs lie in [SND.UNA - MAX.SND.WND, SND.MAX].
    if (sGt(ack, s.sndMax)) { this.sendAck(s, now); return; }
    if (sLt(ack, s.sndUna - s.maxSndWnd)) { this.challengeAck(s, now); return; }
    if (sGt(ack, s.sndUna)) {
      this.newAck(s, ack, now);
    } else if (ack == s.sndUna && dlen == 0 && !fin && v.window == s.sndWnd && s.sndMax != s.sndUna && !s.persist) {
      this.duplicateAck(s, now);
    }
    // Window update (RFC 9293 §3.10.7.4, SND.WL1/WL2 rule).
    if (sLt(s.sndWl1, seq) || (s.sndWl1 == seq && sLe(s.sndWl2, ack))) {
      const opened = s.sndWnd == 0 && v.window > 0;
      s.sndWnd = v.window;
      if (s.sndWnd > s.maxSndWnd) s.maxSndWnd = s.sndWnd;
      s.sndWl1 = seq; s.sndWl2 = ack;
      if (opened && s.persist) {
        s.persist = false;
        s.rtoAt = s.sndMax == s.sndUna ? NEVER : now + s.rto;
      }
    }
    if (!this.finAcked(s, now)) return;

    // 7. Text (only while we can still receive).
    const st = s.state;
    const receiving = st == TcpState.Established || st == TcpState.FinWait1 || st == TcpState.FinWait2;
    if (receiving && (dlen > 0 || fin)) {
      // Trim what we already have (front) and what does not fit (back).
      const front = <i32>(s.rcvNxt - seq);
      if (front > 0) {
        if (front >= dlen) { data += <usize>dlen; dlen = 0; } else { data += <usize>front; dlen -= front; }
        seq = s.rcvNxt;
      }
      const room = <i32>wnd - <i32>(seq - s.rcvNxt);
      if (dlen > room) { dlen = room < 0 ? 0 : room; fin = false; }
      this.receiveText(s, seq, data, dlen, fin, now);
      if (s.state == TcpState.Closed) return;
    } else if (fin && !receiving) {
      s.ackNow = true; // a retransmitted FIN: ACK it again
    }
    // Something to send (data, FIN, window) goes out with the ACK piggybacked.
    this.output(s, now);
    if (s.ackNow) this.sendAck(s, now);
    else if (s.ackPending > 0 && s.ackAt == NEVER) s.ackAt = now + this.config.delayedAckUs;
  }

  /** State changes once our FIN is acknowledged; false when the connection is gone. */
  private finAcked(s: TcpSocket, now: i64): bool {
    if (s.finSent && sGt(s.sndUna, s.finSeq)) {
      const st = s.state;
      if (st == TcpState.FinWait1) s.state = TcpState.FinWait2;
      else if (st == TcpState.Closing) { this.enterTimeWait(s, now); return false; }
      else if (st == TcpState.LastAck) { this.terminate(s, NetError.None, now); return false; }
    }
    return true;
  }

  private freeChild(s: TcpSocket): void {
    s.state = TcpState.Closed;
    s.parent = null;
    s.allocated = false;
  }

  private newAck(s: TcpSocket, ack: u32, now: i64): void {
    const acked = ack - s.sndUna;
    let dataAcked = <i32>(ack - s.txSeq);
    if (dataAcked > s.txLen) dataAcked = s.txLen;
    if (dataAcked > 0) {
      s.txHead = (s.txHead + dataAcked) % s.txCap;
      s.txLen -= dataAcked;
      s.txSeq += <u32>dataAcked;
    }
    s.sndUna = ack;
    if (sLt(s.sndNxt, ack)) s.sndNxt = ack;
    s.retries = 0;
    s.softError = NetError.None;
    if (s.rttActive && sGe(ack, s.rttSeq)) {
      s.rttActive = false;
      this.updateRtt(s, now - s.rttTime);
    }
    const mss = s.sndMss;
    if (s.inRecovery) {
      if (sGe(ack, s.recover)) {
        // Full acknowledgement: leave recovery (RFC 6582 §3.2 step 3, option 1).
        const flight = s.sndMax - s.sndUna;
        s.cwnd = min(s.ssthresh, max(flight, mss) + mss);
        s.inRecovery = false;
      } else {
        // Partial acknowledgement: retransmit the next hole, deflate (step 5).
        this.retransmitFirst(s, now);
        s.cwnd = s.cwnd > acked ? s.cwnd - acked : 0;
        if (acked >= mss) s.cwnd += mss;
        if (s.cwnd < mss) s.cwnd = mss;
      }
    } else if (s.cwnd < s.ssthresh) {
      s.cwnd += acked < mss ? acked : mss; // slow start (RFC 5681 eq. 2)
    } else {
      let inc = mss * mss / s.cwnd; // congestion avoidance (eq. 3)
      s.cwnd += inc > 0 ? inc : 1;
    }
    if (s.cwnd > 0x40000000) s.cwnd = 0x40000000;
    s.dupAcks = 0;
    // RFC 6298 (5.3): restart the timer when new data is acknowledged.
    s.rtoAt = s.sndMax == s.sndUna ? NEVER : now + s.rto;
    if (s.persist && s.sndMax == s.sndUna) s.persist = false;
    if (dataAcked > 0) {
      const h = s.handler;
      if (h && s.owned) h.onWritable(s, now);
    }
  }

  private duplicateAck(s: TcpSocket, now: i64): void {
    s.dupAcks++;
    const mss = s.sndMss;
    if (s.inRecovery) { s.cwnd += mss; return; } // inflation (RFC 5681 §3.2 step 4)
    if (s.dupAcks != 3) return;
    // RFC 6582 §3.2 step 1: only when the ACK covers more than the previous recovery point.
    if (!sGt(s.sndUna - 1, s.recover) && s.recover != s.iss) return;
    const flight = s.sndMax - s.sndUna;
    s.ssthresh = max(flight >> 1, 2 * mss);
    s.recover = s.sndMax;
    s.inRecovery = true;
    s.rttActive = false;
    this.stats.fastRetransmits++;
    this.retransmitFirst(s, now);
    s.cwnd = s.ssthresh + 3 * mss;
  }

  /** Resends one segment from SND.UNA without moving SND.NXT. */
  private retransmitFirst(s: TcpSocket, now: i64): void {
    let len = s.txLen;
    if (len > <i32>s.sndMss) len = <i32>s.sndMss;
    const fin = s.finSent && len == s.txLen;
    this.segment(s, s.sndUna, TCP_ACK | (fin ? TCP_FIN : 0), len, now);
    count(Counter.TcpRetransmits);
  }

  private updateRtt(s: TcpSocket, r: i64): void {
    if (r < 0) return;
    // RFC 6298 §2: SRTT, RTTVAR with alpha 1/8, beta 1/4; RTO = SRTT + max(G, 4 RTTVAR).
    if (s.srtt == 0) {
      s.srtt = r;
      s.rttvar = r >> 1;
    } else {
      const d = s.srtt > r ? s.srtt - r : r - s.srtt;
      s.rttvar = (3 * s.rttvar + d) >> 2;
      s.srtt = (7 * s.srtt + r) >> 3;
    }
    let k = 4 * s.rttvar;
    if (k < 1000) k = 1000; // G: a 1 ms clock granularity
    let rto = s.srtt + k;
    const c = this.config;
    if (rto < c.minRtoUs) rto = c.minRtoUs;
    if (rto > c.maxRtoUs) rto = c.maxRtoUs;
    s.rto = rto;
  }

  private receiveText(s: TcpSocket, seq: u32, data: usize, dlen: i32, fin: bool, now: i64): void {
    const off = <i32>(seq - s.rcvNxt);
    if (dlen > 0) {
      // The byte with sequence number x lives at ring index rxHead + rxLen + (x - rcvNxt):
      // constant while data arrives and is read, so out-of-order bytes are stored in place.
      const at = (s.rxHead + s.rxLen + off) % s.rxCap;
      const first = min(dlen, s.rxCap - at);
      memory.copy(s.rxBuf + <usize>at, data, <usize>first);
      if (dlen > first) memory.copy(s.rxBuf, data + <usize>first, <usize>(dlen - first));
    }
    if (off == 0) {
      const hadHoles = s.oooCount > 0;
      s.rcvNxt += <u32>dlen;
      s.rxLen += dlen;
      if (hadHoles) {
        this.mergeOoo(s);
        s.ackNow = true; // a segment that fills a hole is ACKed at once (RFC 5681 §4.2)
      }
      if (fin) { s.finPending = true; s.rxFinSeq = seq + <u32>dlen; }
      if (s.finPending && s.rxFinSeq == s.rcvNxt) {
        this.receiveFin(s, now);
        if (s.state == TcpState.Closed) return;
      } else if (dlen > 0) {
        s.ackPending++;
        // Every second segment is acknowledged (RFC 5681 §4.2), but from poll(): by then the
        // application has usually read the data, so the ACK also carries the reopened window
        // and no separate window update is needed.
        if (s.quickAck) s.ackNow = true;
        else if (s.ackPending >= 2) s.ackAt = now;
      }
      if (dlen > 0 || hadHoles) {
        const h = s.handler;
        if (h && s.owned) h.onReadable(s, now);
      }
    } else {
      // Out of order: remember the range; ACK at once so the sender sees a duplicate ACK.
      if (dlen > 0) this.addOoo(s, seq, seq + <u32>dlen);
      if (fin) { s.finPending = true; s.rxFinSeq = seq + <u32>dlen; }
      s.ackNow = true;
    }
  }

  private addOoo(s: TcpSocket, start: u32, end: u32): void {
    const r = s.ooo;
    let i = 0;
    while (i < s.oooCount) {
      const a = load<u32>(r + (<usize>i << 3)), b = load<u32>(r + (<usize>i << 3) + 4);
      if (sLe(a, end) && sLe(start, b)) {
        // Overlapping or adjacent: absorb it and start over.
        if (sLt(a, start)) start = a;
        if (sGt(b, end)) end = b;
        const last = s.oooCount - 1;
        store<u32>(r + (<usize>i << 3), load<u32>(r + (<usize>last << 3)));
        store<u32>(r + (<usize>i << 3) + 4, load<u32>(r + (<usize>last << 3) + 4));
        s.oooCount = last;
        i = 0;
        continue;
      }
      i++;
    }
    if (s.oooCount >= OOO_RANGES) { this.stats.oooDrops++; return; }
    store<u32>(r + (<usize>s.oooCount << 3), start);
    store<u32>(r + (<usize>s.oooCount << 3) + 4, end);
    s.oooCount++;
  }

  private mergeOoo(s: TcpSocket): void {
    const r = s.ooo;
    let i = 0;
    while (i < s.oooCount) {
      const a = load<u32>(r + (<usize>i << 3)), b = load<u32>(r + (<usize>i << 3) + 4);
      if (sLe(a, s.rcvNxt)) {
        if (sGt(b, s.rcvNxt)) {
          s.rxLen += <i32>(b - s.rcvNxt);
          s.rcvNxt = b;
        }
        const last = s.oooCount - 1;
        store<u32>(r + (<usize>i << 3), load<u32>(r + (<usize>last << 3)));
        store<u32>(r + (<usize>i << 3) + 4, load<u32>(r + (<usize>last << 3) + 4));
        s.oooCount = last;
        i = 0;
        continue;
      }
      i++;
    }
  }

  private receiveFin(s: TcpSocket, now: i64): void {
    s.rcvNxt += 1;
    s.peerFin = true;
    s.finPending = false;
    s.oooCount = 0;
    s.ackNow = true;
    const st = s.state;
    const h = s.handler;
    if (st == TcpState.Established) s.state = TcpState.CloseWait;
    else if (st == TcpState.FinWait1) s.state = TcpState.Closing; // our FIN not yet acked
    else if (st == TcpState.FinWait2) {
      this.sendAck(s, now);
      if (h && s.owned) h.onPeerClosed(s, now);
      if (s.state == TcpState.FinWait2) this.enterTimeWait(s, now);
      return;
    }
    if (h && s.owned) h.onPeerClosed(s, now);
  }

  // ---------------- TIME_WAIT ----------------

  private enterTimeWait(s: TcpSocket, now: i64): void {
    // The connection moves into the small table and the socket (with its buffers) is free.
    let slot = -1;
    let oldest: i64 = NEVER;
    let oldestSlot = 0;
    for (let i = 0; i < this.twExpiry.length; i++) {
      const e = unchecked(this.twExpiry[i]);
      if (e == 0) { slot = i; break; }
      if (e < oldest) { oldest = e; oldestSlot = i; }
    }
    if (slot < 0) {
      // Table full: reclaim the entry closest to expiry (it has waited longest).
      slot = oldestSlot;
      this.stats.timeWaitReclaims++;
      count(Counter.TcpTimeWaitReclaims);
    }
    if (this.twExpiry.length > 0) {
      unchecked(this.twLocal[slot] = s.localAddr);
      unchecked(this.twRemote[slot] = s.remoteAddr);
      unchecked(this.twPorts[slot] = (s.localPort << 16) | s.remotePort);
      unchecked(this.twSnd[slot] = s.sndNxt);
      unchecked(this.twRcv[slot] = s.rcvNxt);
      unchecked(this.twExpiry[slot] = now + 2 * this.config.mslUs);
    }
    this.terminate(s, NetError.None, now);
  }

  /** Handles a segment for a TIME_WAIT entry; false when none matches (or it was reopened). */
  private timeWaitInput(src: u32, dst: u32, v: TcpView, now: i64): bool {
    const ports = (v.dstPort << 16) | v.srcPort;
    for (let i = 0; i < this.twExpiry.length; i++) {
      if (unchecked(this.twExpiry[i]) == 0 || unchecked(this.twPorts[i]) != ports
        || unchecked(this.twRemote[i]) != src || unchecked(this.twLocal[i]) != dst) continue;
      const flags = v.flags;
      if ((flags & TCP_RST) != 0) return true; // RFC 1337: ignore RST in TIME_WAIT
      if ((flags & TCP_SYN) != 0 && (flags & TCP_ACK) == 0 && sGt(v.seq, unchecked(this.twRcv[i]))) {
        unchecked(this.twExpiry[i] = 0); // a new incarnation (RFC 9293 §3.10.7.4 note, RFC 6191)
        return false;
      }
      if ((flags & TCP_FIN) != 0) unchecked(this.twExpiry[i] = now + 2 * this.config.mslUs);
      if ((flags & TCP_FIN) != 0 || v.payloadLen > 0 || (flags & TCP_SYN) != 0) {
        this.sendBare(dst, src, v.dstPort, v.srcPort, unchecked(this.twSnd[i]), unchecked(this.twRcv[i]), TCP_ACK, now);
      }
      return true;
    }
    return false;
  }

  /** TIME_WAIT entries in use (for tests). */
  timeWaitCount(): i32 {
    let n = 0;
    for (let i = 0; i < this.twExpiry.length; i++) if (unchecked(this.twExpiry[i]) != 0) n++;
    return n;
  }

  // ---------------- termination ----------------

  private terminate(s: TcpSocket, err: NetError, now: i64): void {
    s.state = TcpState.Closed;
    s.error = err;
    s.rtoAt = NEVER; s.ackAt = NEVER;
    s.persist = false;
    if (s.parent !== null) { this.freeChild(s); return; } // never accepted: nobody to tell
    if (!s.owned) { s.allocated = false; return; }
    const h = s.handler;
    if (h) h.onClosed(s, err, now); // last: the application may release the socket here
  }

  // ---------------- timers ----------------

  /** A timer is due (poll has work beyond what new input changed). */
  timersDue(now: i64): bool { return now >= this.pollDue; }

  /** Runs the timers due at now; returns the next deadline (NEVER when idle). */
  poll(now: i64): i64 {
    if (!this.pollDirty && now < this.pollDue) return this.pollDue;
    this.pollDirty = false;
    // A timer that fires changes what the sockets' owners see (an error, a close, room to send).
    if (now >= this.pollDue) giveWork(Work.Tcp);
    let next = NEVER;
    for (let i = 0; i < this.twExpiry.length; i++) {
      const e = unchecked(this.twExpiry[i]);
      if (e == 0) continue;
      if (e <= now) unchecked(this.twExpiry[i] = 0);
      else if (e < next) next = e;
    }
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.allocated || s.state <= TcpState.Listen) continue;
      if (s.txRetryAt <= now) { s.txRetryAt = NEVER; this.output(s, now); }
      if (s.ackAt <= now) this.sendAck(s, now);
      if (s.rtoAt <= now) this.onRetransmitTimer(s, now);
      if (s.state <= TcpState.Listen) continue;
      const ka = this.keepAliveDeadline(s);
      if (ka <= now) this.onKeepAlive(s, now);
      if (s.state == TcpState.FinWait2 && this.fin2Deadline(s) <= now) this.onFin2Timeout(s, now);
      if (s.state <= TcpState.Listen) continue;
      next = min(next, this.socketDeadline(s));
    }
    this.pollDue = next;
    return next;
  }

  private socketDeadline(s: TcpSocket): i64 {
    let d = s.rtoAt;
    if (s.txRetryAt < d) d = s.txRetryAt;
    if (s.ackAt < d) d = s.ackAt;
    const ka = this.keepAliveDeadline(s);
    if (ka < d) d = ka;
    if (s.state == TcpState.FinWait2) {
      const f = this.fin2Deadline(s);
      if (f < d) d = f;
    }
    return d;
  }

  /** FIN_WAIT_2: the next probe, or the end (see TcpConfig.fin2TimeoutUs): once `keepCount`
   *  probes went unanswered, at the next probe time for a released socket, at the first one
   *  after `fin2HeldTimeoutUs` of silence for a held one (never before a released one). */
  private fin2Deadline(s: TcpSocket): i64 {
    const probe = s.lastRx + this.config.fin2TimeoutUs + <i64>s.keepProbes * s.keepIntervalUs;
    if (s.owned) return probe;
    const orphanEnd = s.releasedAt + this.config.fin2TimeoutUs;
    return probe < orphanEnd ? probe : orphanEnd;
  }

  private onFin2Timeout(s: TcpSocket, now: i64): void {
    const orphanDone = !s.owned && now >= s.releasedAt + this.config.fin2TimeoutUs;
    if (orphanDone || (s.keepProbes >= s.keepCount && (!s.owned || now >= s.lastRx + this.config.fin2HeldTimeoutUs))) {
      this.terminate(s, NetError.TimedOut, now);
      return;
    }
    s.keepProbes++;
    // SEG.SEQ = SND.NXT - 1 (our FIN, acknowledged): a live peer must answer with an ACK,
    // which resets lastRx.
    this.segment(s, s.sndNxt - 1, TCP_ACK, 0, now);
  }

  /**
   * RFC 1122 §4.2.3.6: probe after `idle` without any segment from the peer, then every
   * `interval`; after `count` unanswered probes the connection fails, which is exactly
   * idle + interval x count after the last segment received. Only while nothing of ours
   * is outstanding: with data in flight the retransmission timer watches the peer.
   */
  private keepAliveDeadline(s: TcpSocket): i64 {
    if (!s.keepAlive) return NEVER;
    if (s.state != TcpState.Established && s.state != TcpState.CloseWait) return NEVER;
    if (s.sndMax != s.sndUna || s.persist || s.rtoAt != NEVER) return NEVER;
    return s.lastRx + s.keepIdleUs + <i64>s.keepProbes * s.keepIntervalUs;
  }

  private onKeepAlive(s: TcpSocket, now: i64): void {
    if (s.keepProbes >= s.keepCount) {
      this.terminate(s, NetError.KeepAliveFailed, now);
      return;
    }
    s.keepProbes++;
    this.stats.keepAliveProbes++;
    count(Counter.TcpKeepAliveProbes);
    // SEG.SEQ = SND.NXT - 1 with no data: outside the peer's window, so it must ACK.
    this.segment(s, s.sndNxt - 1, TCP_ACK, 0, now);
  }

  private onRetransmitTimer(s: TcpSocket, now: i64): void {
    s.rtoAt = NEVER;
    const c = this.config;
    if (s.persist) {
      // Zero-window probe: one byte beyond the window (RFC 9293 §3.8.6.1). Persisting
      // never gives up while the peer answers (RFC 1122 §4.2.2.17).
      const off = <i32>(s.sndNxt - s.txSeq);
      if (s.txLen - off > 0) {
        this.segment(s, s.sndNxt, TCP_ACK, 1, now);
        if (sLt(s.sndMax, s.sndNxt + 1)) s.sndMax = s.sndNxt + 1;
        this.stats.zeroWindowProbes++;
      }
      s.persistBackoff = s.persistBackoff * 2;
      if (s.persistBackoff > c.maxRtoUs) s.persistBackoff = c.maxRtoUs;
      if (s.persistBackoff < c.minRtoUs) s.persistBackoff = c.minRtoUs;
      s.rtoAt = now + s.persistBackoff;
      return;
    }
    if (s.sndMax == s.sndUna) return;
    s.retries++;
    const synState = s.state == TcpState.SynSent || s.state == TcpState.SynReceived;
    if (s.retries > (synState ? c.synRetries : c.maxRetries)) {
      this.stats.timeouts++;
      this.terminate(s, s.softError != NetError.None ? s.softError : NetError.TimedOut, now);
      return;
    }
    s.rto = s.rto * 2; // exponential backoff (RFC 6298 (5.5))
    if (s.rto > c.maxRtoUs) s.rto = c.maxRtoUs;
    s.rttActive = false; // Karn
    if (synState) {
      count(Counter.TcpRetransmits);
      s.synRetransmitted = true;
      this.sendSyn(s, now);
      return;
    }
    // RFC 5681 §3.1 eq. 4 and loss window; RFC 6582 §4: recovery point after a timeout.
    const flight = s.sndMax - s.sndUna;
    s.ssthresh = max(flight >> 1, 2 * s.sndMss);
    s.cwnd = s.sndMss;
    s.inRecovery = false;
    s.dupAcks = 0;
    s.recover = s.sndMax;
    s.sndNxt = s.sndUna;
    this.output(s, now); // resends from SND.UNA (counted as retransmissions there)
    if (s.rtoAt == NEVER) s.rtoAt = now + s.rto; // also when no buffer was free: try again
  }

  // ---------------- ICMP and address changes ----------------

  /** ICMP error quoting one of our segments: the quoted IP header and >= 8 bytes of TCP. */
  onIcmpError(type: u32, code: u32, quoted: usize, len: i32, now: i64): void {
    this.pollDirty = true;
    if (len < 28) return;
    const ihl = <i32>(load<u8>(quoted) & 15) << 2;
    if (ihl < 20 || len < ihl + 8 || load<u8>(quoted + 9) != <u8>IPPROTO_TCP) return;
    const src = get32(quoted + 12), dst = get32(quoted + 16);
    const sport = get16(quoted + ihl), dport = get16(quoted + ihl + 2);
    const seq = get32(quoted + ihl + 4);
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (!s.allocated || s.state <= TcpState.Listen || s.localAddr != src || s.localPort != sport
        || s.remoteAddr != dst || s.remotePort != dport) continue;
      // RFC 5927 §4.1: the quoted sequence number must be one we have in flight.
      if (!(sGe(seq, s.sndUna) && sLt(seq, s.sndMax)) && !(seq == s.iss && s.state == TcpState.SynSent)) return;
      if (type == 3) {
        if (code == 2 || code == 3) {
          // Hard errors (RFC 1122 §4.2.3.9). While opening they refuse the connection;
          // once established they are kept as soft errors (RFC 5461).
          if (s.state == TcpState.SynSent || s.state == TcpState.SynReceived) {
            if (s.parent !== null) { this.freeChild(s); return; }
            this.terminate(s, NetError.Refused, now);
            return;
          }
          s.softError = NetError.Refused;
        } else if (code == 0 || code == 6 || code == 9 || code == 11) {
          s.softError = NetError.NetworkUnreachable;
        } else if (code != 4) {
          s.softError = NetError.HostUnreachable;
        }
      }
      return;
    }
  }

  /** A local address was removed: its connections end with AddressGone (no RST: no source). */
  addressRemoved(addr: u32, now: i64): void {
    this.pollDirty = true;
    if (addr == 0) return;
    for (let i = 0; i < this.twExpiry.length; i++) {
      if (unchecked(this.twLocal[i]) == addr) unchecked(this.twExpiry[i] = 0);
    }
    for (let i = 0; i < this.sockets.length; i++) {
      const s = unchecked(this.sockets[i]);
      if (s.allocated && s.state > TcpState.Listen && s.localAddr == addr) this.terminate(s, NetError.AddressGone, now);
    }
  }
}
