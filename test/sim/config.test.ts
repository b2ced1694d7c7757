// Config store over the simulated NOR flash: persistence, schema defaults, unknown keys,
// power cuts at every program/erase step, and wear levelling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HarnessBoard } from "../../tools/cli/harness-board.ts";
import { NorFlash } from "../../sim/devices/flash.ts";

const VT = { Str: 1, U32: 2, Bool: 3, Ip: 4, Bytes: 5 };

function setRaw(b: HarnessBoard, key: string, type: number, value: Uint8Array): number {
  const p = b.ex.input_buffer();
  const m = new Uint8Array(b.ex.memory.buffer);
  const k = Buffer.from(key);
  m.set(k, p); m.set(value, p + 64);
  return b.ex.cfg_set_raw(p, k.length, type, p + 64, value.length);
}
const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);

/** Stored (non-default) keys as the console reports them. */
function stored(b: HarnessBoard): Record<string, unknown> {
  const r = b.command("config list --set");
  assert.equal(r.ok, true, JSON.stringify(r));
  return r.data;
}

test("values survive a reboot; defaults for unset keys; unset returns to the default", () => {
  const b = new HarnessBoard();
  assert.equal(b.command("config set hostname kitchen").ok, true);
  assert.equal(b.command("config set if.mode static").ok, true);
  assert.equal(b.command("config set if.addr 192.168.1.50").ok, true);
  assert.equal(b.command("config set ka.enable on").ok, true);
  assert.equal(b.command("config commit").data.committed, 4);
  b.boot();
  assert.deepEqual(stored(b), { hostname: "kitchen", "if.mode": "static", "if.addr": "192.168.1.50", "ka.enable": true });
  assert.deepEqual(b.command("config get ka.idle").data, { "ka.idle": 60 });
  b.command("config unset hostname");
  b.command("config commit");
  b.boot();
  assert.deepEqual(b.command("config get hostname").data, { hostname: "wasmnet" });
});

test("bad values and unknown keys are refused with a reason; staged changes can be reverted", () => {
  const b = new HarnessBoard();
  for (const [cmd, err] of [
    ["config set nope 1", "unknown_key"], ["config set if.mode bridge", "bad_value"], ["config set if.addr 1.2.3", "bad_value"],
    ["config set wifi.0.pass short", "bad_value"], ["config set log.level 9", "bad_value"], ["config set hostname bad_name!", "bad_value"],
    ["config set _lease 00", "read_only"], ["config set ota.url " + "u".repeat(97), "too_long"], ["config set host.0 router=10.0.0", "bad_value"],
  ] as const) {
    const r = b.command(cmd);
    assert.equal(r.ok, false, cmd);
    assert.equal(r.err, err, `${cmd}: ${JSON.stringify(r)}`);
  }
  assert.equal(b.command("config set host.0 router.lan=10.0.0.1").ok, true);
  b.command("config set hostname temp");
  assert.equal(b.command("config revert").data.reverted, 2);
  assert.deepEqual(stored(b), {});
});

test("secrets are masked in get, list and wifi list", () => {
  const b = new HarnessBoard();
  b.command('wifi join "Cafe Net" "correct horse battery"');
  b.command("config set wifi.1.psk " + "ab".repeat(32));
  b.command("config commit");
  const all = JSON.stringify(b.command("config list").data) + JSON.stringify(b.command("config get wifi.1.psk").data);
  assert.ok(!all.includes("correct horse") && !all.includes("abab"), all);
  assert.equal(b.command("config get wifi.0.pass").data["wifi.0.pass"], "********");
  b.take();
  b.feed("config get wifi.0.pass\r");
  assert.ok(!b.takeText().includes("correct"));
});

test("keys unknown to this firmware survive compaction", () => {
  const b = new HarnessBoard({ flash: new NorFlash({ sectorSize: 1024, size: 4096 }) });
  assert.equal(setRaw(b, "zz.future", VT.Str, Buffer.from("from-v2")), 0);
  assert.equal(b.ex.cfg_commit(), 0);
  for (let i = 0; i < 200; i++) { b.command(`config set ka.idle ${i + 1}`); b.command("config commit"); }
  assert.ok(b.ex.cfg_compactions() > 5);
  b.boot();
  assert.deepEqual(stored(b), { "zz.future": "from-v2", "ka.idle": 200 });
});

test("an older or foreign store: missing keys read as defaults, a blank flash is an empty store", () => {
  const b = new HarnessBoard();
  assert.equal(b.ex.boot(), 0);
  assert.deepEqual(b.command("config get power").data, { power: "balanced" });
  assert.equal(b.command("status").data.config_sector, null);
});

// ---- power cuts ----------------------------------------------------------------------------

interface Step { set: Record<string, number | string | null> }
function script(n: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    const set: Record<string, number | string | null> = { "ka.idle": i + 1 };
    if (i % 3 === 0) set.hostname = `h${i}`;
    if (i % 5 === 0) set["ota.url"] = `http://ota.example/${"x".repeat(i % 40)}`;
    if (i % 7 === 6) set["ota.url"] = null;
    steps.push({ set });
  }
  return steps;
}

