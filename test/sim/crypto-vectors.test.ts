// Runs the third-party crypto vectors in ../shared/vectors/crypto.json (see
// ../shared/README.md) through the stack's AssemblyScript crypto (test/harness/crypto.ts),
// with the fake HAL (no accelerators: our own SHA-1 and AES). The same vectors then run
// once more with a HAL that reports AccelCap.Sha1 | AccelCap.Aes128, to check the
// accelerated paths hand the host the right bytes. CCMP vectors belong to the
// simulator's CCMP and are not used here.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildHarness } from "../../tools/build-harness.ts";
import { fakeHal } from "../assembly/fake-hal.js";
import { sha1BlockAt, aes128At } from "../../sim/accelerators.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const VECTORS = resolve(root, "../shared/vectors/crypto.json");
const haveVectors = existsSync(VECTORS);
const SKIP_NO_SHARED = haveVectors ? false : `no ${VECTORS}: the shared vector folder (../shared) is absent`;
const groups: Record<string, any> = haveVectors ? JSON.parse(readFileSync(VECTORS, "utf8")).groups : {};

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "latin1"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
// Vectors spell a NUL inside an ASCII string as the two characters "\0".
const vecAscii = (s: string): Uint8Array => ascii(s.replace(/\\0/g, "\0"));


interface Crypto {
  ex: Record<string, any>;
  accelCalls: { sha1: number; aes: number };
  /** Lays the arrays out in the input buffer; returns their addresses. */
  put(...arrays: Uint8Array[]): number[];
  out: number;
  heapAfterSetup: number;
  read(ptr: number, len: number): Uint8Array;
}

async function load(accel: boolean): Promise<Crypto> {
  const wasm = readFileSync(buildHarness("crypto"));
  let instance!: WebAssembly.Instance;
  const mem = () => new Uint8Array((instance.exports as any).memory.buffer);
  const hal: Record<string, any> = fakeHal(() => (instance.exports as any).memory);
  const accelCalls = { sha1: 0, aes: 0 };
  if (accel) {
    hal.accel_caps = () => 1 | 2;
    hal.accel_sha1_block = (state: number, block: number) => { accelCalls.sha1++; sha1BlockAt(mem(), state, block); };
    hal.accel_aes128_encrypt = (key: number, input: number, output: number) => { accelCalls.aes++; aes128At(mem(), key, input, output); };
  }
  ({ instance } = (await WebAssembly.instantiate(wasm, { hal })) as any);
  const ex = instance.exports as any;
  ex._start();
  const inBase = ex.input_buffer();
  return {
    ex, accelCalls, out: ex.output_buffer(), heapAfterSetup: 0,
    put(...arrays) {
      const ptrs: number[] = [];
      let p = inBase;
      for (const a of arrays) { mem().set(a, p); ptrs.push(p); p += (a.length + 7) & ~7; }
      return ptrs;
    },
    read(ptr, len) { return mem().slice(ptr, ptr + len); },
  };
}

