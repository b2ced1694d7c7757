// The AssemblyScript supplicant (drivers/esp32-wifi/supplicant.ts, via build/harness/wifi.wasm)
// driven frame by frame by an authenticator written here with sim/wifi's Node-crypto
// EAPOL-Key builders: replay-counter rules, KRACK (no reinstall of TK/GTK), PTK rekey, MIC
// failures; and fuzzing of the EAPOL, RSN element, Key Data and HAL event parsers with
// mutated inputs (a trap would throw out of the wasm call).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { buildHarness } from "../../tools/build-harness.ts";
import { fakeHal } from "../assembly/fake-hal.js";
import { Rng } from "../../sim/core/rng.ts";
import { derivePtk, pmkFromPassphrase, type Ptk } from "../../sim/wifi/crypto.ts";
import { KeyInfo, buildEapolKey, gtkKde, wrapKeyData, parseEapolKey, micValid } from "../../sim/wifi/eapol.ts";
import { ie, Ie, rsnIeWpa2Psk } from "../../sim/wifi/ieee80211.ts";

const R = { Ignored: 0, M2Sent: 1, Completed: 2, M4Resent: 3, GroupRekeyed: 4, G2Resent: 5, Malformed: 6, Replay: 7, MicFailure: 8, RsnMismatch: 9, Unsupported: 10 } as const;
const AA = Buffer.from("020000000a01", "hex");
const SPA = Buffer.from("02aabbccdd01", "hex");
const PMK = pmkFromPassphrase("correct horse", "lab");
const AP_RSN = ie(Ie.Rsn, rsnIeWpa2Psk());

async function load() {
  let instance!: WebAssembly.Instance;
  const hal: Record<string, any> = fakeHal(() => (instance.exports as any).memory);
  const mem = () => new Uint8Array((instance.exports as any).memory.buffer);
  const keys: { kind: number; index: number; key: string; rsc: string }[] = [];
  const sent: Buffer[] = [];
  const leaves: number[] = [];
  hal.wifi_set_key = (kind: number, index: number, k: number, n: number, rsc: number) => {
    keys.push({ kind, index, key: Buffer.from(mem().slice(k, k + n)).toString("hex"), rsc: Buffer.from(mem().slice(rsc, rsc + 6)).toString("hex") });
    return 0;
  };
  hal.wifi_eapol_tx = (p: number, n: number) => { sent.push(Buffer.from(mem().slice(p, p + n))); return 0; };
  hal.wifi_leave = (r: number) => { leaves.push(r); return 0; };
  ({ instance } = (await WebAssembly.instantiate(readFileSync(buildHarness("wifi")), { hal })) as any);
  const ex = instance.exports as any;
  ex._start();
  const base: number = ex.input_buffer();
  const at = (off: number, b: Uint8Array) => { mem().set(b, base + off); return base + off; };
  return {
    ex, mem, keys, sent, leaves, at,
    begin(rsn: Buffer = AP_RSN) { ex.sup_begin(at(0, AA), at(8, SPA), at(16, PMK), at(64, rsn), rsn.length); },
    feed(eapol: Uint8Array): number {
      const f = Buffer.concat([SPA, AA, Buffer.of(0x88, 0x8e), eapol]);
      return ex.sup_on_eapol(at(256, f), f.length);
    },
  };
}

/** A minimal authenticator's frames. */
class Auth {
  replay = 0n;
  anonce = Buffer.alloc(32, 0x11);
  ptk: Ptk | null = null;
  gtk = Buffer.alloc(16, 0x5a);
  keyId = 1;
  pn = 7n;
  m1(): Buffer {
    this.replay++;
    return buildEapolKey({ keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Ack, keyLength: 16, replayCounter: this.replay, nonce: this.anonce, rsc: Buffer.alloc(8), mic: Buffer.alloc(16), keyData: Buffer.alloc(0) }, null);
  }
  /** Reads our M2: derives the PTK from its SNonce. */
  m2(frame: Buffer): void {
    const k = parseEapolKey(frame.subarray(14))!;
    this.ptk = derivePtk(PMK, AA, SPA, this.anonce, k.nonce);
    assert.ok(micValid(frame.subarray(14), this.ptk.kck), "M2 MIC verifies with Node crypto");
    assert.deepEqual(Buffer.from(k.keyData), AP_RSN, "M2 carries our RSN element");
  }
  m3(rsn: Buffer = AP_RSN): Buffer {
    this.replay++;
    const kd = wrapKeyData(this.ptk!.kek, Buffer.concat([rsn, gtkKde(this.keyId, this.gtk)]));
    return buildEapolKey({
      keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Install | KeyInfo.Ack | KeyInfo.Mic | KeyInfo.Secure | KeyInfo.EncryptedData,
      keyLength: 16, replayCounter: this.replay, nonce: this.anonce, rsc: rscOf(this.pn), mic: Buffer.alloc(16), keyData: kd,
    }, this.ptk!.kck);
  }
  g1(): Buffer {
    this.replay++;
    const kd = wrapKeyData(this.ptk!.kek, gtkKde(this.keyId, this.gtk));
    return buildEapolKey({
      keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Ack | KeyInfo.Mic | KeyInfo.Secure | KeyInfo.EncryptedData,
      keyLength: 0, replayCounter: this.replay, nonce: Buffer.alloc(32), rsc: rscOf(this.pn), mic: Buffer.alloc(16), keyData: kd,
    }, this.ptk!.kck);
  }
}

