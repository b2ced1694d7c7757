// The default application, compiled into the module like any user application would be:
//
// 1. A transfer service on TCP port 5001, for measuring and checking the stack end to end:
//    the client sends one command byte:
//      'S'  sink: everything after it is read and hashed; when the client closes its side
//           the device answers with the byte count (u64, big-endian) and the SHA-1 of the
//           bytes, then closes.
//      'D'  discard: like 'S' but without hashing (the digest is zero), to measure the stack
//           rather than SHA-1 under the interpreter.
//      'G'  generate: a u32 length (big-endian) follows; the device sends that many bytes of
//           PATTERN (byte i = (i * 31 + (i >> 11)) & 0xff), then closes.
//    One connection at a time (backlog 1); a second waits.
// 2. A TCP client with keep-alive (config `app.server`, `app.port`, `app.period`): it
//    connects, says hello, sends a heartbeat line every `app.period` seconds, keeps the
//    connection checked with keep-alive probes (`ka.idle`, `ka.intvl`, `ka.count`), logs the
//    distinct cause when it fails, and reconnects with exponential backoff and jitter.
import { TcpSocket, Tcp, TcpState } from "../transport/tcp";
import { NetError } from "../transport/ip-output";
import { NO_DEADLINE, LogLevel } from "../../hal/generated/hal";
import { reserve } from "../runtime/memory";
import { logBegin, logStr, logU32, logIp, logI64, logEnd } from "../runtime/log";
import { configStore } from "../config/store";
import { sha1Init, sha1Update, sha1Final, SHA1_CTX_SIZE } from "../crypto/sha1";
import { randomBelow } from "../dhcp/udp";
import { fillPattern } from "./pattern";

export const TRANSFER_PORT: u32 = 5001;
const CHUNK: i32 = 512;
const SECOND_US: i64 = 1_000_000;
const BACKOFF_MIN_US: i64 = SECOND_US;
const BACKOFF_MAX_US: i64 = 60 * SECOND_US;

const enum Mode { Command = 0, Sink = 1, Length = 2, Generate = 3, Reply = 4, Closing = 5 }

class Services {
  private tcp: Tcp | null = null;
  private listener: TcpSocket | null = null;
  private conn: TcpSocket | null = null;
  private mode: Mode = Mode.Command;
  private hashing: bool = true;
  private count: u64 = 0;
  private remaining: u32 = 0;
  private lengthBytes: i32 = 0;
  private replyOff: i32 = 0;
  private readonly buf: usize = reserve(CHUNK);
  private readonly sha: usize = reserve(SHA1_CTX_SIZE);
  private readonly reply: usize = reserve(28);

  // Keep-alive client.
  private client: TcpSocket | null = null;
  private clientState: i32 = 0; // 0 idle, 1 connecting, 2 connected, 3 waiting to retry
  private retryAt: i64 = NO_DEADLINE;
  private backoff: i64 = BACKOFF_MIN_US;
  private beatAt: i64 = NO_DEADLINE;
  private beats: u32 = 0;
  /** Last failure cause of the client (NetError), for tests and the log. */
  lastClientError: i32 = 0;
  // Settings, re-read only when a config commit changed them (a lookup costs a search).
  private settingsGeneration: u32 = 0xffffffff;
  private server: u32 = 0;
  private port: u32 = 0;
  private periodUs: i64 = 0;
  private keepIdleUs: i64 = 0;
  private keepIntervalUs: i64 = 0;
  private keepCount: i32 = 0;

  private readSettings(): void {
    if (this.settingsGeneration == configStore.generation) return;
    this.settingsGeneration = configStore.generation;
    this.server = configStore.getIp("app.server");
    this.port = configStore.getU32("app.port");
    this.periodUs = <i64>configStore.getU32("app.period") * SECOND_US;
    this.keepIdleUs = <i64>configStore.getU32("ka.idle") * SECOND_US;
    this.keepIntervalUs = <i64>configStore.getU32("ka.intvl") * SECOND_US;
    this.keepCount = <i32>configStore.getU32("ka.count");
  }

  init(tcp: Tcp): void {
    this.tcp = tcp;
    const l = tcp.socket(true); // a listener uses no rings: the small socket, the large ones for connections
    if (l && l.listen(TRANSFER_PORT, 1) == 0) this.listener = l;
  }

