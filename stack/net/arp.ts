// ARP for one Ethernet interface (RFC 826, RFC 1122 §2.3.2, RFC 5227 announcements).
//
// Cache: `capacity` entries, each Free, Incomplete (request sent, waiting) or Reachable.
// Reachable entries live REACHABLE_US after the last confirmation; an entry used for
// sending in its last REFRESH_WINDOW_US is re-requested by unicast so busy peers never
// drop out (RFC 1122 §2.3.2.1). When the cache is full the entry expiring soonest is
// replaced (counted as an eviction).
//
// Resolution: up to MAX_TRIES broadcast requests RETRY_US apart, then give up
// (ArpResolveFailures) and drop what was queued for that address.
//
// Queue: frames waiting for resolution are copied into `queueSlots` fixed slots of
// `slotBytes` each. When no slot is free, or the frame does not fit, the NEW frame is
// dropped (ArpQueueDrops): the older frames keep their order and are nearer to being
// sent, and TCP retransmits what we drop.
import { NetDriver, TX_HEADROOM } from "./netdev";
import { linkTransmit } from "./link";
import { reserve } from "../runtime/memory";
import { count, Counter } from "../runtime/counters";
import { macCopy, macEquals, macIsGroup, BROADCAST_MAC, ZERO_MAC } from "../wire/bytes";
import { ArpPacket, ArpOp, ARP_LEN, emitArp } from "../wire/arp";
import { emitEthernetHeader, EtherType, ETH_HEADER_LEN } from "../wire/ethernet";
import { isMulticast } from "../wire/ipv4";
import { NO_DEADLINE, LogLevel } from "../../hal/generated/hal";
import { logBegin, logStr, logIp, logMac, logEnd } from "../runtime/log";

export const REACHABLE_US: i64 = 20 * 60 * 1_000_000;
export const REFRESH_WINDOW_US: i64 = 60 * 1_000_000;
export const RETRY_US: i64 = 1_000_000;
export const MAX_TRIES: i32 = 3;
/** RFC 5227 §2.3: two announcements, ANNOUNCE_INTERVAL apart. */
export const ANNOUNCE_COUNT: i32 = 2;
export const ANNOUNCE_INTERVAL_US: i64 = 2_000_000;

const FREE: u8 = 0;
const INCOMPLETE: u8 = 1;
const REACHABLE: u8 = 2;

/** Sees every well-formed ARP packet received on the interface (RFC 5227 conflict detection). */
export abstract class ArpObserver {
  abstract onArp(op: i32, senderIp: u32, senderMac: usize, targetIp: u32, now: i64): void;
}

export class Arp {
  readonly capacity: i32;
  /** Told about every received ARP packet before any filtering by our address (ACD). */
  observer: ArpObserver | null = null;
  /** Our IPv4 address on this link; 0 while unconfigured (we then answer nothing). */
  ourIp: u32 = 0;

  private state: StaticArray<u8>;
  private ip: StaticArray<u32>;
  private macs: usize;
  /** Reachable: expiry. Incomplete: when to retry or give up. */
  private deadline: StaticArray<i64>;
  private tries: StaticArray<i32>;
  /** Reachable: earliest time for the next refresh request. */
  private refreshAfter: StaticArray<i64>;

  private readonly queueSlots: i32;
  private readonly slotBytes: i32;
  private slots: usize;
  private slotLen: StaticArray<i32>;
  private slotHop: StaticArray<u32>;
  private slotSeq: StaticArray<u32>;
  private nextSeq: u32 = 0;

  private announceLeft: i32 = 0;
  private announceAt: i64 = 0;

  private frame: usize;
  private view: ArpPacket = new ArpPacket();

