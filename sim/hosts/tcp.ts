// A compact TCP endpoint (RFC 9293) for SimHost: the independent peer that judges our
// stack's TCP. Included: three-way handshake (also simultaneous open), MSS option,
// retransmission with RFC 6298 RTO and Karn's rule, Reno congestion control with NewReno
// partial-ack recovery (RFC 5681, RFC 6582), out-of-order reassembly, flow control with
// zero-window probing, FIN/TIME-WAIT, RST generation and RFC 5961 challenge ACKs. Keep-alive
// probes are answered by the unacceptable-segment rule (RFC 9293 3.10.7.4).
// Not included: window scaling, SACK, timestamps, urgent data, delayed ACKs, Nagle.

import type { EventHandle } from "../core/scheduler.ts";
import type { SimHost } from "./host.ts";
import { IPPROTO_TCP, checksum, ipToString, ip as toIp, pseudoSum, type Ipv4Packet } from "./wire.ts";

export const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

export type TcpState =
  | "SYN-SENT" | "SYN-RECEIVED" | "ESTABLISHED" | "FIN-WAIT-1" | "FIN-WAIT-2" | "CLOSE-WAIT"
  | "CLOSING" | "LAST-ACK" | "TIME-WAIT" | "CLOSED";

export type CloseReason = "closed" | "reset" | "refused" | "timeout" | "aborted";

export interface TcpOptions {
  /** MSS we advertise and cap our segments at. */
  mss: number;
  /** Receive buffer = largest advertised window (no window scaling, so at most 65535). */
  rcvBuf: number;
  /** Deliver data to onData as it arrives; otherwise it waits for read() and fills the window. */
  autoRead: boolean;
  initialRtoUs: number;
  minRtoUs: number;
  maxRtoUs: number;
  /** Retransmissions of one segment before the connection is aborted. */
  maxRetries: number;
  mslUs: number;
}

export const DEFAULT_TCP_OPTIONS: Readonly<TcpOptions> = {
  mss: 1460, rcvBuf: 65535, autoRead: true, initialRtoUs: 1e6, minRtoUs: 200e3, maxRtoUs: 60e6, maxRetries: 12, mslUs: 30e6,
};

export interface TcpSegment {
  src: number; dst: number; sport: number; dport: number;
  seq: number; ack: number; flags: number; wnd: number;
  /** MSS option, when present. */
  mss?: number;
  data: Uint8Array;
}

export interface TcpStats {
  segsIn: number; segsOut: number; retransmits: number; timeouts: number; fastRetransmits: number;
  dupAcksIn: number; outOfOrder: number; challengeAcks: number;
}

// Sequence arithmetic modulo 2^32 (RFC 9293 3.4).
const add = (a: number, n: number) => (a + n) >>> 0;
const diff = (a: number, b: number) => (a - b) | 0;
const lt = (a: number, b: number) => diff(a, b) < 0;
const le = (a: number, b: number) => diff(a, b) <= 0;

export function buildTcp(s: TcpSegment): Uint8Array {
  const optLen = s.mss !== undefined ? 4 : 0;
  const t = new Uint8Array(20 + optLen + s.data.length);
  const v = new DataView(t.buffer);
  v.setUint16(0, s.sport);
  v.setUint16(2, s.dport);
  v.setUint32(4, s.seq);
  v.setUint32(8, s.ack);
  t[12] = ((20 + optLen) / 4) << 4;
  t[13] = s.flags;
  v.setUint16(14, s.wnd);
  if (s.mss !== undefined) { t[20] = 2; t[21] = 4; v.setUint16(22, s.mss); }
  t.set(s.data, 20 + optLen);
  v.setUint16(16, checksum(t, 0, t.length, pseudoSum(s.src, s.dst, IPPROTO_TCP, t.length)));
  return t;
}

