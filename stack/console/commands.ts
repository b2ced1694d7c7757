// Built-in console commands: help, status, config ..., log level, reboot, wifi join/forget/list
// (`wifi status` and `wifi scan` belong to the Wi-Fi part: stack/app/wifi-link.ts).
import { system_reboot, HAL_ABI_VERSION, LogLevel } from "../../hal/generated/hal";
import { counterValue, Counter } from "../runtime/counters";
import { memStat } from "../runtime/memory";
import { setLogLevel, logLevel } from "../runtime/log";
import { configStore, ConfigError, isInternalDef } from "../config/store";
import { SCHEMA, VType, FLAG_SECRET, FLAG_INTERNAL, schemaFind, validKeyName, KeyDef, VALUE_MAX, WIFI_SLOTS } from "../config/schema";
import { parseValue, parseU32 } from "../config/text";
import { wifiRemember, wifiForget, slotSsidLen, slotSsidPtr, slotPrio, wifiKey, wifiKeyPtr } from "../config/wifi";
import { shell, Args } from "./shell";
import { Reply, flushTx, txDropped } from "./out";
import { improvState, improvFrames, FIRMWARE_NAME, FIRMWARE_VERSION } from "./improv";
import { Ascii, A } from "../runtime/ascii";

const valBuf = memory.data(VALUE_MAX + 4);
export const REBOOT_CONSOLE: i32 = 1;

export function registerBuiltins(): void {
  shell.register("help", "help                   list commands", cmdHelp);
  shell.register("status", "status                 firmware, uptime, memory, config store, counters", cmdStatus);
  shell.register("config get", "config get <key>       show a value (secrets masked)", cmdConfigGet);
  shell.register("config set", "config set <key> <val> stage a change (then: config commit)", cmdConfigSet);
  shell.register("config unset", "config unset <key>     stage a return to the default", cmdConfigUnset);
  shell.register("config list", "config list [prefix] [--set]  all keys; --set: stored ones only", cmdConfigList);
  shell.register("config commit", "config commit          write staged changes to flash", cmdConfigCommit);
  shell.register("config revert", "config revert          drop staged changes", cmdConfigRevert);
  shell.register("config reset", "config reset yes       factory reset: erase every setting", cmdConfigReset);
  shell.register("config schema", "config schema          keys, types and limits", cmdConfigSchema);
  shell.register("log level", "log level [0-4]        show or set the runtime log level", cmdLogLevel);
  shell.register("reboot", "reboot                 restart the device", cmdReboot);
  shell.register("wifi join", "wifi join <ssid> [pass] remember a network (quote names with spaces)", cmdWifiJoin);
  shell.register("wifi forget", "wifi forget <ssid>     forget a network", cmdWifiForget);
  shell.register("wifi list", "wifi list              known networks", cmdWifiList);
}

function cmdHelp(a: Args, r: Reply, now: i64): void {
  for (let i = 0; i < shell.commands; i++) {
    if (r.machine) { r.field(shell.commandName(i)); r.valStr(shell.commandHelp(i)); }
    else r.textLine(shell.commandHelp(i));
  }
  r.textLine("Lines: 160 bytes max; \"quote\" values with spaces; Ctrl-C cancels.");
}

