// The console's `ping`: echo requests every `interval`, then a summary (sent, received,
// loss, RTT min/avg/max and the first RTTs one by one). RTTs come from the `now` values
// of the send and of the reply; the run ends `timeout` after the last request.
import { Icmp, EchoReplyListener, MAX_ECHO_DATA } from "./icmp";
import { NO_DEADLINE } from "../../hal/generated/hal";

export const DEFAULT_PING_TIMEOUT_US: i64 = 1_000_000;

export class Pinger extends EchoReplyListener {
  running: bool = false;
  sent: i32 = 0;
  received: i32 = 0;
  /** Replies to sequence numbers already answered or never sent. */
  duplicates: i32 = 0;
  rttMin: i64 = 0;
  rttMax: i64 = 0;
  rttSum: i64 = 0;

  private dst: u32 = 0;
  private total: i32 = 0;
  private dataLen: i32 = 0;
  private interval: i64 = 0;
  private timeout: i64 = 0;
  private nextSend: i64 = 0;
  private lastSend: i64 = 0;
  private ident: u32 = 0x5700;
  /** Send time of each request (by seq), -1 once answered. */
  private sentAt: StaticArray<i64>;
  private rtts: StaticArray<i64>;

  /** `maxCount`: the largest count a run may ask for (RTTs are kept for all of them). */
  constructor(private icmp: Icmp, readonly maxCount: i32 = 16) {
    super();
    this.sentAt = new StaticArray<i64>(maxCount);
    this.rtts = new StaticArray<i64>(maxCount);
    icmp.echoListener = this;
  }

  /** Starts a run; false (and nothing sent) for bad arguments. Replaces a run in progress. */
  start(dst: u32, count: i32, dataLen: i32, intervalUs: i64, now: i64, timeoutUs: i64 = DEFAULT_PING_TIMEOUT_US): bool {
    if (count <= 0 || count > this.maxCount || dataLen < 0 || dataLen > MAX_ECHO_DATA || intervalUs < 0 || timeoutUs <= 0) return false;
    this.dst = dst;
    this.total = count;
    this.dataLen = dataLen;
    this.interval = intervalUs;
    this.timeout = timeoutUs;
    this.sent = 0;
    this.received = 0;
    this.duplicates = 0;
    this.rttMin = 0;
    this.rttMax = 0;
    this.rttSum = 0;
    this.ident = (this.ident + 1) & 0xffff; // replies to an earlier run do not count
    this.running = true;
    this.nextSend = now;
    this.poll(now);
    return true;
  }

  stop(): void { this.running = false; }

  /** Sends the requests that are due and ends the run after the last timeout. */
  poll(now: i64): i64 {
    if (!this.running) return NO_DEADLINE;
    if (this.sent < this.total && now >= this.nextSend) {
      const seq = this.sent;
      this.sentAt[seq] = now;
      this.sent++;
      this.lastSend = now;
      this.nextSend = now + this.interval;
      this.icmp.sendEcho(this.dst, this.ident, <u32>seq, this.dataLen, now);
    }
    if (this.sent < this.total) return this.nextSend;
    const end = this.lastSend + this.timeout;
    if (this.received == this.total || now >= end) { this.running = false; return NO_DEADLINE; }
    return end;
  }

  onEchoReply(src: u32, ident: u32, seq: u32, data: usize, len: i32, now: i64): void {
    if (ident != this.ident || src != this.dst) return;
    if (seq >= <u32>this.sent || len != this.dataLen || this.sentAt[seq] < 0) { this.duplicates++; return; }
    const rtt = now - this.sentAt[seq];
    if (rtt > this.timeout) return; // too late: already counted as lost
    this.sentAt[seq] = -1;
    this.rtts[this.received] = rtt;
    if (this.received == 0 || rtt < this.rttMin) this.rttMin = rtt;
    if (rtt > this.rttMax) this.rttMax = rtt;
    this.rttSum += rtt;
    this.received++;
    if (this.received == this.total) this.running = false;
  }

  /** RTT of the i-th reply received (arrival order), in µs. */
  rtt(i: i32): i64 { return i >= 0 && i < this.received ? this.rtts[i] : -1; }
  rttAvg(): i64 { return this.received > 0 ? this.rttSum / this.received : 0; }
  /** Whole percent of requests without a reply (so far). */
  lossPercent(): i32 { return this.sent > 0 ? (this.sent - this.received) * 100 / this.sent : 0; }
}