/** Parses and verifies a TCP segment; null if malformed or the checksum fails. */
export function parseTcp(p: Ipv4Packet): TcpSegment | null {
  const t = p.payload;
  if (t.length < 20) return null;
  if (checksum(t, 0, t.length, pseudoSum(p.src, p.dst, IPPROTO_TCP, t.length)) !== 0) return null;
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const off = (t[12] >> 4) * 4;
  if (off < 20 || off > t.length) return null;
  let mss: number | undefined;
  for (let i = 20; i < off;) {
    const kind = t[i];
    if (kind === 0) break;
    if (kind === 1) { i++; continue; }
    if (i + 1 >= off || t[i + 1] < 2 || i + t[i + 1] > off) return null;
    if (kind === 2 && t[i + 1] === 4) mss = v.getUint16(i + 2);
    i += t[i + 1];
  }
  return {
    src: p.src, dst: p.dst, sport: v.getUint16(0), dport: v.getUint16(2), seq: v.getUint32(4), ack: v.getUint32(8),
    flags: t[13] & 0x3f, wnd: v.getUint16(14), mss, data: t.subarray(off),
  };
}

/** Growable byte FIFO for the send and unread buffers. */
class ByteQueue {
  private buf = new Uint8Array(4096);
  private start = 0;
  private end = 0;
  get length(): number { return this.end - this.start; }
  push(data: Uint8Array): void {
    if (this.end + data.length > this.buf.length) {
      const need = this.length + data.length;
      const nb = need > this.buf.length / 2 ? new Uint8Array(Math.max(need * 2, 4096)) : this.buf;
      nb.set(this.buf.subarray(this.start, this.end));
      this.buf = nb;
      this.end -= this.start;
      this.start = 0;
    }
    this.buf.set(data, this.end);
    this.end += data.length;
  }
  peek(off: number, len: number): Uint8Array { return this.buf.slice(this.start + off, this.start + off + len); }
  drop(n: number): void { this.start += Math.min(n, this.length); }
  take(n: number): Uint8Array { const d = this.peek(0, Math.min(n, this.length)); this.drop(d.length); return d; }
}

export class TcpConnection {
  state: TcpState;
  readonly stats: TcpStats = { segsIn: 0, segsOut: 0, retransmits: 0, timeouts: 0, fastRetransmits: 0, dupAcksIn: 0, outOfOrder: 0, challengeAcks: 0 };
  closeReason: CloseReason | null = null;
  /** Set when the peer's FIN has been received (end of its data). */
  peerClosed = false;

  onEstablished: () => void = () => {};
  onData: (data: Uint8Array) => void = () => {};
  /** autoRead off: data is waiting in read(). */
  onReadable: () => void = () => {};
  onPeerClosed: () => void = () => {};
  onClose: (reason: CloseReason) => void = () => {};

  // send sequence space
  private iss: number;
  private sndUna: number;
  private sndNxt: number;
  private sndMax: number;
  private sndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private sndBuf = new ByteQueue();
  private bufSeq: number; // sequence number of sndBuf's first byte
  private finQueued = false;
  private sndMss = 536; // RFC 9293 3.7.1 default without the option
  // receive sequence space
  private irs = 0;
  private rcvNxt = 0;
  private unread = new ByteQueue();
  private ooo = new Map<number, { data: Uint8Array; fin: boolean }>();
  // timers and congestion control
  private timer: EventHandle | null = null;
  private twTimer: EventHandle | null = null;
  private rto: number;
  private srtt = -1;
  private rttvar = 0;
  private timing: { seq: number; at: number } | null = null;
  private retries = 0;
  private cwnd: number;
  private ssthresh = 0x7fffffff;
  private dupAcks = 0;
  private recover: number | null = null;

  constructor(
    private layer: TcpLayer, readonly localPort: number, readonly remoteIp: number, readonly remotePort: number,
    readonly opts: TcpOptions, active: boolean,
  ) {
    this.iss = layer.host.rng.u32();
    this.sndUna = this.sndNxt = this.sndMax = this.iss;
    this.bufSeq = add(this.iss, 1);
    this.rto = opts.initialRtoUs;
    this.cwnd = 4 * opts.mss;
    this.state = active ? "SYN-SENT" : "SYN-RECEIVED";
  }

  /** Queues data; false once close() was called or the connection is gone. */
  send(data: Uint8Array): boolean {
    if (this.finQueued || this.state === "CLOSED" || this.state === "TIME-WAIT") return false;
    this.sndBuf.push(data);
    this.output();
    return true;
  }