function cmdStatus(a: Args, r: Reply, now: i64): void {
  r.fieldStr("firmware", FIRMWARE_NAME);
  r.fieldStr("version", FIRMWARE_VERSION);
  r.fieldU32("hal_abi", HAL_ABI_VERSION);
  r.fieldI64("uptime_ms", now / 1000);
  r.fieldU32("log_level", logLevel());
  r.fieldU32("mem_reserved", memStat(1));
  r.fieldU32("mem_bytes", memStat(2));
  const cs = configStore;
  r.fieldBool("config_ok", cs.sectors > 0);
  r.fieldU32("config_keys", cs.count);
  r.fieldU32("config_pending", cs.pending);
  r.field("config_sector"); if (cs.active >= 0) r.valU32(cs.active); else r.valNull(); r.endField();
  r.fieldU32("config_sector_used", cs.active >= 0 ? cs.appendOff : 0);
  r.fieldU32("config_sector_bytes", cs.sectorBytes);
  r.fieldU32("config_sectors", cs.sectors);
  let mx: u32 = 0;
  for (let i = 0; i < cs.sectors; i++) if (cs.eraseCount(i) > mx) mx = cs.eraseCount(i);
  r.fieldU32("config_max_erases", mx);
  let known = 0;
  for (let s = 0; s < WIFI_SLOTS; s++) if (slotSsidLen(s) > 0) known++;
  r.fieldU32("wifi_known", known);
  r.fieldU32("improv_state", improvState());
  r.fieldU32("console_lines_dropped", counterValue(Counter.ConsoleLinesDropped));
  r.fieldU32("console_bad_frames", counterValue(Counter.ConsoleBadFrames));
  r.fieldU32("config_crc_errors", counterValue(Counter.ConfigCrcErrors));
  r.fieldU32("console_tx_dropped", txDropped);
}

function failConfig(r: Reply, e: i32, a: Args, keyArg: i32): void {
  if (e == ConfigError.UnknownKey) { r.fail("unknown_key", "unknown key '"); r.msgBytes(a.argPtr(keyArg), a.argLen(keyArg)); r.msg("' (try 'config list')"); }
  else if (e == ConfigError.BadValue) { r.fail("bad_value", "invalid value for "); r.msgBytes(a.argPtr(keyArg), a.argLen(keyArg)); r.msg(" (see 'config schema')"); }
  else if (e == ConfigError.TooLong) { r.fail("too_long", "value too long for "); r.msgBytes(a.argPtr(keyArg), a.argLen(keyArg)); }
  else if (e == ConfigError.ReadOnly) { r.fail("read_only", "internal key, not settable"); }
  else if (e == ConfigError.Full) { r.fail("full", "config cache full"); }
  else if (e == ConfigError.NoSpace) { r.fail("no_space", "config does not fit into one flash sector"); }
  else if (e == ConfigError.Io) { r.fail("flash_io", "flash write failed; nothing changed"); }
  else if (e == ConfigError.NoStore) { r.fail("no_store", "no config partition"); }
  else { r.fail("error", "config error "); r.msgU32(<u32>(-e)); }
}

/** Writes a value in its display form; secrets masked. */
function valueOut(r: Reply, type: u8, p: usize, n: i32, secret: bool): void {
  if (secret) { r.valStr(n > 0 ? "********" : ""); return; }
  if (type == VType.U32 && n == 4) r.valU32(load<u32>(p));
  else if (type == VType.Bool && n == 1) r.valBool(load<u8>(p) != 0);
  else if (type == VType.Ip && n == 4) r.valIp(load<u32>(p));
  else if (type == VType.Str) r.valBytes(p, n);
  else r.valHex(p, n);
}

function defaultOut(r: Reply, d: KeyDef): void {
  if (d.type == VType.U32) r.valU32(d.def);
  else if (d.type == VType.Bool) r.valBool(d.def != 0);
  else if (d.type == VType.Ip) r.valIp(d.def);
  else r.valStr(d.defStr);
}

/** Shows one key: stored value, or the schema default. Returns false if unknown. */
function showKey(r: Reply, kp: usize, kn: i32, onlySet: bool): bool {
  const d = schemaFind(kp, kn);
  const i = configStore.findBytes(kp, kn);
  const live = i >= 0 && !configStore.isDeleted(i);
  if (d < 0 && !live) return false;
  if (onlySet && !live) return true;
  const secret = d >= 0 && (unchecked(SCHEMA[d]).flags & FLAG_SECRET) != 0;
  r.fieldStartBytes(kp, kn);
  if (live) valueOut(r, configStore.typeOf(i), configStore.valuePtr(i), configStore.valueLen(i), secret);
  else defaultOut(r, unchecked(SCHEMA[d]));
  if (!live) r.note("  (default)");
  else if (d < 0) r.note("  (unknown key, kept)");
  if (i >= 0 && configStore.isDirty(i)) r.note("  (uncommitted)");
  r.endField();
  return true;
}