  constructor(private driver: NetDriver, private ourMac: usize, capacity: i32 = 8, queueSlots: i32 = 2, slotBytes: i32 = 590) {
    if (capacity < 1) capacity = 1; // eviction needs one entry to replace
    this.capacity = capacity;
    this.state = new StaticArray<u8>(capacity);
    this.ip = new StaticArray<u32>(capacity);
    this.macs = reserve(capacity * 6);
    this.deadline = new StaticArray<i64>(capacity);
    this.tries = new StaticArray<i32>(capacity);
    this.refreshAfter = new StaticArray<i64>(capacity);
    this.queueSlots = queueSlots;
    this.slotBytes = slotBytes;
    // Each slot (and the frame below) keeps TX_HEADROOM bytes in front for the driver.
    this.slots = reserve(queueSlots * (TX_HEADROOM + slotBytes)) + <usize>TX_HEADROOM;
    this.slotLen = new StaticArray<i32>(queueSlots);
    this.slotHop = new StaticArray<u32>(queueSlots);
    this.slotSeq = new StaticArray<u32>(queueSlots);
    this.frame = reserve(TX_HEADROOM + ETH_HEADER_LEN + ARP_LEN) + <usize>TX_HEADROOM;
  }

  /** The cached MAC for ip (a pointer into the cache), or 0. */
  lookup(ip: u32): usize {
    const i = this.find(ip);
    return i >= 0 && unchecked(this.state[i]) == REACHABLE ? this.macs + <usize>(i * 6) : 0;
  }

  /** Slot i for the console's `arp`: its address (0 when free), MAC and whether resolved. */
  slotIp(i: i32): u32 { return i >= 0 && i < this.capacity && unchecked(this.state[i]) != FREE ? unchecked(this.ip[i]) : 0; }
  slotMac(i: i32): usize { return this.macs + <usize>(i * 6); }
  slotResolved(i: i32): bool { return i >= 0 && i < this.capacity && unchecked(this.state[i]) == REACHABLE; }

  /** Number of entries in use (both states), for tests and the console. */
  entries(): i32 {
    let n = 0;
    for (let i = 0; i < this.capacity; i++) if (unchecked(this.state[i]) != FREE) n++;
    return n;
  }

  /**
   * Sends an IPv4 frame whose Ethernet header is in place except the destination MAC,
   * to the on-link next hop: at once when resolved, else queued behind a request.
   * False when it was dropped.
   */
  output(frame: usize, len: i32, nextHop: u32, now: i64): bool {
    let i = this.find(nextHop);
    if (i >= 0 && unchecked(this.state[i]) == REACHABLE) {
      const mac = this.macs + <usize>(i * 6);
      if (unchecked(this.deadline[i]) - now < REFRESH_WINDOW_US && now >= unchecked(this.refreshAfter[i])) {
        unchecked(this.refreshAfter[i] = now + RETRY_US);
        this.sendRequest(nextHop, mac, now);
      }
      macCopy(frame, mac);
      return linkTransmit(this.driver, frame, len, now);
    }
    if (i < 0) {
      i = this.allocate(now);
      unchecked(this.state[i] = INCOMPLETE);
      unchecked(this.ip[i] = nextHop);
      unchecked(this.tries[i] = 1);
      unchecked(this.deadline[i] = now + RETRY_US);
      this.wake(now + RETRY_US);
      this.sendRequest(nextHop, 0, now);
    }
    return this.enqueue(frame, len, nextHop);
  }

  /** Handles a received ARP packet (the Ethernet payload). */
  onPacket(ptr: usize, len: i32, now: i64): void {
    const p = this.view.wrap(ptr, len);
    if (!p.check()) { count(Counter.ArpDropMalformed); return; }
    const sha = p.senderMac;
    const spa = p.senderIp;
    if (macIsGroup(sha) || spa == 0xffffffff || isMulticast(spa)) { count(Counter.ArpDropMalformed); return; }
    count(Counter.ArpRx);
    const obs = this.observer;
    if (obs) obs.onArp(<i32>p.op, spa, sha, p.targetIp, now);
    if (macEquals(sha, this.ourMac)) return; // our own frame looped back
    if (spa == this.ourIp && spa != 0) {
      if (logBegin(LogLevel.Warn)) { logStr("arp: address conflict "); logIp(spa); logStr(" from "); logMac(sha); logEnd(); }
      return;
    }
    // RFC 826 "Packet Reception": update the sender if known (merge), add it if the
    // packet is for us, then answer requests.
    let merged = false;
    if (spa != 0) {
      const i = this.find(spa);
      if (i >= 0) { this.confirm(i, sha, now); merged = true; }
    }
    const tpa = p.targetIp;
    if (tpa != this.ourIp || this.ourIp == 0) return;
    if (!merged && spa != 0) {
      const i = this.allocate(now);
      unchecked(this.ip[i] = spa);
      this.confirm(i, sha, now);
    }
    if (p.op == ArpOp.Request) this.send(ArpOp.Reply, sha, sha, spa, now);
  }