  /** Graceful close: FIN after all queued data. */
  close(): void {
    if (this.finQueued) return;
    if (this.state === "SYN-SENT") { this.terminate("closed"); return; }
    this.finQueued = true;
    if (this.state === "ESTABLISHED") this.state = "FIN-WAIT-1"; // SYN-RECEIVED moves on when established
    else if (this.state === "CLOSE-WAIT") this.state = "LAST-ACK";
    this.output();
  }

  /** Sends RST and forgets the connection. */
  abort(): void {
    if (this.state === "CLOSED") return;
    if (this.state !== "SYN-SENT" && this.state !== "TIME-WAIT") this.emit(this.sndNxt, 0, RST | ACK);
    this.terminate("aborted");
  }

  /** autoRead off: takes up to `max` received bytes, opening the window. */
  read(max = Infinity): Uint8Array {
    const before = this.rcvWnd();
    const d = this.unread.take(max);
    // Window update when it reopens meaningfully (receiver SWS avoidance, RFC 9293 3.8.6.2.2).
    if (d.length && before < this.sndMss && this.rcvWnd() >= Math.min(this.sndMss, this.opts.rcvBuf / 2)) this.sendAck();
    return d;
  }

  get bytesUnread(): number { return this.unread.length; }
  /** Bytes queued but not yet acknowledged. */
  get bytesUnacked(): number { return this.sndBuf.length; }
  get effectiveMss(): number { return this.sndMss; }

  toString(): string {
    return `tcp ${ipToString(this.layer.host.ip)}:${this.localPort} <-> ${ipToString(this.remoteIp)}:${this.remotePort} ${this.state}`;
  }

  // --- output ---

  private rcvWnd(): number { return Math.min(65535, this.opts.rcvBuf - this.unread.length); }

  private emit(seq: number, ackOrNone: number | null, flags: number, data: Uint8Array = new Uint8Array(0), mss?: number): void {
    this.stats.segsOut++;
    this.layer.sendSegment({
      src: this.layer.host.ip, dst: this.remoteIp, sport: this.localPort, dport: this.remotePort,
      seq, ack: ackOrNone ?? 0, flags, wnd: flags & RST ? 0 : this.rcvWnd(), mss, data,
    });
  }

  private sendAck(): void { this.emit(this.sndNxt, this.rcvNxt, ACK); }

  private get finSeq(): number { return add(this.bufSeq, this.sndBuf.length); }

  /** Sends one segment starting at `seq` (at most `maxLen` data bytes); returns its length in sequence space. */
  private transmit(seq: number, maxLen: number): number {
    if (seq === this.iss) { // SYN not yet acknowledged
      const synAck = this.state === "SYN-RECEIVED";
      this.emit(this.iss, synAck ? this.rcvNxt : null, synAck ? SYN | ACK : SYN, undefined, this.opts.mss);
      return 1;
    }
    const off = diff(seq, this.bufSeq);
    const len = Math.max(0, Math.min(maxLen, this.sndBuf.length - off));
    const fin = this.finQueued && off + len === this.sndBuf.length;
    const data = this.sndBuf.peek(off, len);
    this.emit(seq, this.rcvNxt, ACK | (fin ? FIN : 0) | (len && off + len === this.sndBuf.length ? PSH : 0), data);
    return len + (fin ? 1 : 0);
  }

  private output(forceOne = false): void {
    if (this.state === "SYN-SENT" || this.state === "SYN-RECEIVED") {
      if (this.sndNxt === this.iss) this.advance(this.transmit(this.iss, 0));
      return;
    }
    if (!["ESTABLISHED", "CLOSE-WAIT", "FIN-WAIT-1", "CLOSING", "LAST-ACK"].includes(this.state)) return;
    for (;;) {
      const remaining = this.sndBuf.length - diff(this.sndNxt, this.bufSeq);
      const finToSend = this.finQueued && le(this.sndNxt, this.finSeq);
      const wnd = Math.max(Math.min(this.sndWnd, this.cwnd), forceOne ? 1 : 0);
      const usable = diff(add(this.sndUna, wnd), this.sndNxt);
      const len = Math.min(remaining, usable, this.sndMss);
      if (len <= 0 && !(finToSend && remaining === 0)) break;
      forceOne = false;
      this.advance(this.transmit(this.sndNxt, Math.max(0, len)));
    }
    // Zero window with data waiting: the timer doubles as the persist timer (RFC 9293 3.8.6.1).
    if (this.sndBuf.length > diff(this.sndNxt, this.bufSeq) && this.sndNxt === this.sndUna) this.armTimer();
  }