  poll(now: i64): i64 {
    let next = this.serveTransfer(now);
    const c = this.runClient(now);
    return c < next ? c : next;
  }

  // ---- transfer service ----

  private serveTransfer(now: i64): i64 {
    if (!this.conn) {
      const l = this.listener;
      if (!l) return NO_DEADLINE;
      const s = l.accept();
      if (!s) return NO_DEADLINE;
      this.conn = s;
      this.mode = Mode.Command;
      this.count = 0;
      this.lengthBytes = 0;
      this.remaining = 0;
    }
    const s = this.conn!;
    if (s.state == TcpState.Closed) { this.finish(s, now); return NO_DEADLINE; }
    // Work in bounded steps so one busy connection cannot starve the rest of the device;
    // when the steps run out, ask to be polled again at once.
    for (let step = 0; step < 8; step++) {
      if (step == 7) return now;
      if (this.mode == Mode.Command || this.mode == Mode.Sink || this.mode == Mode.Length) {
        const n = s.recv(this.buf, CHUNK, now);
        if (n == 0) break;
        if (n < 0) { this.onEndOfInput(s, now); continue; }
        this.consume(n);
      } else if (this.mode == Mode.Generate) {
        if (!this.generate(s, now)) break;
      } else if (this.mode == Mode.Reply) {
        const sent = s.send(this.reply + this.replyOff, 28 - this.replyOff, now);
        if (sent <= 0) break;
        this.replyOff += sent;
        if (this.replyOff == 28) { s.close(now); this.mode = Mode.Closing; }
      } else {
        // Closing: drain whatever still arrives; release once both sides are done, or once
        // ours is (FIN_WAIT_2: the stack finishes it as an orphan, so a client that vanished
        // does not keep the next one waiting).
        const n = s.recv(this.buf, CHUNK, now);
        if (n > 0) continue;
        const st = s.state;
        if (n < 0 || st == TcpState.Closed || st == TcpState.TimeWait || st == TcpState.FinWait2) { this.finish(s, now); }
        break;
      }
    }
    return NO_DEADLINE;
  }

  private consume(n: i32): void {
    let i = 0;
    if (this.mode == Mode.Command) {
      const cmd = load<u8>(this.buf);
      i = 1;
      if (cmd == 0x53 || cmd == 0x44) { this.mode = Mode.Sink; this.hashing = cmd == 0x53; sha1Init(this.sha); }
      else if (cmd == 0x47) { this.mode = Mode.Length; }
      else { this.mode = Mode.Closing; this.conn!.close(0); return; }
    }
    if (this.mode == Mode.Sink && i < n) {
      if (this.hashing) sha1Update(this.sha, this.buf + i, n - i);
      this.count += <u64>(n - i);
    }
    while (this.mode == Mode.Length && i < n) {
      this.remaining = (this.remaining << 8) | <u32>load<u8>(this.buf + i++);
      if (++this.lengthBytes == 4) { this.mode = Mode.Generate; this.count = 0; }
    }
  }

  private onEndOfInput(s: TcpSocket, now: i64): void {
    if (this.mode == Mode.Sink) {
      for (let b = 0; b < 8; b++) store<u8>(this.reply + b, <u8>(this.count >> (<u64>(56 - 8 * b))));
      if (this.hashing) sha1Final(this.sha, this.reply + 8);
      else memory.fill(this.reply + 8, 0, 20);
      this.replyOff = 0;
      this.mode = Mode.Reply;
      if (logBegin(LogLevel.Info)) { logStr("app: sink received "); logI64(<i64>this.count); logStr(" bytes"); logEnd(); }
    } else if (this.mode != Mode.Generate) {
      s.close(now);
      this.mode = Mode.Closing;
    }
  }

  /** Sends the next part of the pattern; false when the send buffer is full. */
  private generate(s: TcpSocket, now: i64): bool {
    if (this.remaining == 0) { s.close(now); this.mode = Mode.Closing; return true; }
    const space = s.sendSpace();
    if (space <= 0) return false;
    let n = <i32>min<u32>(this.remaining, <u32>min<i32>(space, CHUNK));
    const base = <u32>this.count;
    fillPattern(this.buf, base, n);
    n = s.send(this.buf, n, now);
    if (n <= 0) return false;
    this.count += <u64>n;
    this.remaining -= <u32>n;
    return true;
  }