function suite(accel: boolean): void {
  describe(accel ? "crypto vectors, host accelerators" : "crypto vectors, AssemblyScript fallback", { skip: SKIP_NO_SHARED }, () => {
    let c: Crypto;
    test("setup", async () => {
      c = await load(accel);
      c.heapAfterSetup = c.ex.heap_top();
      assert.equal(c.ex.caps(), accel ? 3 : 0);
    });

    test("SHA-1 (FIPS 180)", () => {
      const vs = groups.sha1_fips180.vectors;
      assert.equal(vs.length, 3);
      for (const v of vs) {
        if (v.message_ascii !== undefined) {
          const [p] = c.put(ascii(v.message_ascii));
          c.ex.sha1_oneshot(p, v.message_ascii.length, c.out);
          assert.equal(toHex(c.read(c.out, 20)), v.digest, v.message_ascii);
          for (const chunk of [1, 3, 63, 64, 65]) {
            c.ex.sha1_chunked(p, v.message_ascii.length, chunk, c.out);
            assert.equal(toHex(c.read(c.out, 20)), v.digest, `${v.message_ascii} in ${chunk}-byte pieces`);
          }
        } else {
          assert.match(v.message_desc, /^1,000,000 repetitions of 'a'/);
          c.ex.sha1_repeat(0x61, 1_000_000, c.out);
          assert.equal(toHex(c.read(c.out, 20)), v.digest, v.message_desc);
        }
      }
    });

    test("HMAC-SHA1 (RFC 2202)", () => {
      const vs = groups.hmac_sha1_rfc2202.vectors;
      assert.equal(vs.length, 7);
      for (const v of vs) {
        const key = hex(v.key), data = hex(v.data);
        const [k, d] = c.put(key, data);
        c.ex.hmac_sha1(k, key.length, d, data.length, c.out);
        assert.equal(toHex(c.read(c.out, 20)), v.digest, `test case ${v.test_case}`);
      }
    });

    const pbkdf2Vectors = (groups.pbkdf2_hmac_sha1_rfc6070?.vectors ?? []) as any[];
    for (const v of pbkdf2Vectors) {
      const name = `PBKDF2-HMAC-SHA1 (RFC 6070) ${v.P_ascii}/${v.S_ascii} c=${v.c} dkLen=${v.dkLen}`;
      // Under Node this would take minutes; the same code path runs for the other cases,
      // and 4096-iteration cases cross block boundaries of the iteration loop.
      const skip = v.c > 100_000 ? `${v.c.toLocaleString("en")} iterations is a benchmark-sized case, not a unit test` : false;
      test(name, { skip }, () => {
        const pass = hex(v.P_hex), salt = hex(v.S_hex);
        assert.deepEqual(pass, vecAscii(v.P_ascii));
        const [p, s] = c.put(pass, salt);
        assert.equal(c.ex.pbkdf2(p, pass.length, s, salt.length, v.c, c.out, v.dkLen), 1);
        assert.equal(toHex(c.read(c.out, v.dkLen)), v.DK);
        if (v.c >= 4096 && !accel) {
          // Resumable path in uneven slices gives the same key.
          const steps = c.ex.pbkdf2_sliced(p, pass.length, s, salt.length, v.c, c.out, v.dkLen, 1000);
          assert.ok(steps > 1);
          assert.equal(toHex(c.read(c.out, v.dkLen)), v.DK, "sliced");
        }
      });
    }

    test("WPA passphrase -> PMK (802.11 Annex J.4) and 64-hex PSK", () => {
      const vs = groups.wpa_passphrase_to_psk_80211_annexJ4.vectors;
      assert.equal(vs.length, 3);
      for (const v of vs) {
        const pass = ascii(v.passphrase_ascii), ssid = ascii(v.ssid_ascii);
        const [p, s] = c.put(pass, ssid);
        assert.equal(c.ex.wpa_pmk(p, pass.length, s, ssid.length, c.out), 1);
        assert.equal(toHex(c.read(c.out, 32)), v.psk, `${v.passphrase_ascii}/${v.ssid_ascii}`);
        // The same PMK given as 64 hex digits (either case) is taken as is.
        const [h, s2] = c.put(ascii(v.psk.toUpperCase()), ssid);
        assert.equal(c.ex.wpa_pmk(h, 64, s2, ssid.length, c.out), 1);
        assert.equal(toHex(c.read(c.out, 32)), v.psk, "hex PSK");
      }
      const v = vs[0];
      const pass = ascii(v.passphrase_ascii), ssid = ascii(v.ssid_ascii);
      const [p, s] = c.put(pass, ssid);
      assert.equal(c.ex.wpa_pmk_sliced(p, pass.length, s, ssid.length, c.out, 700), Math.ceil(8192 / 700));
      assert.equal(toHex(c.read(c.out, 32)), v.psk, "sliced PMK job");
    });

    test("PRF-SHA1 (802.11 PRF-512)", () => {
      const vs = groups.prf_sha1_80211.vectors;
      assert.equal(vs.length, 3);
      for (const v of vs) {
        const key = hex(v.key), label = ascii(v.label_ascii), data = hex(v.data);
        const [k, l, d] = c.put(key, label, data);
        c.ex.prf(k, key.length, l, label.length, d, data.length, c.out, v.output_len);
        assert.equal(toHex(c.read(c.out, v.output_len)), v.output);
        for (const len of [16, 20, 48, 63]) {
          c.ex.prf(k, key.length, l, label.length, d, data.length, c.out, len);
          assert.equal(toHex(c.read(c.out, len)), v.output.slice(0, 2 * len), `truncated to ${len}`);
        }
      }
    });

    test("AES key wrap and unwrap (RFC 3394 4.1-4.6)", () => {
      const vs = groups.aes_key_wrap_rfc3394.vectors;
      assert.equal(vs.length, 6);
      for (const v of vs) {
        const kek = hex(v.kek), plain = hex(v.key_data), wrapped = hex(v.ciphertext);
        const [k, p, w] = c.put(kek, plain, wrapped);
        assert.equal(c.ex.key_wrap(k, kek.length, p, plain.length, c.out), wrapped.length, v.section);
        assert.equal(toHex(c.read(c.out, wrapped.length)), v.ciphertext, `wrap ${v.section}`);
        assert.equal(c.ex.key_unwrap(k, kek.length, w, wrapped.length, c.out), 1, `unwrap ${v.section}`);
        assert.equal(toHex(c.read(c.out, plain.length)), v.key_data, `unwrap ${v.section}`);
        // Any flipped bit fails the integrity check and leaves no plaintext behind.
        for (const bit of [0, 8 * 8 + 3, wrapped.length * 8 - 1]) {
          const bad = wrapped.slice();
          bad[bit >> 3] ^= 1 << (bit & 7);
          const [k2, w2] = c.put(kek, bad);
          assert.equal(c.ex.key_unwrap(k2, kek.length, w2, bad.length, c.out), 0, `${v.section} bit ${bit}`);
          assert.equal(toHex(c.read(c.out, plain.length)), "00".repeat(plain.length));
        }
      }
    });

    test("WPA2 4-way handshake example: PMK -> PTK -> EAPOL MIC", () => {
      const vs = groups.wpa2_4way_example.vectors;
      assert.equal(vs.length, 1);
      for (const v of vs) {
        const pass = ascii(v.passphrase_ascii), ssid = ascii(v.ssid_ascii);
        let [p, s] = c.put(pass, ssid);
        assert.equal(c.ex.wpa_pmk(p, pass.length, s, ssid.length, c.out), 1);
        assert.equal(toHex(c.read(c.out, 32)), v.pmk);

        const [pmk, aa, spa, an, sn] = c.put(hex(v.pmk), hex(v.aa), hex(v.spa), hex(v.anonce), hex(v.snonce));
        c.ex.ptk(pmk, aa, spa, an, sn, c.out, 64);
        assert.equal(toHex(c.read(c.out, 64)), v.ptk_512);
        // The authenticator's view (arguments swapped) derives the same key.
        c.ex.ptk(pmk, spa, aa, sn, an, c.out, 48);
        const ptk = c.read(c.out, 48);
        assert.equal(toHex(ptk.subarray(0, 16)), v.kck);
        assert.equal(toHex(ptk.subarray(16, 32)), v.kek);
        assert.equal(toHex(ptk.subarray(32, 48)), v.tk);

        assert.equal(v.key_descriptor_version, 2);
        const frame = hex(v.eapol_m2_mic_zeroed);
        const [kck, f] = c.put(hex(v.kck), frame);
        c.ex.mic(kck, f, frame.length, c.out);
        assert.equal(toHex(c.read(c.out, 16)), v.mic);
        // Verify with the MIC in place; then with one bit of it or of the body flipped.
        const withMic = frame.slice();
        withMic.set(hex(v.mic), 81);
        const [k2, f2] = c.put(hex(v.kck), withMic);
        assert.equal(c.ex.mic_verify(k2, f2, withMic.length), 1);
        for (const at of [81, 96, 10, withMic.length - 1]) {
          const bad = withMic.slice();
          bad[at] ^= 0x80;
          const [k3, f3] = c.put(hex(v.kck), bad);
          assert.equal(c.ex.mic_verify(k3, f3, bad.length), 0, `flipped byte ${at}`);
        }
        assert.equal(c.ex.mic_verify(k2, f2, 96), 0, "too short to hold a MIC");
      }
    });

    test("nothing above allocated (stub runtime heap top moved only by the probes)", () => {
      const a = c.ex.heap_top(), b = c.ex.heap_top(), probe = b - a;
      assert.equal(c.ex.heap_top() - b, probe);
      assert.equal(a - c.heapAfterSetup, probe, "heap grew between setup and the end of the vectors");
    });

    if (accel) {
      test("the accelerated run used the host", () => {
        assert.ok(c.accelCalls.sha1 > 16384, `sha1 accel calls ${c.accelCalls.sha1}`);
        assert.ok(c.accelCalls.aes > 0, `aes accel calls ${c.accelCalls.aes}`);
      });
    }
  });
}

suite(false);
suite(true);
