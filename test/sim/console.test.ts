// The device console as a human and a tool see it: line editing, errors, machine mode,
// registration of commands, and fuzzing with random bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HarnessBoard } from "../../tools/cli/harness-board.ts";
import { Demux, encodeRequest, type MachineReply } from "../../tools/cli/protocol.ts";
import { Rng } from "../../sim/core/rng.ts";

const COUNTER = { ConsoleLinesDropped: 80, ConsoleBadFrames: 81, ConfigCrcErrors: 82 };

test("echo, prompt, backspace, CR, LF and CRLF each end one line", () => {
  const b = new HarnessBoard();
  b.ex.start();
  assert.match(b.takeText(), /wasmnet> $/);
  b.feed("stat\x7fxus\b\b\btus\r");
  const t = b.takeText();
  assert.ok(t.startsWith("stat\b \bxus\b \b\b \b\b \btus\r\n"), JSON.stringify(t));
  assert.match(t, /firmware: wasmnet/);
  for (const eol of ["\r", "\n", "\r\n"]) {
    b.feed(`log level${eol}`);
    const out = b.takeText();
    assert.equal(out.match(/log_level: 2/g)?.length, 1, `${JSON.stringify(eol)}: ${out}`);
    assert.equal(out.match(/wasmnet> /g)?.length, 1, `${JSON.stringify(eol)}: one prompt`);
  }
  b.feed("\x1b[A\x1b[Bhelp\r");
  assert.match(b.takeText(), /config get <key>/, "arrow keys are swallowed");
  b.feed("garbage\x03");
  assert.match(b.takeText(), /\^C\r\nwasmnet> $/);
  b.feed("help\r");
  assert.match(b.takeText(), /reboot/);
});

test("overlong lines and unknown commands get clear errors and are counted", () => {
  const b = new HarnessBoard();
  b.feed("a".repeat(500) + "\r");
  assert.match(b.takeText(), /error: line too long \(max 160 bytes\), discarded\r\nwasmnet> $/);
  assert.equal(b.ex.counter(COUNTER.ConsoleLinesDropped), 1);
  b.feed("frobnicate\r");
  assert.match(b.takeText(), /error: unknown command 'frobnicate' \(try 'help'\)/);
  b.feed("config\r");
  assert.match(b.takeText(), /'config' needs a subcommand: config get, config set/);
  b.feed('config set hostname "unterminated\r');
  assert.match(b.takeText(), /unterminated quote/);
  const r = b.command("x".repeat(300));
  assert.equal(r.err, "line_too_long");
});

test("machine mode: framed JSON replies with a CRC, ids echoed, no echo or prompt", () => {
  const b = new HarnessBoard();
  b.take();
  b.feed(encodeRequest(42, "status"));
  const raw = b.takeText();
  assert.match(raw, /^\{"id":42,"ok":true,"data":\{"firmware":"wasmnet".*\}\}\*[0-9a-f]{8}\r\n$/);
  const replies: MachineReply[] = [];
  new Demux({ reply: (r) => replies.push(r) }).push(Buffer.from(raw));
  assert.equal(replies.length, 1);
  // A corrupted command is refused by its checksum.
  const req = Buffer.from(encodeRequest(7, "config set hostname evil"));
  req[req.length - 3] ^= 0x20;
  b.feed(req);
  const bad: MachineReply[] = [];
  new Demux({ reply: (r) => bad.push(r) }).push(b.take());
  assert.equal(bad[0].err, "bad_checksum");
  assert.equal(b.command("config get hostname").data.hostname, "wasmnet");
  // Without a checksum the command still runs (typed by hand).
  b.feed("@9 config get hostname\r");
  const hand: MachineReply[] = [];
  new Demux({ reply: (r) => hand.push(r) }).push(b.take());
  assert.deepEqual(hand[0], { id: 9, ok: true, data: { hostname: "wasmnet" } });
  // A reply whose bytes are damaged in transit is rejected by the host.
  const d = new Demux({});
  d.push(Buffer.from(raw.replace("wasmnet", "wasmnes")));
  assert.equal(d.badReplies, 1);
});