function apply(state: Record<string, unknown>, s: Step): Record<string, unknown> {
  const next = { ...state };
  for (const [k, v] of Object.entries(s.set)) { if (v === null) delete next[k]; else next[k] = v; }
  return next;
}

/** Stages a step through the console and commits; returns the commit reply. */
function runStep(b: HarnessBoard, s: Step) {
  for (const [k, v] of Object.entries(s.set)) b.command(v === null ? `config unset ${k}` : `config set ${k} ${v}`);
  return b.command("config commit");
}

test("a power cut at every program/erase step leaves the old or the new values of the commit", () => {
  const geometry = { sectorSize: 1024, size: 4 * 1024 };
  const steps = script(70);
  // Reference run: how many flash steps does the script take?
  const ref = new NorFlash({ ...geometry, seed: 1 });
  const rb = new HarnessBoard({ flash: ref });
  for (const s of steps) assert.equal(runStep(rb, s).ok, true);
  const total = ref.steps;
  assert.ok(ref.eraseSteps >= 4, `script should compact several times (erases: ${ref.eraseSteps})`);

  let cutsInErase = 0;
  for (let cut = 0; cut < total; cut++) {
    const flash = new NorFlash({ ...geometry, seed: 1000 + cut });
    const b = new HarnessBoard({ flash });
    flash.cutAfter(cut);
    let before: Record<string, unknown> = {};
    let after: Record<string, unknown> = {};
    for (const s of steps) {
      after = apply(before, s);
      const erasesBefore = flash.eraseSteps;
      void erasesBefore;
      const r = runStep(b, s);
      if (!flash.powered) { if (flash.eraseSteps === erasesBefore && r.err === "flash_io" && flash.eraseCounts.reduce((a, c) => a + c, 0) > flash.eraseSteps) cutsInErase++; break; }
      assert.equal(r.ok, true);
      before = after;
    }
    assert.equal(flash.powered, false, `cut ${cut} never happened`);
    b.boot();
    const got = stored(b);
    const ok = JSON.stringify(got) === JSON.stringify(sorted(before, got)) || JSON.stringify(got) === JSON.stringify(sorted(after, got));
    assert.ok(ok, `cut after ${cut} steps: got ${JSON.stringify(got)}\n old ${JSON.stringify(before)}\n new ${JSON.stringify(after)}`);
    // The store keeps working after the cut.
    assert.equal(b.command("config set ka.count 7").ok, true);
    assert.equal(b.command("config commit").ok, true, `commit after cut ${cut}`);
    b.boot();
    assert.equal(stored(b)["ka.count"], 7, `after cut ${cut}`);
  }
  console.log(`power cut at each of ${total} steps (${ref.programSteps} page programs, ${ref.eraseSteps} erases; ${cutsInErase} cuts tore an erase): all consistent`);
  assert.equal(cutsInErase, ref.eraseSteps);
});

/** `want` with keys ordered as in `got` (the console lists keys in schema order). */
function sorted(want: Record<string, unknown>, got: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(got)) if (k in want) out[k] = want[k];
  for (const k of Object.keys(want)) if (!(k in out)) out[k] = want[k];
  return out;
}

// ---- wear --------------------------------------------------------------------------------

test("wear levelling: commits cycle through all sectors with bounded erase counts", () => {
  const flash = new NorFlash();
  const b = new HarnessBoard({ flash });
  b.command('wifi join "Home" "passphrase-1"');
  b.command("config set hostname sensor-12");
  b.command("config commit");
  const p = b.ex.input_buffer();
  new Uint8Array(b.ex.memory.buffer).set(Buffer.from("ka.idle"), p);
  const N = 10_000;
  for (let i = 0; i < N; i++) {
    assert.equal(b.ex.cfg_set_u32(p, 7, (i % 86400) + 1), 0);
    assert.equal(b.ex.cfg_commit(), 0);
  }
  const w = flash.wear();
  const sectors = flash.eraseCounts.length;
  console.log(`wear after ${N} commits: max ${w.max}, mean ${w.mean.toFixed(2)}, min ${w.min} erases over ${sectors} sectors; ${(flash.bytesProgrammed / N).toFixed(1)} bytes programmed per commit`);
  assert.ok(w.min > 0, "every sector is used");
  assert.ok(w.max - w.min <= 1, `uneven wear: ${w.max} vs ${w.min}`);
  // The store's own view of erase counts (from sector headers) matches the device's.
  for (let s = 0; s < sectors; s++) assert.ok(Math.abs(b.ex.cfg_erase_count(s) - flash.eraseCounts[s]) <= 1);
  b.boot();
  assert.equal(b.command("config get ka.idle").data["ka.idle"], ((N - 1) % 86400) + 1);
});
