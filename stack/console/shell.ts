// The device console on a UART: a line editor for humans (echo, backspace, CR/LF/CRLF,
// Ctrl-C, Ctrl-U, arrow-key escape sequences swallowed, bounded lines), a command table
// other parts register into, a machine mode for host tools, and Improv Wi-Fi frames
// interleaved with the text. Everything is fed bytes and `now`; output goes through the
// bounded transmit buffer in out.ts. Nothing allocates after init.
//
// Machine mode: a line `@<id>[/<crc32 hex of the command>] <command ...>` runs the same
// command and answers with exactly one JSON line (see out.ts). It is not echoed and gets
// no prompt, so tools never parse human text.
import { count, Counter } from "../runtime/counters";
import { Reply, putc, puts, putBytes, crlf, flushTx, txPending, setUartPort, putU32 } from "./out";
import { crc32 } from "../config/crc32";
import { improvFeed, improvPoll, improvNextDeadline, IMPROV_HEADER } from "./improv";
import { Ascii, A } from "../runtime/ascii";

export const LINE_MAX: i32 = 160;
export const MAX_ARGS: i32 = 10;
export const MAX_COMMANDS: i32 = 40;

/** A command handler. Tokens are in `a`; results go to `r` (then the shell ends it). */
export type CommandFn = (a: Args, r: Reply, now: i64) => void;

const line = memory.data(LINE_MAX + 1);
const tokOff = memory.data(MAX_ARGS * 2);
const tokLen = memory.data(MAX_ARGS * 2);

export class Args {
  count: i32 = 0;
  /** Index of the first argument after the command name(s). */
  first: i32 = 0;
  ptr(i: i32): usize { return line + <usize>load<u16>(tokOff + (<usize>i << 1)); }
  len(i: i32): i32 { return i < this.count ? <i32>load<u16>(tokLen + (<usize>i << 1)) : 0; }
  /** Number of arguments after the command name. */
  get argc(): i32 { return this.count - this.first; }
  argPtr(i: i32): usize { return this.ptr(this.first + i); }
  argLen(i: i32): i32 { return this.len(this.first + i); }
  is(i: i32, s: Ascii): bool { return i < this.argc && s.equals(this.argPtr(i), this.argLen(i)); }
}

const names = new StaticArray<Ascii>(MAX_COMMANDS);
const helps = new StaticArray<Ascii>(MAX_COMMANDS);
const fns = new StaticArray<usize>(MAX_COMMANDS);

export const PROMPT = A("wasmnet> ");

export class Shell {
  readonly args: Args = new Args();
  readonly reply: Reply = new Reply();
  private readonly busy: Reply = new Reply();
  commands: i32 = 0;
  private lineLen: i32 = 0;
  private overflow: bool = false;
  private echo: bool = true;
  private lastCR: bool = false;
  private esc: i32 = 0;
  private cancelFn: usize = 0;
  started: bool = false;
  /** The latest `now` seen (µs), for uptime. */
  now: i64 = 0;
  linesRun: u32 = 0;

  init(port: i32): void { setUartPort(port); }

  /**
   * Registers (or replaces) a command. `name` is one word ("status") or two ("wifi scan");
   * `help` is one line, e.g. "wifi scan            list nearby networks".
   * Call during init only. Returns false when the table is full.
   */
  register(name: Ascii, help: Ascii, fn: CommandFn): bool {
    for (let i = 0; i < this.commands; i++) {
      if (name.equals(unchecked(names[i]).ptr, unchecked(names[i]).length)) { unchecked(helps[i] = help); unchecked(fns[i] = changetype<usize>(fn)); return true; }
    }
    if (this.commands >= MAX_COMMANDS) return false;
    const i = this.commands++;
    unchecked(names[i] = name); unchecked(helps[i] = help); unchecked(fns[i] = changetype<usize>(fn));
    return true;
  }
  commandName(i: i32): Ascii { return unchecked(names[i]); }
  commandHelp(i: i32): Ascii { return unchecked(helps[i]); }

  /** Prints the banner and prompt once the console is up. */
  start(): void { this.started = true; crlf(); puts("wasmnet console; type 'help'"); crlf(); puts(PROMPT); flushTx(); }

  /** Bytes received on the console UART. */
  onBytes(ptr: usize, len: i32, now: i64): void {
    this.now = now;
    this.replay(improvPoll(now));
    for (let i = 0; i < len; i++) {
      const c = <i32>load<u8>(ptr + i);
      let r = improvFeed(c, now);
      if (r > 0) { this.replay(r); r = improvFeed(c, now); }
      if (r == 0) this.editByte(c, now);
    }
    flushTx();
  }