test("wifi join stores credentials through config (quoted SSID), wifi forget removes them", () => {
  const b = new HarnessBoard();
  assert.deepEqual(b.command('wifi join "Cafe \\"Bar\\"" hunter2hunter2').data, { slot: 0, prio: 1 });
  assert.deepEqual(b.command("wifi join Office").data, { slot: 1, prio: 2 });
  assert.equal(b.command("wifi join x short").err, "bad_value");
  b.boot();
  assert.deepEqual(b.command("wifi list").data, { "wifi.0.ssid": 'Cafe "Bar"', "wifi.1.ssid": "Office" });
  assert.equal(b.command('wifi forget "Cafe \\"Bar\\""').ok, true);
  assert.equal(b.command("wifi forget nothere").err, "unknown_network");
  b.boot();
  assert.deepEqual(b.command("wifi list").data, { "wifi.1.ssid": "Office" });
  // `wifi scan` and `wifi status` come with the Wi-Fi part (stack/app/wifi-link.ts), which this
  // console harness leaves out; test/sim/device-wifi.test.ts runs them on the whole device.
  assert.equal(b.command("wifi scan").err, "usage");
});

test("log level and reboot", () => {
  const b = new HarnessBoard();
  assert.equal(b.command("log level 4").data.log_level, 4);
  assert.equal(b.command("log level 9").err, "bad_value");
  b.command("config set log.level 3"); b.command("config commit");
  const before = b.reboots;
  b.feed("reboot\r");
  assert.equal(b.reboots, before + 1);
  assert.equal(b.command("log level").data.log_level, 3, "log.level applies at boot");
});

test("fuzz: 50k random byte streams never trap or wedge the console, and never touch the store", () => {
  const b = new HarnessBoard();
  b.command("config set hostname fuzzed"); b.command("config commit");
  const writesBefore = b.flash.bytesProgrammed;
  const rng = new Rng(0xf022);
  const words = ["IMPROV", "IMPROV\x01\x03", "@", "@12 ", "config ", "\"", "\\", "\r", "\n", "\x1b[", "\x03", "\x15", "\x7f", "status", "help"];
  // Probing the heap top allocates one empty block itself: measure that step first.
  const probeStep = -b.ex.heap_top() + b.ex.heap_top();
  const heap0 = b.ex.heap_top();
  for (let i = 0; i < 50_000; i++) {
    const n = 1 + rng.int(96);
    const parts: number[] = [];
    while (parts.length < n) {
      if (rng.chance(0.15)) parts.push(...Buffer.from(words[rng.int(words.length)], "latin1"));
      else parts.push(rng.u32() & 0xff);
    }
    // Never write to flash by accident: no newline right after "commit"/"reset"/"join" is
    // likely with random bytes, but make it impossible.
    const bytes = Buffer.from(parts.map((c) => c)).toString("latin1").replace(/commit|reset|join|forget|set|unset|reboot/g, "xx");
    b.feed(Buffer.from(bytes, "latin1"), b.now + 100);
    if (i % 1000 === 999) {
      // After a pause (frame timeout), a fresh line works.
      b.advance(1_000_000);
      const r = b.command("config get hostname", i);
      assert.deepEqual(r.data, { hostname: "fuzzed" }, `after stream ${i}`);
      b.take();
    }
  }
  b.advance(1_000_000);
  assert.equal(b.command("status").ok, true);
  assert.equal(b.flash.bytesProgrammed, writesBefore, "noise wrote to flash");
  assert.equal(b.ex.heap_top(), heap0 + probeStep, "the console allocated");
  assert.equal(b.panics.length, 0);
  console.log(`fuzz: 50000 streams; lines dropped ${b.ex.counter(COUNTER.ConsoleLinesDropped)}, bad frames ${b.ex.counter(COUNTER.ConsoleBadFrames)}`);
});

test("fuzz with writes allowed: random commands and noise never corrupt the store", () => {
  const b = new HarnessBoard();
  const rng = new Rng(77);
  const cmds = ["config set ka.idle 5", "config set hostname a-b", "config commit", "config unset ka.idle", "config commit", "wifi join n1 password1", "wifi forget n1"];
  for (let i = 0; i < 3000; i++) {
    const noise = rng.bytes(rng.int(40));
    b.feed(noise, b.now + 100);
    b.advance(1_000_000);
    b.feed("\x15" + cmds[rng.int(cmds.length)] + "\r", b.now + 100);
  }
  b.advance(1_000_000);
  const live = b.command("config list --set");
  b.boot();
  assert.equal(b.ex.counter(COUNTER.ConfigCrcErrors), 0);
  const reloaded = b.command("config list --set");
  assert.ok(reloaded.ok);
  assert.deepEqual(Object.keys(reloaded.data).filter((k) => !["hostname", "ka.idle"].includes(k) && !k.startsWith("wifi")), []);
  void live;
});
