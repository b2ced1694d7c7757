// Stub resolver (RFC 1035, RFC 2181, RFC 2308 negative caching, RFC 5452 spoofing
// resistance), sans-IO. A queries over UDP through a UdpEndpoint; truncated answers are
// re-asked over TCP through a DnsTcpHook. Everything is reserved at construction.
//
//   resolve(name, now) -> handle    (negative: -DnsStatus for immediate errors)
//   status(handle), addressCount/address(handle, i), ttl(handle)  once not Pending
//   takeCompleted() -> handle of an asynchronously finished query (or -1); or a DnsListener
//   release(handle)                 frees the slot
//
// Acceptance (RFC 5452 9.1): the reply must come from a server we asked, to the query's
// random source port, with the random ID we sent that server, and echo our question.
// Servers (several per interface) are asked staggered: the first at once, the next after
// `staggerUs` without an answer, and so on; the first usable answer wins. SERVFAIL /
// REFUSED move on to the next server at once. A server that lets queries time out twice in
// a row is marked dead for `deadForUs` and asked last.
import { NO_DEADLINE } from "../../hal/generated/hal";
import { count, Counter } from "../runtime/counters";
import {
  DnsResolveStatus, DnsType, DnsRcode, dnsBuildQuery, DNS_PORT,
} from "../wire/dns";
import { UdpEndpoint, randomU32 } from "../dhcp/udp";
import { dnsReplyCheck, dnsQuestionIsA, dnsAnswerA, answerTtl, answerCount, answerRecords } from "./answer";

export namespace DnsStatus {
  export const Pending: i32 = 0;
  export const Ok: i32 = 1;
  export const NxDomain: i32 = 2;
  export const NoData: i32 = 3;
  /** Every server answered SERVFAIL/REFUSED (or failed over TCP). */
  export const ServerFailure: i32 = 4;
  export const Timeout: i32 = 5;
  export const NoServers: i32 = 6;
  export const BadName: i32 = 7;
  export const ChainTooLong: i32 = 8;
  /** No free query slot. */
  export const Busy: i32 = 9;
}

/** Connection-oriented transport for truncated answers; the lead wires it to TCP. */
export class DnsTcpHook {
  /** Opens a connection to dst:port; returns an id >= 0, or -1. Report progress through
   *  DnsResolver.onTcpConnected / onTcpData / onTcpClosed with that id. */
  open(dst: u32, port: u16, now: i64): i32 { return -1; }
  send(conn: i32, data: usize, len: i32, now: i64): bool { return false; }
  close(conn: i32, now: i64): void {}
}

/** Optional completion callback (asynchronous completions only; cache hits return at once). */
export class DnsListener {
  onResolved(handle: i32, status: i32): void {}
}

export class DnsConfig {
  /** Cache entries (each ~140 bytes). */
  cacheEntries: i32 = 8;
  /** Concurrent queries (each ~330 bytes); a handle holds its slot until release(). */
  maxQueries: i32 = 4;
  /** Cap on positive TTLs (s), and on negative ones (RFC 2308 suggests at most hours). */
  maxTtlSecs: u32 = 86400;
  maxNegativeTtlSecs: u32 = 900;
  /** Delay before also asking the next server. */
  staggerUs: i64 = 500_000;
  /** Wait after the last server of a round before a new round (doubles per round). */
  retransmitUs: i64 = 2_000_000;
  /** Overall limit per query. */
  timeoutUs: i64 = 10_000_000;
  deadAfterTimeouts: i32 = 2;
  deadForUs: i64 = 60_000_000;
  hostsEntries: i32 = 4;
  /** Longest query name, flat form (a name needs its text length + 2); at most 256. */
  nameMax: i32 = 256;
  /** Longest cached name (flat form): longer names are resolved but not cached. */
  cacheNameMax: i32 = 96;
  /** Longest hosts-table name (flat form). */
  hostNameMax: i32 = 64;
  /** Reassembly buffer for an answer over TCP (2-byte length + message); only with a TCP hook. */
  tcpBufBytes: i32 = 1400;
  /** Query build buffer (>= 300 bytes) shared with other users of the same thread; 0: own. */
  txBuffer: usize = 0;
}

export const DNS_MAX_IFACES: i32 = 2;
export const DNS_SERVERS_PER_IFACE: i32 = 3;
const SERVER_SLOTS: i32 = DNS_MAX_IFACES * DNS_SERVERS_PER_IFACE;
export const DNS_MAX_ADDRS: i32 = 4;