  /** Timers (Improv frame timeouts) and draining the transmit buffer. Returns the next deadline or NO_DEADLINE (i64.MAX). */
  poll(now: i64): i64 {
    this.now = now;
    this.replay(improvPoll(now));
    flushTx();
    let next = improvNextDeadline();
    if (txPending() > 0) { const t = now + 2000; if (t < next) next = t; }
    return next;
  }

  private replay(n: i32): void {
    for (let i = 0; i < n; i++) this.editByte(IMPROV_HEADER.at(i), this.now);
  }

  private editByte(c: i32, now: i64): void {
    // ESC [ ... final / ESC O x (arrow and function keys) are swallowed; a control
    // character ends the sequence and is handled normally.
    if (this.esc != 0 && c < 0x20) this.esc = 0;
    else if (this.esc == 1) { this.esc = c == 91 || c == 79 ? 2 : 0; return; }
    else if (this.esc == 2) { if (c >= 0x40 && c <= 0x7e || c > 0x7e) this.esc = 0; return; }
    if (c == 27) { this.esc = 1; return; }
    if (c == 13) { this.lastCR = true; this.endLine(now); return; }
    if (c == 10) { if (this.lastCR) { this.lastCR = false; return; } this.endLine(now); return; }
    this.lastCR = false;
    if (c == 8 || c == 127) {
      if (this.lineLen > 0 && !this.overflow) {
        // Remove one character, including the continuation bytes of a UTF-8 sequence.
        let n = this.lineLen - 1;
        while (n > 0 && (load<u8>(line + n) & 0xc0) == 0x80) n--;
        this.lineLen = n;
        if (this.echo) puts("\b \b");
      }
      return;
    }
    if (c == 3) {
      if (this.reply.deferred) this.cancelDeferred();
      this.resetLine();
      if (this.echo) { puts("^C"); crlf(); puts(PROMPT); }
      this.echo = true;
      return;
    }
    if (c == 21) { // Ctrl-U: kill the line
      if (this.echo) for (let i = 0; i < this.lineLen; i++) puts("\b \b");
      this.resetLine();
      this.echo = true;
      return;
    }
    if (c == 9) c = 32;
    if (c < 32) return;
    if (this.lineLen == 0 && !this.overflow && c == 64) this.echo = false;
    if (this.lineLen < LINE_MAX) {
      store<u8>(line + this.lineLen++, <u8>c);
      if (this.echo) putc(c);
    } else this.overflow = true;
  }

  private resetLine(): void { this.lineLen = 0; this.overflow = false; }

  private endLine(now: i64): void {
    const human = this.echo;
    this.echo = true;
    if (human) crlf();
    if (this.overflow) {
      count(Counter.ConsoleLinesDropped);
      const id = this.machineId();
      const r = this.reply.deferred ? this.busy : this.reply;
      r.begin(!human, id < 0 ? 0 : <u32>id);
      r.fail("line_too_long", "line too long (max ");
      r.msgU32(LINE_MAX); r.msg(" bytes), discarded");
      r.end();
      this.resetLine();
      if (human) puts(PROMPT);
      return;
    }
    if (this.lineLen == 0) { if (human) puts(PROMPT); return; }
    this.linesRun++;
    this.execute(!human, now);
    this.resetLine();
  }

  /** The id of a machine line in the buffer, or -1. */
  private machineId(): i64 {
    if (this.lineLen < 2 || load<u8>(line) != 64) return -1;
    let v: i64 = 0, i = 1;
    for (; i < this.lineLen && i < 11; i++) {
      const c = <i32>load<u8>(line + i) - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
    }
    return i > 1 && v <= 0xffffffff ? v : -1;
  }

  private execute(machine: bool, now: i64): void {
    const r = this.reply;
    let start = 0;
    let id: u32 = 0;
    if (machine) {
      const v = this.machineId();
      let i = 1;
      while (i < this.lineLen && load<u8>(line + i) >= 48 && load<u8>(line + i) <= 57) i++;
      if (v < 0) { count(Counter.ConsoleBadFrames); r.begin(true, 0); r.fail("bad_request", "expected @<id> <command>"); r.end(); return; }
      id = <u32>v;
      if (this.reply.deferred) { const b = this.busy; b.begin(true, id); b.fail("busy", "a command is still running"); b.end(); return; }
      if (i < this.lineLen && load<u8>(line + i) == 47) { // '/' crc32 of the command text
        const crcAt = i + 1;
        i += 9;
        if (i > this.lineLen || !this.checkCrc(crcAt, i + 1)) {
          count(Counter.ConsoleBadFrames);
          r.begin(true, id); r.fail("bad_checksum", "command checksum mismatch"); r.end(); return;
        }
      }
      if (i < this.lineLen && load<u8>(line + i) != 32) { count(Counter.ConsoleBadFrames); r.begin(true, id); r.fail("bad_request", "expected @<id> <command>"); r.end(); return; }
      start = i + 1;
    } else if (this.reply.deferred) {
      puts("error: busy (Ctrl-C cancels)"); crlf(); return;
    }
    r.begin(machine, id);
    const a = this.args;
    if (!this.tokenize(start)) {
      r.fail("bad_request", "unterminated quote"); this.finish(); return;
    }
    if (a.count == 0) { r.fail("bad_request", "empty command"); this.finish(); return; }
    const cmd = this.lookup();
    if (cmd < 0) {
      // A group name alone ("config") lists its subcommands.
      let group = false;
      for (let k = 0; k < this.commands; k++) {
        if (!this.prefixIs(unchecked(names[k]), 0)) continue;
        if (!group) { r.fail("usage", "'"); r.msgBytes(a.ptr(0), a.len(0)); r.msg("' needs a subcommand: "); group = true; } else r.msg(", ");
        r.msg(unchecked(names[k]));
      }
      if (!group) { r.fail("unknown_command", "unknown command '"); r.msgBytes(a.ptr(0), a.len(0)); }
      if (!group) r.msg("' (try 'help')");
      this.finish();
      return;
    }
    this.cancelFn = 0;
    changetype<CommandFn>(unchecked(fns[cmd]))(a, r, now);
    if (!r.deferred) this.finish();
  }

