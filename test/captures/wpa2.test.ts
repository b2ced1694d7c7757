// Conformance against third-party WPA captures (../shared/captures/wpa2, or
// $WASMNET_CAPTURES_DIR/wpa2): for every entry of expected.json, our AssemblyScript code
// (build/harness/wifi.wasm: stack/crypto + drivers/esp32-wifi) derives the PMK from the
// SSID and passphrase and the PTK from the capture's addresses and nonces, checks every
// EAPOL-Key MIC against the capture's verdict, unwraps M3's Key Data and finds the GTK, and
// runs our supplicant over the captured M1 and M3 (with the captured SNonce as its random
// bytes): it must install the expected TK and GTK. WPA1/TKIP and AKM 6 captures must be
// refused cleanly (EAPOL-Key descriptor/version, beacon RSN/WPA elements), never trap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCaptureSet } from "./lib/dir.ts";
import { parsePcap, ieee80211Frame } from "../../tools/pcap-read.ts";
import { buildHarness } from "../../tools/build-harness.ts";
import { fakeHal } from "../assembly/fake-hal.js";

interface Expected {
  file: string; ssid: string; passphrase: string; pmk: string; description: string;
  first_verified_handshake: { aa: string; spa: string; anonce: string; snonce: string; key_descriptor_version: number; kck: string; kek: string; tk: string };
  eapol_mic_frames: { frame: number; msg: string; key_descriptor_type: number; key_descriptor_version: number; mic: string; mic_verifies: boolean }[];
  gtk: { key_id: number; gtk: string; m3_key_data_plaintext: string } | null;
}

const SupResult = { M2Sent: 1, Completed: 2, Unsupported: 10 } as const;
const EapolCheck = { Ok: 0, WpaDescriptor: 2, UnsupportedVersion: 3 } as const;

async function harness(random: () => Uint8Array | null) {
  let instance!: WebAssembly.Instance;
  const hal: Record<string, any> = fakeHal(() => (instance.exports as any).memory);
  const keys: { kind: number; index: number; key: string; rsc: string }[] = [];
  const sent: Buffer[] = [];
  const mem = () => new Uint8Array((instance.exports as any).memory.buffer);
  const fallback = hal.random_fill;
  hal.random_fill = (p: number, n: number) => { const r = random(); if (r && r.length === n) mem().set(r, p); else fallback(p, n); };
  hal.wifi_set_key = (kind: number, index: number, k: number, n: number, rsc: number) => {
    keys.push({ kind, index, key: Buffer.from(mem().slice(k, k + n)).toString("hex"), rsc: Buffer.from(mem().slice(rsc, rsc + 6)).toString("hex") });
    return 0;
  };
  hal.wifi_eapol_tx = (p: number, n: number) => { sent.push(Buffer.from(mem().slice(p, p + n))); return 0; };
  hal.wifi_leave = () => 0;
  ({ instance } = (await WebAssembly.instantiate(readFileSync(buildHarness("wifi")), { hal })) as any);
  const ex = instance.exports as any;
  ex._start();
  let cursor = 0;
  const base: number = ex.input_buffer();
  const put = (b: Uint8Array): number => { const p = base + cursor; mem().set(b, p); cursor += (b.length + 7) & ~7; return p; };
  const out: number = ex.output_buffer();
  return { ex, mem, put, out, keys, sent, reset: () => { cursor = 0; }, read: (p: number, n: number) => Buffer.from(mem().slice(p, p + n)) };
}

const hex = (s: string) => Buffer.from(s.replace(/:/g, ""), "hex");

/** 802.11 data frame -> {eapol bytes, fromDs} for LLC/SNAP EAPOL payloads; else null. */
function eapolOf(f: Uint8Array): { eapol: Buffer; fromDs: boolean } | null {
  if (f.length < 24 || ((f[0] >> 2) & 3) !== 2) return null;
  const subtype = f[0] >> 4;
  const toDs = (f[1] & 1) !== 0, fromDs = (f[1] & 2) !== 0;
  if (f[1] & 0x40) return null; // protected
  let h = 24 + (toDs && fromDs ? 6 : 0) + (subtype & 8 ? 2 : 0);
  if (subtype & 8 && f[1] & 0x80) h += 4; // HT control
  const b = Buffer.from(f.subarray(h));
  if (b.length < 8 || b.readUInt16BE(6) !== 0x888e || b[0] !== 0xaa || b[1] !== 0xaa) return null;
  return { eapol: b.subarray(8), fromDs };
}