  private advance(n: number): void {
    const start = this.sndNxt;
    this.sndNxt = add(this.sndNxt, n);
    if (lt(this.sndMax, this.sndNxt)) {
      if (!this.timing && le(this.sndMax, start)) this.timing = { seq: this.sndNxt, at: this.layer.host.sched.now };
      this.sndMax = this.sndNxt;
    } else {
      this.stats.retransmits++;
    }
    this.armTimer();
  }

  private armTimer(): void {
    if (!this.timer) this.timer = this.layer.host.sched.after(this.rto, () => this.onTimer(), "tcp rto");
  }

  private restartTimer(): void {
    this.layer.host.sched.cancel(this.timer);
    this.timer = null;
    if (this.sndMax !== this.sndUna || (this.sndBuf.length > 0 && this.sndWnd === 0)) this.armTimer();
  }

  private onTimer(): void {
    this.timer = null;
    const probing = this.sndWnd === 0 && this.state !== "SYN-SENT" && this.state !== "SYN-RECEIVED";
    if (!probing && ++this.retries > this.opts.maxRetries) {
      this.emit(this.sndNxt, this.rcvNxt, RST | ACK);
      this.terminate("timeout");
      return;
    }
    this.stats.timeouts++;
    if (this.sndMax !== this.sndUna) {
      // RFC 5681 3.1 eq. 4 and RFC 6298 5.5-5.6: collapse cwnd, back off, go back to sndUna.
      this.ssthresh = Math.max(diff(this.sndMax, this.sndUna) / 2, 2 * this.sndMss);
      this.cwnd = this.sndMss;
      this.recover = null;
      this.dupAcks = 0;
    }
    this.rto = Math.min(this.rto * 2, this.opts.maxRtoUs);
    this.timing = null;
    this.sndNxt = this.sndUna;
    this.output(probing);
  }

  // --- input (RFC 9293 3.10.7.4) ---