  private finish(s: TcpSocket, now: i64): void {
    if (s.error != NetError.None && logBegin(LogLevel.Warn)) { logStr("app: transfer ended with error "); logU32(<u32>s.error); logEnd(); }
    s.release(now);
    this.conn = null;
  }

  // ---- keep-alive client ----

  private runClient(now: i64): i64 {
    this.readSettings();
    const server = this.server, port = this.port;
    if (server == 0 || port == 0) return NO_DEADLINE;
    const tcp = this.tcp!;
    if (this.clientState == 0 || (this.clientState == 3 && now >= this.retryAt)) {
      const s = this.client ? this.client : tcp.socket(true); // heartbeat lines: a small socket does
      if (!s) return now + SECOND_US;
      this.client = s;
      s.setKeepAlive(true, this.keepIdleUs, this.keepIntervalUs, this.keepCount);
      if (s.connect(server, port, now) != 0) return this.clientFailed(now, NetError.NetworkUnreachable);
      this.clientState = 1;
      if (logBegin(LogLevel.Info)) { logStr("app: connecting to "); logIp(server); logStr(":"); logU32(port); logEnd(); }
    }
    const s = this.client;
    if (!s) return NO_DEADLINE;
    if (this.clientState == 1 && s.state == TcpState.Established) {
      this.clientState = 2;
      this.backoff = BACKOFF_MIN_US;
      this.beats = 0;
      this.sendLine(s, now);
      if (logBegin(LogLevel.Info)) { logStr("app: connected, keep-alive on"); logEnd(); }
    }
    if ((this.clientState == 1 || this.clientState == 2) && s.state == TcpState.Closed) {
      return this.clientFailed(now, s.error == NetError.None ? NetError.Reset : s.error);
    }
    if (this.clientState == 2) {
      // Drain whatever the server says (it may echo).
      while (s.recv(this.buf, CHUNK, now) > 0) {}
      const period = this.periodUs;
      if (period > 0 && now >= this.beatAt) this.sendLine(s, now);
      return period > 0 ? this.beatAt : NO_DEADLINE;
    }
    return this.clientState == 3 ? this.retryAt : NO_DEADLINE;
  }

  private sendLine(s: TcpSocket, now: i64): void {
    // "beat <n>\n": small, fixed, allocation-free.
    const p = this.buf;
    store<u8>(p, 0x62); store<u8>(p + 1, 0x65); store<u8>(p + 2, 0x61); store<u8>(p + 3, 0x74); store<u8>(p + 4, 0x20);
    let n = 5;
    let v = this.beats++;
    let digits = 1;
    for (let t = v; t >= 10; t /= 10) digits++;
    for (let d = digits - 1; d >= 0; d--) { store<u8>(p + n + d, <u8>(48 + v % 10)); v /= 10; }
    n += digits;
    store<u8>(p + n++, 10);
    s.send(p, n, now);
    this.beatAt = now + this.periodUs;
  }

  private clientFailed(now: i64, error: NetError): i64 {
    this.lastClientError = error;
    if (logBegin(LogLevel.Warn)) {
      logStr("app: connection failed: ");
      logStr(error == NetError.KeepAliveFailed ? "keep-alive failed (peer silent)" : error == NetError.Refused ? "refused" :
        error == NetError.Reset ? "reset by peer" : error == NetError.TimedOut ? "timed out" :
        error == NetError.HostUnreachable ? "host unreachable" : error == NetError.NetworkUnreachable ? "network unreachable" :
        error == NetError.AddressGone ? "address gone" : "error");
      logStr("; retry in "); logI64(this.backoff / 1000); logStr(" ms");
      logEnd();
    }
    const s = this.client;
    if (s) { s.release(now); this.client = null; }
    // Exponential backoff with up to 25% jitter, so a fleet does not reconnect in lockstep.
    this.retryAt = now + this.backoff + <i64>randomBelow(<u64>(this.backoff / 4));
    this.backoff = min<i64>(this.backoff * 2, BACKOFF_MAX_US);
    this.clientState = 3;
    return this.retryAt;
  }
}

export const services = new Services();