namespace Q {
  export const Free: i32 = 0;
  export const Active: i32 = 1;
  export const Done: i32 = 2;
}

class Query {
  state: i32 = Q.Free;
  gen: i32 = 0;
  reported: bool = true;
  name: usize;
  nameLen: i32 = 0;
  hash: u32 = 0;
  srcPort: u16 = 0;
  ids: StaticArray<u16> = new StaticArray<u16>(SERVER_SLOTS);
  order: StaticArray<i32> = new StaticArray<i32>(SERVER_SLOTS);
  orderLen: i32 = 0;
  nextIdx: i32 = 0;
  sentMask: u32 = 0;
  failedMask: u32 = 0;
  answeredMask: u32 = 0;
  round: i32 = 0;
  nextSendAt: i64 = NO_DEADLINE;
  deadline: i64 = NO_DEADLINE;
  viaTcp: bool = false;
  // result
  status: i32 = DnsStatus.Pending;
  addrs: StaticArray<u32> = new StaticArray<u32>(DNS_MAX_ADDRS);
  addrCount: i32 = 0;
  ttl: u32 = 0;
  fromCache: bool = false;
  constructor(nameMax: i32) { this.name = changetype<usize>(new StaticArray<u8>(nameMax)); }
}

class CacheEntry {
  hash: u32 = 0;
  nameLen: i32 = 0; // 0: free
  name: usize;
  status: i32 = 0;
  addrs: StaticArray<u32> = new StaticArray<u32>(DNS_MAX_ADDRS);
  addrCount: i32 = 0;
  expiresAt: i64 = 0;
  lastUsed: i64 = 0;
  constructor(nameMax: i32) { this.name = changetype<usize>(new StaticArray<u8>(nameMax)); }
}

class Server {
  addr: u32 = 0;
  timeouts: i32 = 0;
  deadUntil: i64 = 0;
}

// Replies are read in place (./answer.ts): no parse scratch.