function rscOf(pn: bigint): Buffer {
  const b = Buffer.alloc(8);
  for (let i = 0; i < 6; i++) b[i] = Number((pn >> BigInt(8 * i)) & 0xffn);
  return b;
}

async function handshake() {
  const h = await load();
  const a = new Auth();
  h.begin();
  assert.equal(h.feed(a.m1()), R.M2Sent);
  a.m2(h.sent.at(-1)!);
  const m3 = a.m3();
  assert.equal(h.feed(m3), R.Completed);
  return { h, a, m3 };
}

test("4-way: M2 and M4 verify with Node crypto; TK then GTK installed with M3's RSC", async () => {
  const { h, a } = await handshake();
  const m4 = h.sent.at(-1)!.subarray(14);
  assert.ok(micValid(m4, a.ptk!.kck));
  const k4 = parseEapolKey(m4)!;
  assert.equal(k4.keyInfo, KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Mic | KeyInfo.Secure);
  assert.equal(k4.replayCounter, 2n);
  assert.deepEqual(h.keys, [
    { kind: 0, index: 0, key: a.ptk!.tk.toString("hex"), rsc: "000000000000" },
    { kind: 1, index: 1, key: a.gtk.toString("hex"), rsc: "070000000000" },
  ]);
});

test("KRACK: retransmitted M3 -> M4 again without reinstall; replayed M3/G1 dropped; same GTK never reinstalled", async () => {
  const { h, a, m3 } = await handshake();
  // Replayed M3 (same counter): dropped, nothing sent.
  const sent = h.sent.length;
  assert.equal(h.feed(m3), R.Replay);
  assert.equal(h.sent.length, sent);
  // Retransmitted M3 (new counter, same ANonce): M4 again, no reinstall.
  assert.equal(h.feed(a.m3()), R.M4Resent);
  assert.equal(h.sent.length, sent + 1);
  assert.equal(h.keys.length, 2);
  // Group rekey; then the AP retransmits G1 (G2 lost): G2 again, the GTK is not reinstalled.
  a.gtk = Buffer.alloc(16, 0x77); a.keyId = 2; a.pn = 1n;
  const g1 = a.g1();
  assert.equal(h.feed(g1), R.GroupRekeyed);
  assert.deepEqual(h.keys.at(-1), { kind: 1, index: 2, key: "77".repeat(16), rsc: "010000000000" });
  assert.equal(h.feed(g1), R.Replay, "replayed G1");
  assert.equal(h.feed(a.g1()), R.G2Resent, "retransmitted G1");
  assert.equal(h.keys.length, 3);
  const g2 = parseEapolKey(h.sent.at(-1)!.subarray(14))!;
  assert.equal(g2.keyInfo, KeyInfo.VersionHmacSha1Aes | KeyInfo.Mic | KeyInfo.Secure);
  assert.ok(micValid(h.sent.at(-1)!.subarray(14), a.ptk!.kck));
  // An old group message (lower counter) carrying the previous GTK: dropped.
  const old = new Auth(); Object.assign(old, { ptk: a.ptk, replay: 2n, gtk: Buffer.alloc(16, 0x5a), keyId: 1 });
  assert.equal(h.feed(old.g1()), R.Replay);
  assert.equal(h.keys.length, 3);
});

test("bad MIC, wrong ANonce, stale M1 and unsupported descriptors are dropped without side effects", async () => {
  const { h, a } = await handshake();
  const bad = a.m3(); bad[90] ^= 1;
  assert.equal(h.feed(bad), R.MicFailure);
  const wrongNonce = a.m3(); wrongNonce[20] ^= 1;
  assert.equal(h.feed(wrongNonce), R.Malformed);
  const stale = new Auth(); // replay counter 1 <= the last accepted
  assert.equal(h.feed(stale.m1()), R.Replay);
  const wpa1 = Buffer.from(a.m1()); wpa1[4] = 254;
  assert.equal(h.feed(wpa1), R.Unsupported);
  const v3 = Buffer.from(a.m1()); v3[6] = (v3[6] & ~7) | 3;
  assert.equal(h.feed(v3), R.Unsupported);
  const v1 = Buffer.from(a.m1()); v1[6] = (v1[6] & ~7) | 1;
  assert.equal(h.feed(v1), R.Unsupported);
  assert.equal(h.keys.length, 2);
});