  private checkCrc(at: i32, cmdStart: i32): bool {
    let v: u32 = 0;
    for (let k = 0; k < 8; k++) {
      const c = <i32>load<u8>(line + at + k);
      let h = -1;
      if (c >= 48 && c <= 57) h = c - 48; else if (c >= 97 && c <= 102) h = c - 87; else if (c >= 65 && c <= 70) h = c - 55;
      if (h < 0) return false;
      v = (v << 4) | <u32>h;
    }
    const n = this.lineLen - cmdStart;
    return n >= 0 && crc32(line + cmdStart, n) == v;
  }

  private finish(): void {
    const r = this.reply;
    const machine = r.machine;
    r.end();
    if (!machine) puts(PROMPT);
  }

  /** A deferred command delivers its result: fill shell.reply, then call this. */
  finishDeferred(): void {
    if (!this.reply.deferred) return;
    this.reply.deferred = false;
    this.cancelFn = 0;
    this.finish();
    flushTx();
  }

  /** A deferred command may set a cancel hook (Ctrl-C). */
  onCancel(fn: () => void): void { this.cancelFn = changetype<usize>(fn); }

  private cancelDeferred(): void {
    const f = this.cancelFn;
    this.cancelFn = 0;
    if (f) changetype<() => void>(f)();
    const r = this.reply;
    r.deferred = false;
    r.fail("cancelled", "cancelled");
    r.end();
  }

  /** Splits line[start..] into tokens; "double quotes" group, \" and \\ escape inside them. */
  private tokenize(start: i32): bool {
    const a = this.args;
    a.count = 0; a.first = 0;
    let i = start;
    const n = this.lineLen;
    while (i < n) {
      while (i < n && load<u8>(line + i) == 32) i++;
      if (i >= n) break;
      if (a.count == MAX_ARGS) return true;
      let w = i; // write position (unescaping in place)
      const begin = i;
      if (load<u8>(line + i) == 34) {
        i++;
        let closed = false;
        while (i < n) {
          let c = load<u8>(line + i);
          if (c == 92 && i + 1 < n) { i++; c = load<u8>(line + i); }
          else if (c == 34) { closed = true; i++; break; }
          store<u8>(line + w++, c);
          i++;
        }
        if (!closed) return false;
      } else {
        while (i < n && load<u8>(line + i) != 32) store<u8>(line + w++, load<u8>(line + i++));
      }
      store<u16>(tokOff + (<usize>a.count << 1), <u16>begin);
      store<u16>(tokLen + (<usize>a.count << 1), <u16>(w - begin));
      a.count++;
    }
    return true;
  }

  /** Does command name `s` start with token t as its first word? */
  private prefixIs(s: Ascii, t: i32): bool {
    const a = this.args;
    const n = a.len(t);
    return s.length > n && s.at(n) == 32 && memory.compare(s.ptr, a.ptr(t), <usize>n) == 0;
  }

  private lookup(): i32 {
    const a = this.args;
    let one = -1;
    for (let k = 0; k < this.commands; k++) {
      const s = unchecked(names[k]);
      const p0 = a.ptr(0), n0 = a.len(0);
      if (s.equals(p0, n0)) { one = k; continue; }
      if (a.count >= 2 && s.length == n0 + 1 + a.len(1) && this.prefixIs(s, 0)) {
        const n1 = a.len(1);
        if (memory.compare(s.ptr + <usize>(n0 + 1), a.ptr(1), <usize>n1) == 0) { a.first = 2; return k; }
      }
    }
    if (one >= 0) a.first = 1;
    return one;
  }
}

export const shell = new Shell();
