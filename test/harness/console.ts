// Harness: the config store and the console over the HAL (flash and UART provided by the
// test host). The host feeds UART bytes with feed(), drives timers with poll(), and reads
// what the console wrote through hal.uart_write.
export { input_buffer, output_buffer } from "./_io";
import { configStore } from "../../stack/config/store";
import { consoleInit, shell, improvSetConnector, improvWifiResult, improvState } from "../../stack/console/index";
import { memStat } from "../../stack/runtime/memory";
import { counterValue } from "../../stack/runtime/counters";

export function boot(): i32 {
  const r = configStore.init();
  consoleInit();
  return r;
}

export function start(): void { shell.start(); }
export function heap_top(): i32 { return memStat(3); }
export function counter(id: i32): i32 { return <i32>counterValue(id); }

export function feed(ptr: usize, len: i32, now: i64): void { shell.onBytes(ptr, len, now); }
export function poll(now: i64): i64 { return shell.poll(now); }

// A stand-in Wi-Fi part for Improv tests: records the slot it was asked to join.
let joinSlot: i32 = -1;
function fakeJoin(slot: i32, now: i64): void { joinSlot = slot; }
export function attach_fake_wifi(): void { improvSetConnector(fakeJoin); }
export function join_requested(): i32 { return joinSlot; }
export function wifi_result(ok: i32, now: i64): void { improvWifiResult(ok != 0, now); }
export function improv_state(): i32 { return improvState(); }

// Direct store access for power-cut and wear tests.
export function cfg_set_u32(key: usize, keyLen: i32, v: u32): i32 {
  store<u32>(output_ptr, v);
  return configStore.setRaw(key, keyLen, 2, output_ptr, 4);
}
export function cfg_set_raw(key: usize, keyLen: i32, type: i32, val: usize, valLen: i32): i32 {
  return configStore.setRaw(key, keyLen, type, val, valLen);
}
export function cfg_unset(key: usize, keyLen: i32): i32 { return configStore.unsetRaw(key, keyLen); }
export function cfg_commit(): i32 { return configStore.commit(); }
export function cfg_init(): i32 { return configStore.init(); }
export function cfg_count(): i32 { return configStore.count; }
export function cfg_find(key: usize, keyLen: i32): i32 {
  const i = configStore.findBytes(key, keyLen);
  return i >= 0 && !configStore.isDeleted(i) ? i : -1;
}
export function cfg_value_ptr(i: i32): usize { return configStore.valuePtr(i); }
export function cfg_value_len(i: i32): i32 { return configStore.valueLen(i); }
export function cfg_key_ptr(i: i32): usize { return configStore.keyPtr(i); }
export function cfg_key_len(i: i32): i32 { return configStore.keyLen(i); }
export function cfg_type(i: i32): i32 { return configStore.typeOf(i); }
export function cfg_erase_count(s: i32): u32 { return configStore.eraseCount(s); }
export function cfg_sectors(): i32 { return configStore.sectors; }
export function cfg_active(): i32 { return configStore.active; }
export function cfg_bytes_written(): u32 { return configStore.bytesWritten; }
export function cfg_compactions(): u32 { return configStore.compactions; }
export function cfg_factory_reset(): i32 { return configStore.factoryReset(); }

const output_ptr = memory.data(8);