  /** @internal */
  input(s: TcpSegment): void {
    this.stats.segsIn++;
    if (this.state === "SYN-SENT") { this.inputSynSent(s); return; }
    if (this.state === "SYN-RECEIVED" && s.flags & SYN && !(s.flags & ACK) && s.seq === this.irs) {
      this.transmit(this.iss, 0); // the peer did not get our SYN,ACK
      this.stats.retransmits++;
      return;
    }
    const segLen = s.data.length + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0);
    if (!this.acceptable(s.seq, segLen)) {
      if (!(s.flags & RST)) this.sendAck();
      return;
    }
    if (s.flags & RST) {
      // RFC 5961 3.2: only an exact match resets; otherwise challenge.
      if (s.seq === this.rcvNxt) this.terminate("reset");
      else this.challengeAck();
      return;
    }
    if (s.flags & SYN) { this.challengeAck(); return; } // RFC 5961 4.2
    if (!(s.flags & ACK)) return;
    if (!this.processAck(s)) return;
    if (s.data.length || s.flags & FIN) this.processText(s);
  }

  private acceptable(seq: number, len: number): boolean {
    const wnd = this.rcvWnd();
    const inWnd = (x: number) => le(this.rcvNxt, x) && lt(x, add(this.rcvNxt, wnd));
    if (len === 0) return wnd === 0 ? seq === this.rcvNxt : inWnd(seq);
    if (wnd === 0) return false;
    return inWnd(seq) || inWnd(add(seq, len - 1));
  }

  private challengeAck(): void {
    this.stats.challengeAcks++;
    this.sendAck();
  }

  private inputSynSent(s: TcpSegment): void {
    const ackOk = (s.flags & ACK) !== 0 && lt(this.iss, s.ack) && le(s.ack, this.sndMax);
    if (s.flags & ACK && !ackOk) {
      if (!(s.flags & RST)) this.emit(s.ack, null, RST);
      return;
    }
    if (s.flags & RST) { if (ackOk) this.terminate("refused"); return; }
    if (!(s.flags & SYN)) return;
    this.irs = s.seq;
    this.rcvNxt = add(s.seq, 1);
    this.setPeerMss(s.mss);
    this.updateWindow(s);
    if (ackOk) {
      this.sndUna = s.ack;
      this.retries = 0;
      this.rttSample(s.ack);
      this.restartTimer();
      this.establish();
      this.sendAck();
      this.output();
    } else {
      // Simultaneous open: answer with SYN,ACK from the same ISS.
      this.state = "SYN-RECEIVED";
      this.sndNxt = this.iss;
      this.output();
    }
  }

  /** @internal Active open: sends the SYN. */
  start(): void { if (this.state === "SYN-SENT") this.output(); }

  /** @internal Passive open from a listener's SYN. */
  acceptSyn(s: TcpSegment): void {
    this.irs = s.seq;
    this.rcvNxt = add(s.seq, 1);
    this.setPeerMss(s.mss);
    this.updateWindow(s);
    this.output();
  }

  private setPeerMss(mss: number | undefined): void {
    this.sndMss = Math.max(1, Math.min(mss ?? 536, this.opts.mss));
    this.cwnd = Math.min(4 * this.sndMss, Math.max(2 * this.sndMss, 4380)); // RFC 5681 3.1
  }

  private updateWindow(s: TcpSegment): void {
    this.sndWnd = s.wnd;
    this.sndWl1 = s.seq;
    this.sndWl2 = s.ack;
  }

  private establish(): void {
    this.state = "ESTABLISHED";
    this.onEstablished();
    this.layer.established(this);
  }

  /** Returns false when the segment must not be processed further. */
  private processAck(s: TcpSegment): boolean {
    if (this.state === "SYN-RECEIVED") {
      if (!(lt(this.sndUna, s.ack) && le(s.ack, this.sndMax))) { this.emit(s.ack, null, RST); return false; }
      this.establish();
      if (this.finQueued) this.state = "FIN-WAIT-1";
      this.updateWindow(s);
    }
    if (lt(this.sndMax, s.ack)) { this.sendAck(); return false; } // acks something not yet sent
    const advanced = lt(this.sndUna, s.ack);
    if (advanced) this.ackAdvanced(s.ack);
    else if (s.ack === this.sndUna && !s.data.length && !(s.flags & FIN) && s.wnd === this.sndWnd && this.sndMax !== this.sndUna) {
      this.stats.dupAcksIn++;
      this.duplicateAck();
    }
    if (lt(this.sndWl1, s.seq) || (this.sndWl1 === s.seq && le(this.sndWl2, s.ack))) {
      const reopened = this.sndWnd === 0 && s.wnd > 0;
      this.updateWindow(s);
      if (reopened) this.restartTimer();
    }
    const finAcked = this.finQueued && lt(this.finSeq, this.sndUna);
    if (finAcked) {
      if (this.state === "FIN-WAIT-1") this.state = "FIN-WAIT-2";
      else if (this.state === "CLOSING") this.enterTimeWait();
      else if (this.state === "LAST-ACK") { this.terminate("closed"); return false; }
    }
    this.output();
    return true;
  }

  private ackAdvanced(ack: number): void {
    const acked = diff(ack, this.sndUna);
    const dataAcked = Math.max(0, Math.min(diff(ack, this.bufSeq), this.sndBuf.length));
    this.sndBuf.drop(dataAcked);
    this.bufSeq = add(this.bufSeq, dataAcked);
    this.sndUna = ack;
    if (lt(this.sndNxt, ack)) this.sndNxt = ack;
    this.retries = 0;
    this.rttSample(ack);
    if (this.recover !== null) {
      if (le(this.recover, ack)) { // full ACK: leave fast recovery (RFC 6582 3.2 step 3)
        this.cwnd = this.ssthresh;
        this.recover = null;
      } else { // partial ACK: retransmit the next hole, deflate
        this.transmit(this.sndUna, this.sndMss);
        this.stats.retransmits++;
        this.cwnd = Math.max(this.cwnd - acked + this.sndMss, this.sndMss);
      }
    } else if (this.cwnd < this.ssthresh) {
      this.cwnd += Math.min(acked, this.sndMss);
    } else {
      this.cwnd += Math.max(1, Math.floor((this.sndMss * this.sndMss) / this.cwnd));
    }
    this.dupAcks = 0;
    this.restartTimer();
  }

  private duplicateAck(): void {
    this.dupAcks++;
    if (this.recover !== null) { this.cwnd += this.sndMss; return; }
    if (this.dupAcks !== 3) return;
    // Fast retransmit (RFC 5681 3.2).
    this.stats.fastRetransmits++;
    this.ssthresh = Math.max(diff(this.sndMax, this.sndUna) / 2, 2 * this.sndMss);
    this.recover = this.sndMax;
    this.transmit(this.sndUna, this.sndMss);
    this.stats.retransmits++;
    this.timing = null;
    this.cwnd = this.ssthresh + 3 * this.sndMss;
  }

  private rttSample(ack: number): void {
    if (!this.timing || lt(ack, this.timing.seq)) return;
    const r = this.layer.host.sched.now - this.timing.at;
    this.timing = null;
    if (this.srtt < 0) { this.srtt = r; this.rttvar = r / 2; }
    else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.min(Math.max(this.opts.minRtoUs, this.srtt + Math.max(1000, 4 * this.rttvar)), this.opts.maxRtoUs);
  }

  private processText(s: TcpSegment): void {
    const receiving = this.state === "ESTABLISHED" || this.state === "FIN-WAIT-1" || this.state === "FIN-WAIT-2";
    if (!receiving) { if (s.flags & FIN) this.sendAck(); return; }
    let seq = s.seq, data = s.data, fin = (s.flags & FIN) !== 0;
    const front = diff(this.rcvNxt, seq);
    if (front > 0) { data = data.subarray(Math.min(front, data.length)); seq = this.rcvNxt; }
    const room = this.rcvWnd() - diff(seq, this.rcvNxt);
    if (data.length > room) { data = data.subarray(0, Math.max(0, room)); fin = false; }
    if (seq !== this.rcvNxt) {
      if (data.length || fin) { this.stats.outOfOrder++; this.ooo.set(seq, { data: data.slice(), fin }); }
      this.sendAck(); // duplicate ACK tells the sender about the hole
      return;
    }
    this.deliver(data, fin);
    // Pull queued segments that are now contiguous.
    for (let progress = true; progress && this.ooo.size && !this.peerClosed;) {
      progress = false;
      for (const [q, seg] of this.ooo) {
        if (lt(this.rcvNxt, q)) continue;
        this.ooo.delete(q);
        const skip = diff(this.rcvNxt, q);
        if (skip < seg.data.length || (seg.fin && skip === seg.data.length)) {
          this.deliver(seg.data.subarray(skip, Math.min(seg.data.length, skip + this.rcvWnd())), seg.fin && skip + this.rcvWnd() >= seg.data.length);
        }
        progress = true;
        break;
      }
    }
    this.sendAck();
  }

  private deliver(data: Uint8Array, fin: boolean): void {
    if (this.peerClosed) return;
    this.rcvNxt = add(this.rcvNxt, data.length);
    if (data.length) {
      if (this.opts.autoRead) this.onData(data.slice());
      else { this.unread.push(data); this.onReadable(); }
    }
    if (!fin) return;
    this.rcvNxt = add(this.rcvNxt, 1);
    this.peerClosed = true;
    this.ooo.clear();
    if (this.state === "ESTABLISHED") this.state = "CLOSE-WAIT";
    else if (this.state === "FIN-WAIT-1") this.state = "CLOSING"; // our FIN not yet acked
    else if (this.state === "FIN-WAIT-2") this.enterTimeWait();
    this.onPeerClosed();
  }

  private enterTimeWait(): void {
    this.state = "TIME-WAIT";
    const sched = this.layer.host.sched;
    sched.cancel(this.timer);
    this.timer = null;
    sched.cancel(this.twTimer);
    this.twTimer = sched.after(2 * this.opts.mslUs, () => this.terminate("closed"), "tcp time-wait");
  }

  private terminate(reason: CloseReason): void {
    if (this.state === "CLOSED") return;
    const sched = this.layer.host.sched;
    sched.cancel(this.timer);
    sched.cancel(this.twTimer);
    this.timer = this.twTimer = null;
    this.state = "CLOSED";
    this.closeReason = reason;
    this.layer.remove(this);
    this.onClose(reason);
  }
}