function bytesEq(a: usize, b: usize, n: i32): bool {
  let i = 0;
  for (; i + 4 <= n; i += 4) if (load<u32>(a + i) != load<u32>(b + i)) return false;
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

let textHash: u32 = 0;

/**
 * Dotted text to a lower-cased flat name in one pass, hashing as it goes (the cached
 * lookup path: one walk over the characters). Returns the flat length, or -1 for an empty
 * or over-long label or name. A trailing dot is allowed; the root alone is refused.
 */
function textToFlat(text: usize, len: i32, out: usize, cap: i32 = 256): i32 {
  if (len > 0 && load<u8>(text + len - 1) == 46) len--;
  if (len <= 0 || len > 253 || len + 2 > cap) return -1;
  let h: u32 = 2166136261;
  let lenPos = 0;
  let o = 1;
  for (let i = 0; i < len; i++) {
    let c = <u32>load<u8>(text + i);
    if (c == 46) {
      const l = o - lenPos - 1;
      if (l == 0 || l > 63) return -1;
      store<u8>(out + lenPos, <u8>l);
      h = (h ^ <u32>l) * 16777619;
      lenPos = o++;
      continue;
    }
    if (c - 65 < 26) c += 32;
    store<u8>(out + o++, <u8>c);
    h = (h ^ c) * 16777619;
  }
  const l = o - lenPos - 1;
  if (l == 0 || l > 63) return -1;
  store<u8>(out + lenPos, <u8>l);
  h = (h ^ <u32>l) * 16777619;
  store<u8>(out + o++, 0);
  textHash = h;
  return o;
}

export class DnsResolver {
  cfg: DnsConfig;
  listener: DnsListener | null = null;
  private queries: StaticArray<Query>;
  private cache: StaticArray<CacheEntry>;
  private servers: StaticArray<Server>;
  private hostNames: usize;
  /** Per hosts entry: flat name length (0: free), hash, address. */
  private hostMeta: StaticArray<u32>;
  private tx: usize;
  private tcpBuf: usize;
  private tcpLen: i32 = 0;
  private tcpConn: i32 = -1;
  private tcpQuery: i32 = -1;
  private tcpServer: i32 = -1;
  private tcpId: u16 = 0;

  // statistics
  sent: u32 = 0;
  accepted: u32 = 0;
  /** Replies dropped: unknown port/server, wrong ID or question (spoofing attempts). */
  mismatched: u32 = 0;
  malformed: u32 = 0;
  cacheHits: u32 = 0;
  tcpFallbacks: u32 = 0;

  constructor(private udp: UdpEndpoint, private tcp: DnsTcpHook | null = null, cfg: DnsConfig | null = null) {
    const c = cfg ? cfg : new DnsConfig();
    this.cfg = c;
    const qs = new StaticArray<Query>(c.maxQueries);
    const nameMax = c.nameMax < 256 ? c.nameMax : 256;
    c.nameMax = nameMax;
    for (let i = 0; i < c.maxQueries; i++) unchecked(qs[i] = new Query(nameMax));
    this.queries = qs;
    const cs = new StaticArray<CacheEntry>(c.cacheEntries);
    for (let i = 0; i < c.cacheEntries; i++) unchecked(cs[i] = new CacheEntry(c.cacheNameMax));
    this.cache = cs;
    const ss = new StaticArray<Server>(SERVER_SLOTS);
    for (let i = 0; i < SERVER_SLOTS; i++) unchecked(ss[i] = new Server());
    this.servers = ss;
    this.hostNames = changetype<usize>(new StaticArray<u8>(c.hostsEntries * c.hostNameMax));
    this.hostMeta = new StaticArray<u32>(c.hostsEntries * 3);
    this.tx = c.txBuffer != 0 ? c.txBuffer : changetype<usize>(new StaticArray<u8>(300));
    // The TCP reassembly buffer only when there is a TCP hook (a device without one saves it).
    this.tcpBuf = tcp ? changetype<usize>(new StaticArray<u8>(c.tcpBufBytes)) : 0;
  }

  // ------------------------------------------------------------ configuration

  /** Sets interface iface's server list (e.g. from its DHCP lease); count 0 clears it. */
  setServer(iface: i32, index: i32, addr: u32): void {
    if (iface < 0 || iface >= DNS_MAX_IFACES || index < 0 || index >= DNS_SERVERS_PER_IFACE) return;
    const s = unchecked(this.servers[iface * DNS_SERVERS_PER_IFACE + index]);
    if (s.addr != addr) { s.addr = addr; s.timeouts = 0; s.deadUntil = 0; }
  }
  clearServers(iface: i32): void {
    for (let i = 0; i < DNS_SERVERS_PER_IFACE; i++) this.setServer(iface, i, 0);
  }
  serverAddr(slot: i32): u32 { return slot >= 0 && slot < SERVER_SLOTS ? unchecked(this.servers[slot]).addr : 0; }
  serverDead(slot: i32, now: i64): bool { return slot >= 0 && slot < SERVER_SLOTS && unchecked(this.servers[slot]).deadUntil > now; }

  /** Adds a hosts-table entry (dotted text). False when full or the name is bad. */
  addHost(text: usize, len: i32, addr: u32): bool {
    for (let i = 0; i < this.cfg.hostsEntries; i++) {
      if (unchecked(this.hostMeta[i * 3]) != 0) continue;
      const p = this.hostNames + <usize>(i * this.cfg.hostNameMax);
      const n = textToFlat(text, len, p, this.cfg.hostNameMax);
      if (n <= 1) return false;
      unchecked(this.hostMeta[i * 3] = <u32>n);
      unchecked(this.hostMeta[i * 3 + 1] = textHash);
      unchecked(this.hostMeta[i * 3 + 2] = addr);
      return true;
    }
    return false;
  }

  /** Empties the hosts table (before re-reading it from the configuration). */
  clearHosts(): void {
    for (let i = 0; i < this.cfg.hostsEntries; i++) unchecked(this.hostMeta[i * 3] = 0);
  }

  /** Drops every cache entry (e.g. after a network change). */
  flushCache(): void {
    for (let i = 0; i < this.cfg.cacheEntries; i++) unchecked(this.cache[i]).nameLen = 0;
  }

  // ------------------------------------------------------------ API

  resolve(text: usize, len: i32, now: i64): i32 {
    let slot = -1;
    for (let i = 0; i < this.cfg.maxQueries; i++) if (unchecked(this.queries[i]).state == Q.Free) { slot = i; break; }
    if (slot < 0) return -DnsStatus.Busy;
    const q = unchecked(this.queries[slot]);
    const n = textToFlat(text, len, q.name, this.cfg.nameMax);
    if (n <= 1) return -DnsStatus.BadName;
    q.nameLen = n;
    q.hash = textHash;
    q.gen = (q.gen + 1) & 0x7fffff;
    const handle = (q.gen << 8) | slot;
    q.addrCount = 0;
    q.ttl = 0;
    q.fromCache = false;
    q.viaTcp = false;
    q.reported = true;
    if (this.fromHosts(q) || this.fromCache(q, now)) {
      q.state = Q.Done;
      this.cacheHits++;
      return handle;
    }
    q.state = Q.Active;
    q.status = DnsStatus.Pending;
    q.reported = false;
    this.startQuery(slot, q, now);
    return handle;
  }

  private q(handle: i32): Query | null {
    const slot = handle & 0xff;
    if (handle < 0 || slot >= this.cfg.maxQueries) return null;
    const q = unchecked(this.queries[slot]);
    return q.state != Q.Free && q.gen == (handle >> 8) ? q : null;
  }
  status(handle: i32): i32 { const q = this.q(handle); return q ? q.status : -1; }
  addressCount(handle: i32): i32 { const q = this.q(handle); return q && q.status == DnsStatus.Ok ? q.addrCount : 0; }
  address(handle: i32, i: i32): u32 { const q = this.q(handle); return q && i >= 0 && i < q.addrCount ? unchecked(q.addrs[i]) : 0; }
  /** Seconds the answer stays valid (positive or negative). */
  ttl(handle: i32): u32 { const q = this.q(handle); return q ? q.ttl : 0; }
  fromCacheOf(handle: i32): bool { const q = this.q(handle); return q ? q.fromCache : false; }
  viaTcpOf(handle: i32): bool { const q = this.q(handle); return q ? q.viaTcp : false; }
  release(handle: i32): void {
    const q = this.q(handle);
    if (!q) return;
    if (this.tcpQuery == (handle & 0xff)) this.tcpAbort(0);
    q.state = Q.Free;
  }
  /** The handle of a query that finished since the last call, or -1. */
  takeCompleted(): i32 {
    for (let i = 0; i < this.cfg.maxQueries; i++) {
      const q = unchecked(this.queries[i]);
      if (q.state == Q.Done && !q.reported) { q.reported = true; return (q.gen << 8) | i; }
    }
    return -1;
  }
  /** True when a datagram to this local port belongs to an active query (for the UDP demux). */
  ownsPort(port: u16): bool {
    for (let i = 0; i < this.cfg.maxQueries; i++) {
      const q = unchecked(this.queries[i]);
      if (q.state == Q.Active && q.srcPort == port) return true;
    }
    return false;
  }

  // ------------------------------------------------------------ hosts and cache

  private fromHosts(q: Query): bool {
    for (let i = 0; i < this.cfg.hostsEntries; i++) {
      const n = <i32>unchecked(this.hostMeta[i * 3]);
      if (n != q.nameLen || unchecked(this.hostMeta[i * 3 + 1]) != q.hash) continue;
      if (!bytesEq(this.hostNames + <usize>(i * this.cfg.hostNameMax), q.name, n)) continue;
      q.status = DnsStatus.Ok;
      unchecked(q.addrs[0] = this.hostMeta[i * 3 + 2]);
      q.addrCount = 1;
      q.ttl = 0;
      q.fromCache = true;
      return true;
    }
    return false;
  }

  private fromCache(q: Query, now: i64): bool {
    const n = this.cfg.cacheEntries;
    for (let i = 0; i < n; i++) {
      const e = unchecked(this.cache[i]);
      if (e.hash != q.hash || e.nameLen != q.nameLen) continue;
      if (e.expiresAt <= now) { e.nameLen = 0; return false; }
      if (!bytesEq(e.name, q.name, q.nameLen)) continue;
      e.lastUsed = now;
      q.status = e.status;
      q.addrCount = e.addrCount;
      for (let k = 0; k < e.addrCount; k++) unchecked(q.addrs[k] = e.addrs[k]);
      q.ttl = <u32>((e.expiresAt - now) / 1_000_000);
      q.fromCache = true;
      return true;
    }
    return false;
  }

  private store(q: Query, ttlSecs: u32, now: i64): void {
    if (ttlSecs == 0 || q.nameLen > this.cfg.cacheNameMax) return;
    let victim = -1;
    let oldest: i64 = 0x7fffffffffffffff;
    for (let i = 0; i < this.cfg.cacheEntries; i++) {
      const e = unchecked(this.cache[i]);
      if (e.nameLen == q.nameLen && e.hash == q.hash && bytesEq(e.name, q.name, q.nameLen)) { victim = i; break; }
      const age = e.nameLen == 0 || e.expiresAt <= now ? -1 : e.lastUsed;
      if (age < oldest) { oldest = age; victim = i; }
    }
    if (victim < 0) return;
    const e = unchecked(this.cache[victim]);
    memory.copy(e.name, q.name, <usize>q.nameLen);
    e.nameLen = q.nameLen;
    e.hash = q.hash;
    e.status = q.status;
    e.addrCount = q.addrCount;
    for (let k = 0; k < q.addrCount; k++) unchecked(e.addrs[k] = q.addrs[k]);
    e.expiresAt = now + <i64>ttlSecs * 1_000_000;
    e.lastUsed = now;
  }

  // ------------------------------------------------------------ querying

  private startQuery(slot: i32, q: Query, now: i64): void {
    // Live servers first (in interface/list order), dead ones last.
    q.orderLen = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 0; s < SERVER_SLOTS; s++) {
        const sv = unchecked(this.servers[s]);
        if (sv.addr == 0) continue;
        const dead = sv.deadUntil > now;
        if ((pass == 0) == !dead) unchecked(q.order[q.orderLen++] = s);
      }
    }
    if (q.orderLen == 0) { this.finish(slot, q, DnsStatus.NoServers); return; }
    q.srcPort = <u16>(49152 + (randomU32() % 16384));
    q.sentMask = 0;
    q.failedMask = 0;
    q.answeredMask = 0;
    q.nextIdx = 0;
    q.round = 0;
    q.deadline = now + this.cfg.timeoutUs;
    this.sendNext(q, now);
  }

  private sendNext(q: Query, now: i64): void {
    // Next server of this round that has not failed.
    while (q.nextIdx < q.orderLen && (q.failedMask & (1 << unchecked(q.order[q.nextIdx]))) != 0) q.nextIdx++;
    if (q.nextIdx >= q.orderLen) {
      q.nextSendAt = now + (this.cfg.retransmitUs << <i64>(q.round < 4 ? q.round : 4));
      return;
    }
    const s = unchecked(q.order[q.nextIdx++]);
    const id = <u16>randomU32();
    unchecked(q.ids[s] = id);
    q.sentMask |= 1 << s;
    const n = dnsBuildQuery(this.tx, 300, id, q.name, DnsType.A, true, false);
    if (n > 0) {
      this.sent++;
      count(Counter.DnsTx);
      this.udp.send(unchecked(this.servers[s]).addr, DNS_PORT, q.srcPort, this.tx, n, now);
    }
    q.nextSendAt = q.nextIdx < q.orderLen ? now + this.cfg.staggerUs : now + (this.cfg.retransmitUs << <i64>(q.round < 4 ? q.round : 4));
  }

  private finish(slot: i32, q: Query, status: i32): void {
    q.status = status;
    q.state = Q.Done;
    q.nextSendAt = NO_DEADLINE;
    if (this.tcpQuery == slot) this.tcpAbort(0);
    const l = this.listener;
    if (l) { q.reported = true; l.onResolved((q.gen << 8) | slot, status); }
  }

  nextDeadline(): i64 {
    let d: i64 = NO_DEADLINE;
    for (let i = 0; i < this.cfg.maxQueries; i++) {
      const q = unchecked(this.queries[i]);
      if (q.state != Q.Active) continue;
      if (q.nextSendAt < d) d = q.nextSendAt;
      if (q.deadline < d) d = q.deadline;
    }
    return d;
  }

  poll(now: i64): void {
    for (let i = 0; i < this.cfg.maxQueries; i++) {
      const q = unchecked(this.queries[i]);
      if (q.state != Q.Active) continue;
      if (now >= q.deadline) {
        // Servers asked that never answered in time: one more strike each.
        for (let s = 0; s < SERVER_SLOTS; s++) {
          if ((q.sentMask & (1 << s)) == 0 || (q.answeredMask & (1 << s)) != 0) continue;
          const sv = unchecked(this.servers[s]);
          if (++sv.timeouts >= this.cfg.deadAfterTimeouts) sv.deadUntil = now + this.cfg.deadForUs;
        }
        this.finish(i, q, DnsStatus.Timeout);
        continue;
      }
      if (now >= q.nextSendAt && this.tcpQuery != i) {
        if (q.nextIdx >= q.orderLen) {
          // Round over without an answer: strike the silent, start a new round.
          for (let s = 0; s < SERVER_SLOTS; s++) {
            if ((q.sentMask & (1 << s)) == 0 || (q.answeredMask & (1 << s)) != 0) continue;
            const sv = unchecked(this.servers[s]);
            if (q.round == 0 && ++sv.timeouts >= this.cfg.deadAfterTimeouts) sv.deadUntil = now + this.cfg.deadForUs;
          }
          q.round++;
          q.nextIdx = 0;
        }
        this.sendNext(q, now);
      }
    }
  }

  /** A UDP datagram to one of our query ports (see ownsPort). */
  onDatagram(src: u32, srcPort: u16, dstPort: u16, payload: usize, len: i32, now: i64): void {
    count(Counter.DnsRx);
    if (srcPort != DNS_PORT) { this.mismatched++; return; }
    for (let i = 0; i < this.cfg.maxQueries; i++) {
      const q = unchecked(this.queries[i]);
      if (q.state != Q.Active || q.srcPort != dstPort) continue;
      this.onResponse(i, q, src, payload, len, false, now);
      return;
    }
    this.mismatched++;
  }

  private serverSlot(q: Query, src: u32): i32 {
    for (let s = 0; s < SERVER_SLOTS; s++) {
      if ((q.sentMask & (1 << s)) != 0 && unchecked(this.servers[s]).addr == src) return s;
    }
    return -1;
  }

  private onResponse(slot: i32, q: Query, src: u32, payload: usize, len: i32, viaTcp: bool, now: i64): void {
    const s = viaTcp ? this.tcpServer : this.serverSlot(q, src);
    if (s < 0) { this.mismatched++; return; }
    if (!dnsReplyCheck(payload, len)) { this.malformed++; count(Counter.DnsDropMalformed); return; }
    const flags = <u32>load<u8>(payload + 2);
    const id = viaTcp ? this.tcpId : unchecked(q.ids[s]);
    const rid = <u16>((<u32>load<u8>(payload) << 8) | <u32>load<u8>(payload + 1));
    if ((flags & 0x80) == 0 || ((flags >> 3) & 15) != 0 || rid != id || !dnsQuestionIsA(payload, len, q.name, q.nameLen)) {
      this.mismatched++;
      return;
    }
    this.accepted++;
    q.answeredMask |= 1 << s;
    const sv = unchecked(this.servers[s]);
    sv.timeouts = 0;
    sv.deadUntil = 0;
    const rcode = <u8>(load<u8>(payload + 3) & 15);
    if (rcode != DnsRcode.NoError && rcode != DnsRcode.NxDomain) {
      // SERVFAIL, REFUSED, NOTIMP, FORMERR: this server cannot help; try the next at once.
      this.serverFailed(slot, q, s, now);
      return;
    }
    if ((flags & 2) != 0 && !viaTcp) {
      if (this.tcpStart(slot, q, s, now)) return;
      // No TCP available: use what the truncated answer holds, if anything.
      if (answerRecords == 0) { this.serverFailed(slot, q, s, now); return; }
    }
    const r = dnsAnswerA(payload, len, q.name, q.nameLen, q.addrs);
    this.strikeSlower(q, s, now);
    if (r == DnsResolveStatus.Ok) {
      q.addrCount = answerCount;
      q.status = DnsStatus.Ok;
      const ttl = answerTtl < this.cfg.maxTtlSecs ? answerTtl : this.cfg.maxTtlSecs;
      q.ttl = ttl;
      q.viaTcp = viaTcp;
      this.store(q, ttl, now);
      this.finish(slot, q, DnsStatus.Ok);
    } else if (r == DnsResolveStatus.NxDomain || r == DnsResolveStatus.NoData) {
      const st = r == DnsResolveStatus.NxDomain ? DnsStatus.NxDomain : DnsStatus.NoData;
      const ttl = answerTtl < this.cfg.maxNegativeTtlSecs ? answerTtl : this.cfg.maxNegativeTtlSecs;
      q.addrCount = 0;
      q.ttl = ttl;
      q.status = st;
      q.viaTcp = viaTcp;
      this.store(q, ttl, now); // RFC 2308: without an SOA the TTL is 0 and nothing is cached
      this.finish(slot, q, st);
    } else if (r == DnsResolveStatus.ChainTooLong) {
      this.finish(slot, q, DnsStatus.ChainTooLong);
    } else {
      this.serverFailed(slot, q, s, now);
    }
  }

  /** Servers asked before the one that answered, still silent: a strike each (staggering beat them). */
  private strikeSlower(q: Query, winner: i32, now: i64): void {
    for (let k = 0; k < q.orderLen; k++) {
      const s = unchecked(q.order[k]);
      if (s == winner) break;
      if ((q.sentMask & (1 << s)) == 0 || (q.answeredMask & (1 << s)) != 0) continue;
      const sv = unchecked(this.servers[s]);
      if (++sv.timeouts >= this.cfg.deadAfterTimeouts) sv.deadUntil = now + this.cfg.deadForUs;
    }
  }

  private serverFailed(slot: i32, q: Query, s: i32, now: i64): void {
    q.failedMask |= 1 << s;
    let allFailed = true;
    for (let k = 0; k < q.orderLen; k++) if ((q.failedMask & (1 << unchecked(q.order[k]))) == 0) { allFailed = false; break; }
    if (allFailed) { this.finish(slot, q, DnsStatus.ServerFailure); return; }
    if (q.nextIdx < q.orderLen) this.sendNext(q, now);
  }

  // ------------------------------------------------------------ TCP fallback (RFC 7766)

  private tcpStart(slot: i32, q: Query, s: i32, now: i64): bool {
    const t = this.tcp;
    if (!t || this.tcpQuery >= 0) return false;
    const c = t.open(unchecked(this.servers[s]).addr, DNS_PORT, now);
    if (c < 0) return false;
    this.tcpFallbacks++;
    this.tcpConn = c;
    this.tcpQuery = slot;
    this.tcpServer = s;
    this.tcpLen = 0;
    this.tcpId = <u16>randomU32();
    return true;
  }

  private tcpAbort(now: i64): void {
    const t = this.tcp;
    if (t && this.tcpConn >= 0) t.close(this.tcpConn, now);
    this.tcpConn = -1;
    this.tcpQuery = -1;
    this.tcpServer = -1;
  }

  onTcpConnected(conn: i32, now: i64): void {
    const t = this.tcp;
    if (!t || conn != this.tcpConn || this.tcpQuery < 0) return;
    const q = unchecked(this.queries[this.tcpQuery]);
    const n = dnsBuildQuery(this.tx, 300, this.tcpId, q.name, DnsType.A, true, true);
    if (n > 0) { this.sent++; count(Counter.DnsTx); t.send(conn, this.tx, n, now); }
  }

  onTcpData(conn: i32, data: usize, len: i32, now: i64): void {
    if (conn != this.tcpConn || this.tcpQuery < 0) return;
    if (len < 0 || this.tcpLen + len > this.cfg.tcpBufBytes) { this.tcpFailed(now); return; }
    memory.copy(this.tcpBuf + this.tcpLen, data, <usize>len);
    this.tcpLen += len;
    if (this.tcpLen < 2) return;
    const need = ((<i32>load<u8>(this.tcpBuf)) << 8) | <i32>load<u8>(this.tcpBuf + 1);
    if (this.tcpLen < 2 + need) return;
    count(Counter.DnsRx);
    const slot = this.tcpQuery;
    const q = unchecked(this.queries[slot]);
    const before = q.state;
    this.onResponse(slot, q, 0, this.tcpBuf + 2, need, true, now);
    if (q.state == before && q.state == Q.Active && this.tcpQuery == slot) this.tcpFailed(now);
    else if (this.tcpQuery == slot) this.tcpAbort(now);
  }

  onTcpClosed(conn: i32, now: i64): void {
    if (conn != this.tcpConn) return;
    this.tcpConn = -1;
    if (this.tcpQuery >= 0) this.tcpFailed(now);
  }

  private tcpFailed(now: i64): void {
    const slot = this.tcpQuery, s = this.tcpServer;
    this.tcpAbort(now);
    if (slot < 0) return;
    const q = unchecked(this.queries[slot]);
    if (q.state == Q.Active && s >= 0) this.serverFailed(slot, q, s, now);
  }
}
