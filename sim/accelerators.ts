// The HAL accelerators as our ESP-IDF firmware provides them (firmware/main/hal_sys.c:
// hal_accel_caps offers all three; SHA-1 and the checksum are the native C of
// firmware/main/portable/accel_sw.c, AES-128 runs on the ESP32's AES engine through mbedtls),
// computed here in JS over the module's memory, each with its time on an ESP32 at 240 MHz
// (the CPU model charges the HAL call itself; these are the work inside it).
import { createCipheriv } from "node:crypto";
import { AccelCap } from "./generated/hal.ts";

/** What hal_accel_caps() returns on the ESP32 firmware. */
export const FIRMWARE_ACCELERATORS = AccelCap.Sha1 | AccelCap.Aes128 | AccelCap.InetChecksum;

// Estimates from the code the firmware runs (cycles at 240 MHz; Xtensa LX6 single-issue):
//  - accel_sw_inet_checksum: a byte-pair loop, ~3 cycles per byte -> 12.5 ns/byte;
//  - accel_sw_sha1_block: 64 message-schedule steps and 80 rounds, ~1,400 cycles -> 6 µs;
//  - AES-128 on the hardware engine: ~11 cycles per round in silicon, dominated by
//    mbedtls_aes_crypt_ecb's per-call locking and register loads: ~2 µs.
export const ACCEL_US = { checksumPerByte: 0.0125, sha1Block: 6, aes128Block: 2 };

/** SHA-1 compression (FIPS 180-4 6.1.2), written independently of the stack's and the firmware's. */
export function jsSha1Block(h: Uint32Array, m: Uint8Array): void {
  const w = new Uint32Array(80);
  for (let t = 0; t < 16; t++) w[t] = (m[4 * t] << 24) | (m[4 * t + 1] << 16) | (m[4 * t + 2] << 8) | m[4 * t + 3];
  for (let t = 16; t < 80; t++) { const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16]; w[t] = (x << 1) | (x >>> 31); }
  let [a, b, c, d, e] = h;
  for (let t = 0; t < 80; t++) {
    const f = t < 20 ? (b & c) | (~b & d) : t < 40 || t >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
    const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
    const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) >>> 0;
    e = d; d = c; c = ((b << 30) | (b >>> 2)) >>> 0; b = a; a = tmp;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

/** accel_sha1_block over memory: state is 5 u32 words in host (little-endian) order. */
export function sha1BlockAt(mem: Uint8Array, state: number, block: number): void {
  const h = new Uint32Array(mem.buffer.slice(state, state + 20));
  jsSha1Block(h, mem.slice(block, block + 64));
  mem.set(new Uint8Array(h.buffer), state);
}

/** accel_aes128_encrypt over memory: one 16-byte block. */
export function aes128At(mem: Uint8Array, key: number, input: number, output: number): void {
  const c = createCipheriv("aes-128-ecb", mem.slice(key, key + 16), null).setAutoPadding(false);
  mem.set(Buffer.concat([c.update(mem.slice(input, input + 16)), c.final()]), output);
}

/** accel_inet_checksum over memory: the RFC 1071 partial sum from seed, folded, not complemented. */
export function inetChecksumAt(mem: Uint8Array, p: number, len: number, seed: number): number {
  let sum = seed >>> 0;
  let i = 0;
  for (; i + 1 < len; i += 2) sum += (mem[p + i] << 8) | mem[p + i + 1];
  if (i < len) sum += mem[p + i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}
