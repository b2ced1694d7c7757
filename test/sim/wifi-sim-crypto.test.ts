// The simulator's own WPA2 crypto (Node crypto, used by the AP and the radio model) against
// the third-party vectors in ../shared/vectors/crypto.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { aesUnwrap, aesWrap, ccmpDecrypt, ccmpEncrypt, derivePtk, eapolMic, pmkFromPassphrase, prf } from "../../sim/wifi/crypto.ts";

const file = resolve(import.meta.dirname, "../../../shared/vectors/crypto.json");
const skip = existsSync(file) ? false : `no ${file} (third-party vectors live beside the project in ../shared)`;
const groups = skip ? {} : JSON.parse(readFileSync(file, "utf8")).groups;
const hex = (s: string) => Buffer.from(s, "hex");

test("CCMP encrypts and decrypts the normative MPDUs", { skip }, () => {
  const normative = groups.ccmp_mpdu.vectors.filter((v: any) => v.normative);
  assert.ok(normative.length >= 3);
  for (const v of normative) {
    const mpdu = Buffer.concat([hex(v.header), hex(v.plaintext_data)]);
    const out = ccmpEncrypt(hex(v.tk), mpdu, BigInt("0x" + v.pn), v.key_id);
    assert.equal(out.toString("hex"), v.expected_mpdu_without_fcs, `mpdu ${v.mpdu}`);
    const back = ccmpDecrypt(hex(v.tk), out);
    assert.ok(back);
    assert.equal(back.plaintext.toString("hex"), v.plaintext_data);
    const tampered = Buffer.from(out);
    tampered[tampered.length - 12] ^= 1;
    assert.equal(ccmpDecrypt(hex(v.tk), tampered), null, "a flipped bit fails the MIC");
    assert.equal(ccmpDecrypt(Buffer.alloc(16), out), null, "a wrong key gets nothing usable");
  }
});

test("passphrase to PMK, PRF and AES key wrap match the vectors", { skip }, () => {
  const psk = groups.wpa_passphrase_to_psk_80211_annexJ4.vectors;
  for (const v of psk) assert.equal(pmkFromPassphrase(v.passphrase_ascii, v.ssid_ascii).toString("hex"), v.psk);
  for (const v of groups.aes_key_wrap_rfc3394.vectors) {
    const kek = hex(v.kek);
    if (kek.length !== 16) continue;
    assert.equal(aesWrap(kek, hex(v.key_data)).toString("hex"), v.ciphertext);
    assert.equal(aesUnwrap(kek, hex(v.ciphertext))!.toString("hex"), v.key_data);
    const bad = hex(v.ciphertext);
    bad[3] ^= 0x10;
    assert.equal(aesUnwrap(kek, bad), null, "a corrupted wrap fails its integrity check");
  }
  for (const v of groups.prf_sha1_80211.vectors) {
    assert.equal(prf(hex(v.key), v.label_ascii, hex(v.data), v.output_len * 8).toString("hex"), v.output);
  }
});

test("the 4-way handshake example: PMK -> PTK -> MIC", { skip }, () => {
  for (const v of groups.wpa2_4way_example.vectors) {
    assert.equal(pmkFromPassphrase(v.passphrase_ascii, v.ssid_ascii).toString("hex"), v.pmk);
    const ptk = derivePtk(hex(v.pmk), hex(v.aa), hex(v.spa), hex(v.anonce), hex(v.snonce));
    assert.equal(ptk.kck.toString("hex"), v.kck);
    assert.equal(ptk.kek.toString("hex"), v.kek);
    assert.equal(ptk.tk.toString("hex"), v.tk);
    assert.equal(eapolMic(ptk.kck, hex(v.eapol_m2_mic_zeroed)).toString("hex"), v.mic);
  }
});