export interface TcpLayerCounters { badSegments: number; rstSent: number; noConnection: number }

export class TcpLayer {
  readonly counters: TcpLayerCounters = { badSegments: 0, rstSent: 0, noConnection: 0 };
  readonly opts: TcpOptions;
  private conns = new Map<string, TcpConnection>();
  private listeners = new Map<number, { onAccept: (c: TcpConnection) => void; opts: TcpOptions }>();
  private passive = new WeakSet<TcpConnection>();
  private nextPort = 49152;

  constructor(readonly host: SimHost, opts: Partial<TcpOptions> = {}) {
    this.opts = { ...DEFAULT_TCP_OPTIONS, ...opts };
    host.onIpProtocol(IPPROTO_TCP, (p) => this.input(p));
  }

  /** Accepts connections on `port`; onAccept runs when the handshake completes. */
  listen(port: number, onAccept: (c: TcpConnection) => void, opts: Partial<TcpOptions> = {}): void {
    if (this.listeners.has(port)) throw new Error(`${this.host.name}: TCP port ${port} already listening`);
    this.listeners.set(port, { onAccept, opts: { ...this.opts, ...opts } });
  }

  unlisten(port: number): void { this.listeners.delete(port); }

  connect(dst: number | string, dport: number, opts: Partial<TcpOptions> & { localPort?: number } = {}): TcpConnection {
    const remote = toIp(dst);
    let lport = opts.localPort ?? 0;
    while (!lport || this.conns.has(key(remote, dport, lport))) {
      lport = this.nextPort;
      this.nextPort = this.nextPort >= 65535 ? 49152 : this.nextPort + 1;
    }
    const c = new TcpConnection(this, lport, remote, dport, { ...this.opts, ...opts }, true);
    this.conns.set(key(remote, dport, lport), c);
    // Start on the scheduler so the caller can set callbacks first.
    this.host.sched.after(0, () => c.start(), "tcp connect");
    return c;
  }

