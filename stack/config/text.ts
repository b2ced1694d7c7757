// Text <-> typed value conversion for the console and the host tools (`config set k v`).
// Parsing writes the binary value into a caller buffer and returns its length, or a
// negative ConfigError; it never allocates.
import { SCHEMA, KeyDef, VType, VALUE_MAX } from "./schema";
import { ConfigError } from "./store";
import { Ascii, textLength, textCharAt } from "../runtime/ascii";

@inline function lower(c: i32): i32 { return c >= 65 && c <= 90 ? c + 32 : c; }

/** Case-insensitive: (p, len) equals lowercase text s? */
@ascii export function bytesEqStr<T>(p: usize, len: i32, s: T): bool {
  if (textLength(s) != len) return false;
  for (let i = 0; i < len; i++) if (lower(<i32>load<u8>(p + i)) != textCharAt(s, i)) return false;
  return true;
}

/** Decimal or 0x-hex u32; -1 on error (values above 2^31-1 are not needed here). */
export function parseU32(p: usize, len: i32): i64 {
  if (len < 1 || len > 10) return -1;
  let v: i64 = 0;
  if (len > 2 && load<u8>(p) == 48 && lower(load<u8>(p + 1)) == 120) {
    if (len > 10) return -1;
    for (let i = 2; i < len; i++) {
      const h = hexVal(load<u8>(p + i));
      if (h < 0) return -1;
      v = (v << 4) | h;
    }
    return v;
  }
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(p + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 0xffffffff ? v : -1;
}

export function hexVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  c = lower(c);
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** a.b.c.d into a host-order u32; -1 on error. */
export function parseIp(p: usize, len: i32): i64 {
  let v: i64 = 0, part = -1, dots = 0;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(p + i);
    if (c == 46) {
      if (part < 0 || dots == 3) return -1;
      v = (v << 8) | part; part = -1; dots++;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + c - 48;
      if (part > 255) return -1;
    } else return -1;
  }
  if (part < 0 || dots != 3) return -1;
  return (v << 8) | part;
}

function validHostname(p: usize, len: i32): bool {
  if (len < 1 || len > 32) return false;
  for (let i = 0; i < len; i++) {
    const c = lower(load<u8>(p + i));
    const ok = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c == 45 && i > 0 && i < len - 1);
    if (!ok) return false;
  }
  return true;
}

function inChoices(p: usize, len: i32, choices: Ascii): bool {
  let start = 0;
  const n = choices.length;
  for (let i = 0; i <= n; i++) {
    if (i == n || choices.at(i) == 124) {
      if (i - start == len && memory.compare(choices.ptr + <usize>start, p, <usize>len) == 0) return true;
      start = i + 1;
    }
  }
  return false;
}

function endsWith(s: Ascii, suffix: Ascii): bool {
  const n = s.length, m = suffix.length;
  return m <= n && memory.compare(s.ptr + <usize>(n - m), suffix.ptr, <usize>m) == 0;
}

/**
 * Parses text for schema key `d` into out (at least VALUE_MAX bytes).
 * Returns the value length, or ConfigError.BadValue / TooLong.
 */
export function parseValue(d: KeyDef, p: usize, len: i32, out: usize): i32 {
  const t = d.type;
  if (t == VType.U32) {
    const v = parseU32(p, len);
    if (v < 0 || <u64>v < <u64>d.min || <u64>v > <u64>d.max) return ConfigError.BadValue;
    store<u32>(out, <u32>v);
    return 4;
  }
  if (t == VType.Ip) {
    const v = parseIp(p, len);
    if (v < 0) return ConfigError.BadValue;
    store<u32>(out, <u32>v);
    return 4;
  }
  if (t == VType.Bool) {
    let v = -1;
    if (bytesEqStr(p, len, "1") || bytesEqStr(p, len, "true") || bytesEqStr(p, len, "on") || bytesEqStr(p, len, "yes")) v = 1;
    if (bytesEqStr(p, len, "0") || bytesEqStr(p, len, "false") || bytesEqStr(p, len, "off") || bytesEqStr(p, len, "no")) v = 0;
    if (v < 0) return ConfigError.BadValue;
    store<u8>(out, <u8>v);
    return 1;
  }
  if (t == VType.Bytes) {
    if (len & 1) return ConfigError.BadValue;
    const n = len >> 1;
    if (n > <i32>d.max || n > VALUE_MAX) return ConfigError.TooLong;
    for (let i = 0; i < n; i++) {
      const hi = hexVal(load<u8>(p + 2 * i)), lo = hexVal(load<u8>(p + 2 * i + 1));
      if (hi < 0 || lo < 0) return ConfigError.BadValue;
      store<u8>(out + i, <u8>((hi << 4) | lo));
    }
    if (endsWith(d.name, ".psk") && n != 0 && n != 32) return ConfigError.BadValue;
    return n;
  }
  // Strings.
  if (len > <i32>d.max || len > VALUE_MAX) return ConfigError.TooLong;
  if (len < <i32>d.min) return ConfigError.BadValue;
  if (d.choices.length && !inChoices(p, len, d.choices)) return ConfigError.BadValue;
  if (d.name.is("hostname") && !validHostname(p, len)) return ConfigError.BadValue;
  if (endsWith(d.name, ".pass") && len != 0) {
    if (len < 8) return ConfigError.BadValue;
    for (let i = 0; i < len; i++) { const c = load<u8>(p + i); if (c < 32 || c > 126) return ConfigError.BadValue; }
  }
  if (endsWith(d.name, ".ssid")) {
    for (let i = 0; i < len; i++) if (load<u8>(p + i) < 32) return ConfigError.BadValue;
  }
  if (len && d.name.length == 6 && d.name.at(0) == 104 && d.name.at(4) == 46) {
    // host.N: name=a.b.c.d
    let eq = -1;
    for (let i = 0; i < len; i++) if (load<u8>(p + i) == 61) { eq = i; break; }
    if (eq < 1 || !validHostnameDots(p, eq) || parseIp(p + eq + 1, len - eq - 1) < 0) return ConfigError.BadValue;
  }
  memory.copy(out, p, <usize>len);
  return len;
}

function validHostnameDots(p: usize, len: i32): bool {
  // A DNS name: labels of letters/digits/hyphens separated by dots.
  let label = 0;
  for (let i = 0; i < len; i++) {
    const c = lower(load<u8>(p + i));
    if (c == 46) { if (label == 0) return false; label = 0; continue; }
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45)) return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

/** Index of schema entry by name, or -1. */
export function schemaIndex(name: Ascii): i32 {
  for (let i = 0, n = SCHEMA.length; i < n; i++) if (unchecked(SCHEMA[i]).name.is(name)) return i;
  return -1;
}