/** The security IEs (RSN, WPA vendor) and privacy bit of beacons/probe responses from bssid. */
function beaconsOf(frames: Uint8Array[], bssid: Buffer): { ies: Buffer; privacy: boolean }[] {
  const out: { ies: Buffer; privacy: boolean }[] = [];
  for (const f of frames) {
    if (f.length < 36 || ((f[0] >> 2) & 3) !== 0 || ![5, 8].includes(f[0] >> 4)) continue;
    if (!Buffer.from(f.subarray(16, 22)).equals(bssid)) continue;
    out.push({ ies: Buffer.from(f.subarray(36)), privacy: (f[34] & 0x10) !== 0 });
  }
  return out;
}

const set = loadCaptureSet<Expected>("wpa2");
if ("skip" in set) {
  test("WPA2 captures", { skip: set.skip }, () => {});
} else {
  for (const cap of set.captures) {
    test(`${cap.file}: ${cap.description}`, async () => {
      const hs = cap.first_verified_handshake;
      let snonceForRandom: Uint8Array | null = null;
      const h = await harness(() => snonceForRandom);
      const pcap = parsePcap(new Uint8Array(readFileSync(join(set.dir, cap.file))));
      const frames = pcap.packets.map((p) => ieee80211Frame(pcap.linktype, p.data) ?? new Uint8Array(0));
      // PMK from SSID + passphrase, and PTK from the capture's addresses and nonces.
      const pass = Buffer.from(cap.passphrase, "latin1"), ssid = Buffer.from(cap.ssid, "latin1");
      assert.equal(h.ex.pmk_from_secret(h.put(pass), pass.length, h.put(ssid), ssid.length, h.out), 1);
      const pmk = h.read(h.out, 32);
      assert.equal(pmk.toString("hex"), cap.pmk, "PMK");
      h.reset();
      const pPmk = h.put(pmk), pAa = h.put(hex(hs.aa)), pSpa = h.put(hex(hs.spa));
      h.ex.ptk(pPmk, pAa, pSpa, h.put(hex(hs.anonce)), h.put(hex(hs.snonce)), h.out);
      const ptk = h.read(h.out, 48);
      if (hs.key_descriptor_version === 2) {
        assert.equal(ptk.subarray(0, 16).toString("hex"), hs.kck, "KCK");
        assert.equal(ptk.subarray(16, 32).toString("hex"), hs.kek, "KEK");
        assert.equal(ptk.subarray(32, 48).toString("hex"), hs.tk, "TK");
      }
      const pKck = h.put(ptk.subarray(0, 16)), pKek = h.put(ptk.subarray(16, 32));
      // Every listed EAPOL-Key MIC.
      for (const m of cap.eapol_mic_frames) {
        const e = eapolOf(frames[m.frame - 1]);
        assert.ok(e, `frame ${m.frame} is an EAPOL frame`);
        assert.equal(e.eapol.subarray(81, 97).toString("hex"), m.mic, `frame ${m.frame} MIC field`);
        const pe = h.put(e.eapol);
        const check = h.ex.eapol_check(pe, e.eapol.length);
        if (m.key_descriptor_type === 2 && m.key_descriptor_version === 2) {
          assert.equal(check, EapolCheck.Ok, `frame ${m.frame} view`);
          assert.equal(!!h.ex.mic_verify(pKck, pe, e.eapol.length), m.mic_verifies, `frame ${m.frame} (${m.msg}) MIC`);
        } else {
          // WPA1 (descriptor 254, HMAC-MD5) and AKM 6 (version 3, AES-CMAC): refused.
          assert.equal(check, m.key_descriptor_type === 254 ? EapolCheck.WpaDescriptor : EapolCheck.UnsupportedVersion, `frame ${m.frame} refused`);
        }
      }
      // M3's Key Data: unwrap with the KEK and find the GTK KDE.
      const m3 = cap.eapol_mic_frames.find((m) => m.msg === "M3");
      if (cap.gtk && m3 && hs.key_descriptor_version === 2) {
        const e = eapolOf(frames[m3.frame - 1])!;
        const n = e.eapol.readUInt16BE(97);
        assert.equal(h.ex.key_unwrap(pKek, h.put(e.eapol.subarray(99, 99 + n)), n, h.out), 1);
        const plain = h.read(h.out, n - 8);
        assert.equal(plain.toString("hex"), cap.gtk.m3_key_data_plaintext);
        const info = h.out + 1024;
        assert.equal(h.ex.find_kdes(h.out, n - 8, info), 1);
        const kd = h.read(info, 20);
        const gtkOff = kd.readInt32LE(8), gtkLen = kd.readInt32LE(12);
        assert.equal(kd.readInt32LE(16), cap.gtk.key_id);
        assert.equal(plain.subarray(gtkOff, gtkOff + gtkLen).toString("hex"), cap.gtk.gtk);
      }
      // The supplicant over the captured M1 and M3 (our random bytes = the captured SNonce).
      const eapols = frames.map((f, i) => ({ i, e: eapolOf(f) })).filter((x) => x.e);
      const m1s = eapols.filter((x) => x.e!.fromDs && x.e!.eapol.length >= 99 && (x.e!.eapol.readUInt16BE(5) & 0x1c8) === 0x88);
      // The M1 of the verified handshake; testm1m2m3 holds only an M1 of an earlier attempt,
      // so then take that one with the verified ANonce put in (M1 carries no MIC).
      let m1 = m1s.find((x) => x.e!.eapol.subarray(17, 49).equals(hex(hs.anonce)));
      if (!m1 && m1s.length) {
        const copy = Buffer.from(m1s[0].e!.eapol);
        hex(hs.anonce).copy(copy, 17);
        m1 = { i: m1s[0].i, e: { eapol: copy, fromDs: true } };
      }
      const ethernet = (eapol: Buffer) => Buffer.concat([hex(hs.spa), hex(hs.aa), Buffer.of(0x88, 0x8e), eapol]);
      // The AP's RSN element: from its beacon when captured, else the one M3 carries.
      const beacons = beaconsOf(frames, hex(hs.aa));
      for (const b of beacons) {
        const verdict = h.ex.classify_bss(h.put(b.ies), b.ies.length, b.privacy ? 1 : 0);
        if (hs.key_descriptor_version === 2) assert.equal(verdict, 0, "beacon accepted");
        else assert.notEqual(verdict, 0, "beacon security refused");
      }
      let apRsn: Buffer | null = null;
      if (cap.gtk) {
        const plain = hex(cap.gtk.m3_key_data_plaintext);
        apRsn = plain.subarray(0, plain[1] + 2);
      }
      if (beacons.length) {
        const ies = beacons[0].ies;
        for (let i = 0; i + 2 <= ies.length; i += 2 + ies[i + 1]) if (ies[i] === 48) { apRsn = ies.subarray(i, i + 2 + ies[i + 1]); break; }
      }
      assert.ok(m1, "M1 in the capture");
      h.ex.sup_begin(pAa, pSpa, pPmk, h.put(apRsn ?? Buffer.alloc(0)), apRsn?.length ?? 0);
      snonceForRandom = hex(hs.snonce);
      const f1 = ethernet(m1.e!.eapol);
      const r1 = h.ex.sup_on_eapol(h.put(f1), f1.length);
      if (hs.key_descriptor_version !== 2) {
        assert.equal(r1, SupResult.Unsupported, "WPA1/AKM 6 handshake refused");
        assert.equal(h.sent.length, 0);
        assert.equal(h.keys.length, 0);
        return;
      }
      assert.equal(r1, SupResult.M2Sent);
      const m3e = eapolOf(frames[m3!.frame - 1])!;
      const f3 = ethernet(m3e.eapol);
      const r3 = h.ex.sup_on_eapol(h.put(f3), f3.length);
      assert.equal(r3, SupResult.Completed, "M3 accepted");
      assert.equal(h.sent.length, 2, "M2 and M4");
      assert.deepEqual(h.keys.map((k) => [k.kind, k.index, k.key]), [[0, 0, hs.tk], [1, cap.gtk!.key_id, cap.gtk!.gtk]]);
      assert.equal(h.keys[1].rsc, m3e.eapol.subarray(65, 71).toString("hex"), "GTK RSC from M3");
      // Our M4 carries a MIC that the capture's KCK verifies (Node-independent check: our own verify).
      const m4 = h.sent[1].subarray(14);
      assert.equal(h.ex.mic_verify(pKck, h.put(m4), m4.length), 1);
      // Replaying the captured M3 does not reinstall anything.
      assert.equal(h.ex.sup_on_eapol(h.put(f3), f3.length), 7 /* Replay */);
      assert.equal(h.keys.length, 2);
    });
  }
}