  get connections(): TcpConnection[] { return [...this.conns.values()]; }

  /** @internal */
  sendSegment(s: TcpSegment): void {
    if (s.flags & RST) this.counters.rstSent++;
    this.host.sendIp(s.dst, IPPROTO_TCP, buildTcp(s));
  }

  /** @internal */
  established(c: TcpConnection): void {
    if (this.passive.has(c)) this.listeners.get(c.localPort)?.onAccept(c);
  }

  /** @internal */
  remove(c: TcpConnection): void {
    const k = key(c.remoteIp, c.remotePort, c.localPort);
    if (this.conns.get(k) === c) this.conns.delete(k);
  }

  private input(p: Ipv4Packet): void {
    if (p.dst !== this.host.ip) return; // no TCP to broadcast addresses
    const s = parseTcp(p);
    if (!s) { this.counters.badSegments++; return; }
    const c = this.conns.get(key(s.src, s.sport, s.dport));
    if (c) { c.input(s); return; }
    const l = this.listeners.get(s.dport);
    if (l && !(s.flags & (RST | ACK)) && s.flags & SYN) {
      const nc = new TcpConnection(this, s.dport, s.src, s.sport, l.opts, false);
      this.passive.add(nc);
      this.conns.set(key(s.src, s.sport, s.dport), nc);
      nc.acceptSyn(s);
      return;
    }
    this.counters.noConnection++;
    if (s.flags & RST) return;
    // RFC 9293 3.10.7.1: reset for a segment that matches no connection.
    const segLen = s.data.length + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0);
    if (s.flags & ACK) this.sendSegment({ src: p.dst, dst: s.src, sport: s.dport, dport: s.sport, seq: s.ack, ack: 0, flags: RST, wnd: 0, data: new Uint8Array(0) });
    else this.sendSegment({ src: p.dst, dst: s.src, sport: s.dport, dport: s.sport, seq: 0, ack: add(s.seq, segLen), flags: RST | ACK, wnd: 0, data: new Uint8Array(0) });
  }
}

function key(remoteIp: number, remotePort: number, localPort: number): string {
  return `${remoteIp}:${remotePort}:${localPort}`;
}