  /** Starts the gratuitous announcements of ourIp (after an address change or link up). */
  announce(now: i64): void {
    if (this.ourIp == 0) { this.announceLeft = 0; return; }
    this.announceLeft = ANNOUNCE_COUNT;
    this.announceAt = now;
    this.wake(now);
    this.poll(now);
  }

  /** RFC 5227 probe: a request for `target` with sender IP 0.0.0.0 (works before we have an address). */
  sendProbe(target: u32, now: i64): void {
    this.sendFrom(ArpOp.Request, 0, 0, target, now);
  }

  /** RFC 5227 announcement of `addr` (sender and target both addr), also before ourIp is set. */
  sendAnnounce(addr: u32, now: i64): void {
    this.sendFrom(ArpOp.Request, addr, 0, addr, now);
  }

  /** Drops every entry and queued frame (address change, link down). */
  clear(): void {
    for (let i = 0; i < this.capacity; i++) this.state[i] = FREE;
    for (let s = 0; s < this.queueSlots; s++) {
      if (unchecked(this.slotLen[s]) > 0) count(Counter.ArpQueueDrops);
      unchecked(this.slotLen[s] = 0);
    }
  }

  /** The earliest deadline poll() reported, or earlier; poll() does nothing before it. */
  private due: i64 = 0;
  // @ts-ignore: decorator
  @inline private wake(at: i64): void { if (at < this.due) this.due = at; }

  /** Runs retries, give-ups, expiry and announcements due at now; returns the next deadline. */
  poll(now: i64): i64 {
    // Nothing is due before `due` (every place that sets an earlier deadline lowers it), so
    // the per-event System.poll does not walk the cache each time.
    if (now < this.due) return this.due;
    let next: i64 = NO_DEADLINE;
    if (this.announceLeft > 0 && now >= this.announceAt) {
      // RFC 5227 §2.3: an ARP request with sender and target both our address.
      this.sendRequest(this.ourIp, 0, now);
      this.announceLeft--;
      this.announceAt = now + ANNOUNCE_INTERVAL_US;
    }
    if (this.announceLeft > 0) next = this.announceAt;
    for (let i = 0; i < this.capacity; i++) {
      const st = unchecked(this.state[i]);
      if (st == FREE) continue;
      if (now >= unchecked(this.deadline[i])) {
        if (st == REACHABLE) {
          unchecked(this.state[i] = FREE);
          continue;
        }
        if (unchecked(this.tries[i]) >= MAX_TRIES) {
          count(Counter.ArpResolveFailures);
          this.dropQueued(unchecked(this.ip[i]));
          unchecked(this.state[i] = FREE);
          continue;
        }
        unchecked(this.tries[i] = unchecked(this.tries[i]) + 1);
        unchecked(this.deadline[i] = now + RETRY_US);
        this.sendRequest(unchecked(this.ip[i]), 0, now);
      }
      if (unchecked(this.deadline[i]) < next) next = unchecked(this.deadline[i]);
    }
    this.due = next;
    return next;
  }

  private find(ip: u32): i32 {
    for (let i = 0; i < this.capacity; i++) if (unchecked(this.state[i]) != FREE && unchecked(this.ip[i]) == ip) return i;
    return -1;
  }

  /** A free entry, or the one expiring soonest (evicted, its queued frames dropped). */
  private allocate(now: i64): i32 {
    let victim = 0;
    for (let i = 0; i < this.capacity; i++) {
      if (unchecked(this.state[i]) == FREE) return i;
      if (unchecked(this.deadline[i]) < unchecked(this.deadline[victim])) victim = i;
    }
    count(Counter.ArpCacheEvictions);
    if (unchecked(this.state[victim]) == INCOMPLETE) this.dropQueued(unchecked(this.ip[victim]));
    unchecked(this.state[victim] = FREE);
    return victim;
  }