function cmdConfigGet(a: Args, r: Reply, now: i64): void {
  if (a.argc != 1) { r.fail("usage", "usage: config get <key>"); return; }
  if (!showKey(r, a.argPtr(0), a.argLen(0), false)) failConfig(r, ConfigError.UnknownKey, a, 0);
}

function cmdConfigSet(a: Args, r: Reply, now: i64): void {
  if (a.argc != 2) { r.fail("usage", "usage: config set <key> <value>  (quote values with spaces; \"\" for empty)"); return; }
  const kp = a.argPtr(0), kn = a.argLen(0);
  const d = schemaFind(kp, kn);
  if (d < 0) { failConfig(r, ConfigError.UnknownKey, a, 0); return; }
  const def = unchecked(SCHEMA[d]);
  if (isInternalDef(def)) { failConfig(r, ConfigError.ReadOnly, a, 0); return; }
  const n = parseValue(def, a.argPtr(1), a.argLen(1), valBuf);
  if (n < 0) { failConfig(r, n, a, 0); return; }
  const e = configStore.setRaw(kp, kn, def.type, valBuf, n);
  if (e != ConfigError.Ok) { failConfig(r, e, a, 0); return; }
  showKey(r, kp, kn, false);
  r.textLine("staged; 'config commit' writes it to flash");
}

function cmdConfigUnset(a: Args, r: Reply, now: i64): void {
  if (a.argc != 1) { r.fail("usage", "usage: config unset <key>"); return; }
  const kp = a.argPtr(0), kn = a.argLen(0);
  const d = schemaFind(kp, kn);
  if (d < 0 && configStore.findBytes(kp, kn) < 0) { failConfig(r, ConfigError.UnknownKey, a, 0); return; }
  if (d >= 0 && isInternalDef(unchecked(SCHEMA[d]))) { failConfig(r, ConfigError.ReadOnly, a, 0); return; }
  configStore.unsetRaw(kp, kn);
  if (d >= 0) showKey(r, kp, kn, false);
  r.textLine("staged; 'config commit' writes it to flash");
}

function startsWith(kp: usize, kn: i32, pp: usize, pn: i32): bool {
  return pn <= kn && memory.compare(kp, pp, <usize>pn) == 0;
}

function cmdConfigList(a: Args, r: Reply, now: i64): void {
  let pp: usize = 0, pn = 0;
  let onlySet = false;
  for (let k = 0; k < a.argc; k++) {
    if (a.is(k, "--set")) onlySet = true;
    else { pp = a.argPtr(k); pn = a.argLen(k); }
  }
  for (let i = 0, n = SCHEMA.length; i < n; i++) {
    const d = unchecked(SCHEMA[i]);
    const name = d.name;
    if (!startsWith(name.ptr, name.length, pp, pn)) continue;
    if ((d.flags & FLAG_INTERNAL) != 0 && !onlySet && pn == 0) continue; // internal keys only on request
    showKey(r, name.ptr, name.length, onlySet);
  }
  // Keys this firmware does not know (kept for newer firmware).
  for (let i = 0; i < configStore.count; i++) {
    const kp = configStore.keyPtr(i), kn = configStore.keyLen(i);
    if (schemaFind(kp, kn) >= 0 || configStore.isDeleted(i) || !startsWith(kp, kn, pp, pn)) continue;
    showKey(r, kp, kn, onlySet);
  }
}

function cmdConfigCommit(a: Args, r: Reply, now: i64): void {
  const pending = configStore.pending;
  const e = configStore.commit();
  if (e != ConfigError.Ok) { failConfig(r, e, a, 0); return; }
  r.fieldU32("committed", pending);
}

function cmdConfigRevert(a: Args, r: Reply, now: i64): void {
  const pending = configStore.pending;
  configStore.revert();
  r.fieldU32("reverted", pending);
}

