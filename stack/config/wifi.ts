// Known Wi-Fi networks in the config store: WIFI_SLOTS slots of wifi.N.{ssid,pass,psk,prio}.
// Shared by the console (`wifi join/forget/list`) and Improv provisioning.
import { configStore, ConfigError } from "./store";
import { VType, WIFI_SLOTS } from "./schema";
import { hexVal } from "./text";
import { Ascii } from "../runtime/ascii";

const keyBuf = memory.data(16);
const valBuf = memory.data(64);

/** Builds "wifi.<slot>.<field>" in keyBuf; returns its length. */
export function wifiKey(slot: i32, field: Ascii): i32 {
  store<u8>(keyBuf, 119); store<u8>(keyBuf, 105, 1); store<u8>(keyBuf, 102, 2); store<u8>(keyBuf, 105, 3);
  store<u8>(keyBuf, 46, 4); store<u8>(keyBuf, <u8>(48 + slot), 5); store<u8>(keyBuf, 46, 6);
  memory.copy(keyBuf + 7, field.ptr, <usize>field.length);
  return 7 + field.length;
}
export function wifiKeyPtr(): usize { return keyBuf; }

/** Builds "_pmk.<slot>" (the slot's persisted PMK record) in keyBuf; returns its length. */
export function pmkKey(slot: i32): i32 { return internalKey(112, 109, 107, slot); }
/** Builds "_bss.<slot>" (the BSS the slot's network was last joined at) in keyBuf. */
export function bssKey(slot: i32): i32 { return internalKey(98, 115, 115, slot); }

function internalKey(a: u8, b: u8, c: u8, slot: i32): i32 {
  store<u8>(keyBuf, 95); store<u8>(keyBuf, a, 1); store<u8>(keyBuf, b, 2); store<u8>(keyBuf, c, 3);
  store<u8>(keyBuf, 46, 4); store<u8>(keyBuf, <u8>(48 + slot), 5);
  return 6;
}

/** Index in the RAM table of a slot's field, or -1. */
function entry(slot: i32, field: Ascii): i32 {
  const i = configStore.findBytes(keyBuf, wifiKey(slot, field));
  return i >= 0 && !configStore.isDeleted(i) ? i : -1;
}

export function slotSsidLen(slot: i32): i32 {
  const i = entry(slot, "ssid");
  return i < 0 ? 0 : configStore.valueLen(i);
}
export function slotSsidPtr(slot: i32): usize {
  const i = entry(slot, "ssid");
  return i < 0 ? 0 : configStore.valuePtr(i);
}
export function slotPrio(slot: i32): u32 {
  const i = entry(slot, "prio");
  return i < 0 || configStore.valueLen(i) != 4 ? 0 : load<u32>(configStore.valuePtr(i));
}

/** Slot holding this SSID, or -1. */
export function findSsid(ssid: usize, len: i32): i32 {
  for (let s = 0; s < WIFI_SLOTS; s++) {
    const n = slotSsidLen(s);
    if (n == len && n > 0 && memory.compare(slotSsidPtr(s), ssid, <usize>len) == 0) return s;
  }
  return -1;
}

/** Checks SSID and passphrase: SSID 1..32 bytes; pass empty (open), 8..63 printable ASCII, or 64 hex digits (a PSK). */
export function validCredentials(ssid: usize, ssidLen: i32, pass: usize, passLen: i32): bool {
  if (ssidLen < 1 || ssidLen > 32) return false;
  for (let i = 0; i < ssidLen; i++) if (load<u8>(ssid + i) < 32) return false;
  if (passLen == 0) return true;
  if (passLen == 64) {
    for (let i = 0; i < 64; i++) if (hexVal(load<u8>(pass + i)) < 0) return false;
    return true;
  }
  if (passLen < 8 || passLen > 63) return false;
  for (let i = 0; i < passLen; i++) { const c = load<u8>(pass + i); if (c < 32 || c > 126) return false; }
  return true;
}

/**
 * Stages and commits a known network: reuses the slot of the same SSID, else a free one,
 * else replaces the lowest-priority one. The new network gets the highest priority.
 * Returns the slot, or a negative ConfigError.
 */
export function wifiRemember(ssid: usize, ssidLen: i32, pass: usize, passLen: i32): i32 {
  if (!validCredentials(ssid, ssidLen, pass, passLen)) return ConfigError.BadValue;
  let slot = findSsid(ssid, ssidLen);
  let top: u32 = 0;
  for (let s = 0; s < WIFI_SLOTS; s++) if (slotSsidLen(s) > 0 && slotPrio(s) > top) top = slotPrio(s);
  if (slot < 0) for (let s = 0; s < WIFI_SLOTS && slot < 0; s++) if (slotSsidLen(s) == 0) slot = s;
  if (slot < 0) {
    let low: u32 = 0xffffffff;
    for (let s = 0; s < WIFI_SLOTS; s++) if (slotPrio(s) < low) { low = slotPrio(s); slot = s; }
  }
  let r = configStore.setRaw(keyBuf, wifiKey(slot, "ssid"), VType.Str, ssid, ssidLen);
  if (r == ConfigError.Ok) {
    if (passLen == 64) {
      for (let i = 0; i < 32; i++) store<u8>(valBuf + i, <u8>((hexVal(load<u8>(pass + 2 * i)) << 4) | hexVal(load<u8>(pass + 2 * i + 1))));
      r = configStore.setRaw(keyBuf, wifiKey(slot, "psk"), VType.Bytes, valBuf, 32);
      if (r == ConfigError.Ok) r = configStore.unsetRaw(keyBuf, wifiKey(slot, "pass"));
    } else {
      r = configStore.setRaw(keyBuf, wifiKey(slot, "pass"), VType.Str, pass, passLen);
      if (r == ConfigError.Ok) r = configStore.unsetRaw(keyBuf, wifiKey(slot, "psk"));
    }
  }
  if (r == ConfigError.Ok) {
    store<u32>(valBuf, top < 255 ? top + 1 : 255);
    r = configStore.setRaw(keyBuf, wifiKey(slot, "prio"), VType.U32, valBuf, 4);
  }
  if (r == ConfigError.Ok) r = configStore.commit();
  return r == ConfigError.Ok ? slot : r;
}

/** Removes a known network (all four keys of its slot) and commits. Returns the slot or -1 if unknown. */
export function wifiForget(ssid: usize, ssidLen: i32): i32 {
  const slot = findSsid(ssid, ssidLen);
  if (slot < 0) return -1;
  configStore.unsetRaw(keyBuf, wifiKey(slot, "ssid"));
  configStore.unsetRaw(keyBuf, wifiKey(slot, "pass"));
  configStore.unsetRaw(keyBuf, wifiKey(slot, "psk"));
  configStore.unsetRaw(keyBuf, wifiKey(slot, "prio"));
  // What was learnt about it: the PMK and the BSS.
  configStore.unsetRaw(keyBuf, pmkKey(slot));
  configStore.unsetRaw(keyBuf, bssKey(slot));
  const r = configStore.commit();
  return r == ConfigError.Ok ? slot : r;
}
