// The configuration schema: every key the firmware knows, its type, limits and default.
// Keys are short ASCII names (at most 15 bytes, [a-z0-9._-]); values are typed.
// The store keeps keys it does not know (written by newer firmware) untouched, and a key
// missing from the store reads as its default here, so a newer firmware reads an older
// store without migration. SCHEMA_VERSION is written into every sector header; bump it
// (and add a step to migrate() in store.ts) only when a key changes meaning.
// Names, defaults and choices are Ascii (static bytes): the ascii-strings transform turns
// the literals below into constants (stack/runtime/ascii.ts).
import { Ascii } from "../runtime/ascii";

export const SCHEMA_VERSION: u16 = 1;
export const KEY_MAX: i32 = 15;
export const VALUE_MAX: i32 = 128;

export const enum VType { Str = 1, U32 = 2, Bool = 3, Ip = 4, Bytes = 5 }

export const FLAG_SECRET: i32 = 1;   // never printed back
export const FLAG_INTERNAL: i32 = 2; // written by the stack (PMK cache, leases), not by users

// Unmanaged, with byte-sized type and flags: every key costs 32 bytes of the page (a managed
// object with i32 fields took 64).
@unmanaged export class KeyDef {
  type: u8;
  flags: u8;
  constructor(
    public name: Ascii,
    type: i32,
    public min: u32,         // string/bytes: min length (0 = may be empty); u32: min value
    public max: u32,         // string/bytes: max length; u32: max value
    public def: u32,         // default for u32/bool/ipv4
    public defStr: Ascii,    // default for strings
    public choices: Ascii,   // "a|b|c" for enumerated strings, "" otherwise
    flags: i32,
  ) {
    this.type = <u8>type;
    this.flags = <u8>flags;
  }
}

function str(name: Ascii, min: u32, max: u32, defStr: Ascii): KeyDef {
  return new KeyDef(name, VType.Str, min, max, 0, defStr, "", 0);
}
function choice(name: Ascii, choices: Ascii, defStr: Ascii): KeyDef {
  return new KeyDef(name, VType.Str, 1, 16, 0, defStr, choices, 0);
}
function num(name: Ascii, min: u32, max: u32, def: u32): KeyDef {
  return new KeyDef(name, VType.U32, min, max, def, "", "", 0);
}
function flag(name: Ascii, def: bool): KeyDef {
  return new KeyDef(name, VType.Bool, 0, 1, def ? 1 : 0, "", "", 0);
}
function ip(name: Ascii, def: u32): KeyDef {
  return new KeyDef(name, VType.Ip, 0, 0, def, "", "", 0);
}
function secret(d: KeyDef): KeyDef { d.flags |= <u8>FLAG_SECRET; return d; }
function internal(name: Ascii, max: u32): KeyDef {
  return new KeyDef(name, VType.Bytes, 0, max, 0, "", "", FLAG_SECRET | FLAG_INTERNAL);
}

export const WIFI_SLOTS: i32 = 4;

// Created once while the module initialises (top-level code), never afterwards.
export const SCHEMA: StaticArray<KeyDef> = [
  str("wifi.0.ssid", 0, 32, ""),
  secret(str("wifi.0.pass", 0, 63, "")),
  secret(new KeyDef("wifi.0.psk", VType.Bytes, 0, 32, 0, "", "", 0)),
  num("wifi.0.prio", 0, 255, 0),
  str("wifi.1.ssid", 0, 32, ""),
  secret(str("wifi.1.pass", 0, 63, "")),
  secret(new KeyDef("wifi.1.psk", VType.Bytes, 0, 32, 0, "", "", 0)),
  num("wifi.1.prio", 0, 255, 0),
  str("wifi.2.ssid", 0, 32, ""),
  secret(str("wifi.2.pass", 0, 63, "")),
  secret(new KeyDef("wifi.2.psk", VType.Bytes, 0, 32, 0, "", "", 0)),
  num("wifi.2.prio", 0, 255, 0),
  str("wifi.3.ssid", 0, 32, ""),
  secret(str("wifi.3.pass", 0, 63, "")),
  secret(new KeyDef("wifi.3.psk", VType.Bytes, 0, 32, 0, "", "", 0)),
  num("wifi.3.prio", 0, 255, 0),
  choice("if.mode", "dhcp|static", "dhcp"),
  ip("if.addr", 0),
  ip("if.mask", 0xffffff00),
  ip("if.gw", 0),
  ip("if.dns", 0),
  choice("if1.mode", "dhcp|static", "dhcp"), // the same for the Wi-Fi interface
  ip("if1.addr", 0),
  ip("if1.mask", 0xffffff00),
  ip("if1.gw", 0),
  ip("if1.dns", 0),
  str("hostname", 1, 32, "wasmnet"),
  choice("power", "perf|balanced|low", "balanced"),
  flag("ka.enable", false),
  num("ka.idle", 1, 86400, 60),
  num("ka.intvl", 1, 3600, 10),
  num("ka.count", 1, 32, 3),
  choice("failover", "priority|rssi|sticky", "priority"),
  num("fo.retries", 1, 100, 3),
  str("host.0", 0, 48, ""),
  str("host.1", 0, 48, ""),
  str("host.2", 0, 48, ""),
  str("host.3", 0, 48, ""),
  num("log.level", 0, 4, 2),
  ip("app.server", 0),          // default app: TCP server to keep a connection to (0 = off)
  num("app.port", 0, 65535, 0), // its port (0 = off)
  num("app.period", 0, 86400, 30), // heartbeat period, s (0 = none)
  str("ota.url", 0, 96, ""),
  flag("ota.auto", false),
  num("ota.check", 60, 604800, 86400),
  // Per Wi-Fi slot: the PMK record and the BSS last joined (drivers/esp32-wifi/networks.ts).
  internal("_pmk.0", 74),
  internal("_pmk.1", 74),
  internal("_pmk.2", 74),
  internal("_pmk.3", 74),
  internal("_bss.0", 73),
  internal("_bss.1", 73),
  internal("_bss.2", 73),
  internal("_bss.3", 73),
  internal("_lease", 32),   // the DHCP leases of interfaces 0 and 1 (stack/dhcp/lease.ts)
  internal("_lease.1", 32),
];

/** Index into SCHEMA of the key at (ptr, len), or -1. */
export function schemaFind(ptr: usize, len: i32): i32 {
  for (let i = 0, n = SCHEMA.length; i < n; i++) if (unchecked(SCHEMA[i]).name.equals(ptr, len)) return i;
  return -1;
}

/** Keys: 1..15 bytes of [a-z0-9._-]. */
export function validKeyName(ptr: usize, len: i32): bool {
  if (len < 1 || len > KEY_MAX) return false;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(ptr + i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 46 || c == 95 || c == 45)) return false;
  }
  return true;
}