  private confirm(i: i32, mac: usize, now: i64): void {
    const wasIncomplete = unchecked(this.state[i]) == INCOMPLETE;
    macCopy(this.macs + <usize>(i * 6), mac);
    unchecked(this.state[i] = REACHABLE);
    unchecked(this.deadline[i] = now + REACHABLE_US);
    this.wake(now + REACHABLE_US);
    unchecked(this.refreshAfter[i] = now);
    if (wasIncomplete) this.flushQueued(unchecked(this.ip[i]), this.macs + <usize>(i * 6), now);
  }

  private enqueue(frame: usize, len: i32, nextHop: u32): bool {
    if (len <= this.slotBytes) {
      for (let s = 0; s < this.queueSlots; s++) {
        if (unchecked(this.slotLen[s]) != 0) continue;
        memory.copy(this.slots + <usize>(s * (TX_HEADROOM + this.slotBytes)), frame, <usize>len);
        unchecked(this.slotLen[s] = len);
        unchecked(this.slotHop[s] = nextHop);
        unchecked(this.slotSeq[s] = this.nextSeq++);
        return true;
      }
    }
    count(Counter.ArpQueueDrops);
    return false;
  }

  /** Sends the frames queued for ip, oldest first. */
  private flushQueued(ip: u32, mac: usize, now: i64): void {
    while (true) {
      let oldest = -1;
      for (let s = 0; s < this.queueSlots; s++) {
        if (unchecked(this.slotLen[s]) == 0 || unchecked(this.slotHop[s]) != ip) continue;
        if (oldest < 0 || <i32>(unchecked(this.slotSeq[s]) - unchecked(this.slotSeq[oldest])) < 0) oldest = s;
      }
      if (oldest < 0) return;
      const f = this.slots + <usize>(oldest * (TX_HEADROOM + this.slotBytes));
      macCopy(f, mac);
      linkTransmit(this.driver, f, unchecked(this.slotLen[oldest]), now);
      unchecked(this.slotLen[oldest] = 0);
    }
  }

  private dropQueued(ip: u32): void {
    for (let s = 0; s < this.queueSlots; s++) {
      if (unchecked(this.slotLen[s]) != 0 && unchecked(this.slotHop[s]) == ip) {
        unchecked(this.slotLen[s] = 0);
        count(Counter.ArpQueueDrops);
      }
    }
  }

  /** A request for ip: broadcast, or unicast to `knownMac` when refreshing. */
  private sendRequest(ip: u32, knownMac: usize, now: i64): void {
    this.send(ArpOp.Request, knownMac, 0, ip, now);
  }

  /** Sends op from ourMac/ourIp. `ethDst` 0 = broadcast; `targetMac` 0 = zeros. */
  private send(op: u32, ethDst: usize, targetMac: usize, targetIp: u32, now: i64): void {
    const f = this.frame;
    emitEthernetHeader(f, ethDst != 0 ? ethDst : BROADCAST_MAC, this.ourMac, EtherType.Arp);
    emitArp(f + ETH_HEADER_LEN, op, this.ourMac, this.ourIp, targetMac != 0 ? targetMac : ZERO_MAC, targetIp);
    count(Counter.ArpTx);
    linkTransmit(this.driver, f, ETH_HEADER_LEN + ARP_LEN, now);
  }

  /** A broadcast request/reply with an explicit sender IP (probes: 0; announcements: the address). */
  private sendFrom(op: u32, senderIp: u32, targetMac: usize, targetIp: u32, now: i64): void {
    const f = this.frame;
    emitEthernetHeader(f, BROADCAST_MAC, this.ourMac, EtherType.Arp);
    emitArp(f + ETH_HEADER_LEN, op, this.ourMac, senderIp, targetMac != 0 ? targetMac : ZERO_MAC, targetIp);
    count(Counter.ArpTx);
    linkTransmit(this.driver, f, ETH_HEADER_LEN + ARP_LEN, now);
  }
}