test("PTK rekey: a new M1 after completion gives a new PTK only once its M3 verifies", async () => {
  const { h, a } = await handshake();
  a.anonce = Buffer.alloc(32, 0x22);
  assert.equal(h.feed(a.m1()), R.M2Sent);
  const oldPtk = a.ptk!;
  a.m2(h.sent.at(-1)!);
  assert.notEqual(a.ptk!.tk.toString("hex"), oldPtk.tk.toString("hex"));
  assert.equal(h.keys.length, 2, "nothing installed at M1");
  assert.equal(h.feed(a.m3()), R.Completed);
  assert.equal(h.keys[2].key, a.ptk!.tk.toString("hex"));
});

test("an RSN element in M3 that differs from the beacon's -> deauth reason 17, nothing installed", async () => {
  const h = await load();
  const a = new Auth();
  h.begin();
  assert.equal(h.feed(a.m1()), R.M2Sent);
  a.m2(h.sent.at(-1)!);
  assert.equal(h.feed(a.m3(ie(Ie.Rsn, rsnIeWpa2Psk(0x0001)))), R.RsnMismatch);
  assert.deepEqual(h.leaves, [17]);
  assert.equal(h.keys.length, 0);
  assert.equal(h.sent.length, 1, "no M4");
});

test("fuzz: 60k mutated EAPOL-Key frames, RSN elements, Key Data and HAL events never trap", async () => {
  const { h, a, m3 } = await handshake();
  const rng = new Rng(2024);
  const seeds = [a.m1(), m3, a.g1(), a.m3()];
  // Wrong-state frames too: a fresh supplicant waiting for M1/M3.
  const keysBefore = h.keys.length;
  const mutate = (src: Buffer): Buffer => {
    let b = Buffer.from(src);
    const kind = rng.int(6);
    if (kind === 0) b = b.subarray(0, rng.int(b.length + 1));
    else if (b.length === 0) return b;
    else if (kind === 1) for (let i = rng.int(4) + 1; i > 0; i--) b[rng.int(b.length)] ^= 1 << rng.int(8);
    else if (kind === 2) { const p = rng.int(b.length); b[p] = rng.int(256); }
    else if (kind === 3) { const off = rng.int(2) ? 2 : 97; if (b.length >= off + 2) b.writeUInt16BE(rng.int(65536), off); }
    else if (kind === 4) b = Buffer.concat([b, Buffer.from(rng.bytes(rng.int(200)))]);
    else b = Buffer.from(rng.bytes(rng.int(300)));
    return b;
  };
  let n = 0;
  for (let i = 0; i < 20_000; i++, n++) {
    const r = h.feed(mutate(seeds[rng.int(seeds.length)]));
    assert.ok(r >= 0 && r <= 10);
  }
  // No mutated frame installed a key (counters are stale; MICs break).
  assert.equal(h.keys.length, keysBefore);
  const out = h.ex.output_buffer();
  const rsnSeeds = [AP_RSN, ie(Ie.Rsn, rsnIeWpa2Psk(0x00c0, 6)), Buffer.concat([AP_RSN.subarray(0, 2), AP_RSN.subarray(2), Buffer.alloc(20)])];
  for (let i = 0; i < 15_000; i++, n++) {
    const b = mutate(rsnSeeds[rng.int(rsnSeeds.length)]);
    const p = h.at(1024, b);
    const r = h.ex.parse_rsn(p, b.length, out);
    assert.ok(r >= 0 && r <= 8);
    h.ex.classify_bss(p, b.length, rng.int(2));
  }
  const kd = Buffer.concat([AP_RSN, gtkKde(1, Buffer.alloc(16, 3)), Buffer.of(0xdd, 0, 0, 0)]);
  for (let i = 0; i < 10_000; i++, n++) {
    const b = mutate(kd);
    h.ex.find_kdes(h.at(1024, b), b.length, out);
    h.ex.eapol_check(h.at(2048, b), b.length);
  }
  // HAL events into the (started, scanning) driver, and frames of both kinds.
  const scanRec = Buffer.concat([AA, Buffer.of(6, 0xc4, 100, 0, 1, 0x11, 0, 3), Buffer.from("lab"), Buffer.of(AP_RSN.length, 0), AP_RSN]);
  h.ex.add_network(h.at(0, Buffer.from("lab")), 3, h.at(8, Buffer.from("correct horse")), 13, 1);
  h.ex.start(0n);
  assert.equal(h.ex.state(), 2, "scanning");
  for (let i = 0; i < 15_000; i++, n++) {
    const b = mutate(scanRec).subarray(0, 512);
    h.mem().set(b, h.ex.event_buffer());
    h.ex.on_wifi_event(1 + rng.int(9), rng.int(65536), b.length, BigInt(i));
    const f = mutate(Buffer.concat([SPA, AA, Buffer.of(0x88, 0x8e), seeds[rng.int(4)]])).subarray(0, 1600);
    h.mem().set(f, h.ex.rx_buffer());
    h.ex.on_wifi_rx(rng.int(3), f.length, BigInt(i));
    h.ex.poll(BigInt(i));
  }
  assert.ok(n >= 50_000);
});