function cmdConfigReset(a: Args, r: Reply, now: i64): void {
  if (!(a.argc == 1 && a.is(0, "yes"))) { r.fail("confirm", "this erases every setting, Wi-Fi included; type 'config reset yes'"); return; }
  const e = configStore.factoryReset();
  if (e != ConfigError.Ok) { failConfig(r, e, a, 0); return; }
  r.fieldBool("reset", true);
}

const TYPE_NAMES: StaticArray<Ascii> = [A("?"), A("str"), A("u32"), A("bool"), A("ipv4"), A("bytes")];

function cmdConfigSchema(a: Args, r: Reply, now: i64): void {
  // "type,min,max[,choices a|b][,secret][,internal]" per key.
  for (let i = 0, n = SCHEMA.length; i < n; i++) {
    const d = unchecked(SCHEMA[i]);
    r.field(d.name);
    r.quote();
    r.part(unchecked(TYPE_NAMES[d.type]));
    if (d.type == VType.Str || d.type == VType.Bytes || d.type == VType.U32) {
      r.part(","); r.partU32(d.min); r.part(","); r.partU32(d.max);
    }
    if (d.choices.length) { r.part(",choices="); r.part(d.choices); }
    if (d.flags & FLAG_SECRET) r.part(",secret");
    if (d.flags & FLAG_INTERNAL) r.part(",internal");
    r.quote();
    r.endField();
  }
}

function cmdLogLevel(a: Args, r: Reply, now: i64): void {
  if (a.argc == 1) {
    const v = parseU32(a.argPtr(0), a.argLen(0));
    if (v < 0 || v > LogLevel.Trace) { r.fail("bad_value", "level is 0 (error) .. 4 (trace)"); return; }
    setLogLevel(<i32>v);
  } else if (a.argc > 1) { r.fail("usage", "usage: log level [0-4]"); return; }
  r.fieldU32("log_level", logLevel());
  r.textLine("(runtime only; 'config set log.level N' + commit keeps it across reboots)");
}

function cmdReboot(a: Args, r: Reply, now: i64): void {
  r.fieldBool("rebooting", true);
  r.end();
  flushTx();
  system_reboot(REBOOT_CONSOLE);
}

function cmdWifiJoin(a: Args, r: Reply, now: i64): void {
  if (a.argc < 1 || a.argc > 2) { r.fail("usage", "usage: wifi join <ssid> [passphrase]"); return; }
  const slot = wifiRemember(a.argPtr(0), a.argLen(0), a.argPtr(1), a.argc == 2 ? a.argLen(1) : 0);
  if (slot == ConfigError.BadValue) { r.fail("bad_value", "SSID is 1..32 bytes; passphrase empty, 8..63 printable characters or 64 hex digits"); return; }
  if (slot < 0) { failConfig(r, slot, a, 0); return; }
  r.fieldU32("slot", slot);
  r.fieldU32("prio", slotPrio(slot));
  r.textLine("saved (Wi-Fi joins known networks by priority)");
}

function cmdWifiForget(a: Args, r: Reply, now: i64): void {
  if (a.argc != 1) { r.fail("usage", "usage: wifi forget <ssid>"); return; }
  const slot = wifiForget(a.argPtr(0), a.argLen(0));
  if (slot == -1) { r.fail("unknown_network", "no saved network '"); r.msgBytes(a.argPtr(0), a.argLen(0)); r.msg("'"); return; }
  if (slot < 0) { failConfig(r, slot, a, 0); return; }
  r.fieldU32("forgot_slot", slot);
}

function cmdWifiList(a: Args, r: Reply, now: i64): void {
  for (let s = 0; s < WIFI_SLOTS; s++) {
    const n = slotSsidLen(s);
    if (n == 0) continue;
    r.fieldStartBytes(wifiKeyPtr(), wifiKey(s, "ssid"));
    r.valBytes(slotSsidPtr(s), n);
    r.note("  prio "); if (!r.machine) r.valU32(slotPrio(s));
    r.endField();
  }
}

