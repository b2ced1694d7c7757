// EAPOL-Key view and Key Data walk (drivers/esp32-wifi/eapol.ts), and the constant-time
// compare the MIC check relies on.
import { EapolKeyView, EapolCheck, buildEapolKey, findKdes, Kdes, KI_MIC, KI_PAIRWISE, KI_VERSION_HMAC_SHA1_AES } from "../../drivers/esp32-wifi/eapol";
import { eapolMicVerify, ctEqual } from "../../stack/crypto";

const frame = memory.data(512);
const kck = memory.data(16);
const replay = memory.data(8);
const nonce = memory.data(32);
const data = memory.data(64);
const a = memory.data(32);
const b = memory.data(32);

function m2(): i32 {
  for (let i = 0; i < 16; i++) store<u8>(kck + i, <u8>i);
  for (let i = 0; i < 8; i++) store<u8>(replay + i, i == 7 ? 1 : 0);
  for (let i = 0; i < 32; i++) store<u8>(nonce + i, <u8>(i * 3));
  for (let i = 0; i < 22; i++) store<u8>(data + i, <u8>i);
  return buildEapolKey(frame, KI_VERSION_HMAC_SHA1_AES | KI_PAIRWISE | KI_MIC, 0, replay, nonce, data, 22, kck);
}

describe("EAPOL-Key view", () => {
  it("round-trips a built frame with a MIC that verifies", () => {
    const n = m2();
    expect(n).toBe(99 + 22);
    const v = new EapolKeyView();
    expect(v.check(frame, n)).toBe(EapolCheck.Ok);
    expect(v.keyInfo()).toBe(KI_VERSION_HMAC_SHA1_AES | KI_PAIRWISE | KI_MIC);
    expect(v.replayCounter()).toBe(1);
    expect(v.keyDataLen()).toBe(22);
    expect(load<u8>(v.nonce() + 31)).toBe(93);
    expect(eapolMicVerify(kck, frame, n)).toBe(true);
    store<u8>(frame + 50, load<u8>(frame + 50) ^ 1);
    expect(eapolMicVerify(kck, frame, n)).toBe(false);
  });
  it("ignores Ethernet padding after the body; rejects every truncation", () => {
    const n = m2();
    const v = new EapolKeyView();
    expect(v.check(frame, n + 30)).toBe(EapolCheck.Ok);
    expect(v.len).toBe(n);
    for (let len = 0; len < n; len++) expect(v.check(frame, len)).toBe(EapolCheck.Malformed);
  });
  it("rejects inconsistent lengths, other packet types, WPA1 and other descriptor versions", () => {
    const v = new EapolKeyView();
    let n = m2(); store<u8>(frame + 98, 200);                      // key data length past the body
    expect(v.check(frame, n)).toBe(EapolCheck.Malformed);
    n = m2(); store<u8>(frame + 3, 10);                            // body shorter than the fixed fields
    expect(v.check(frame, n)).toBe(EapolCheck.Malformed);
    n = m2(); store<u8>(frame + 2, 0xff);                          // body longer than the frame
    expect(v.check(frame, n)).toBe(EapolCheck.Malformed);
    n = m2(); store<u8>(frame + 1, 0);                             // EAP packet, not a key
    expect(v.check(frame, n)).toBe(EapolCheck.Malformed);
    n = m2(); store<u8>(frame + 4, 254);
    expect(v.check(frame, n)).toBe(EapolCheck.WpaDescriptor);
    n = m2(); store<u8>(frame + 4, 1);
    expect(v.check(frame, n)).toBe(EapolCheck.Malformed);
    n = m2(); store<u8>(frame + 6, (load<u8>(frame + 6) & 0xf8) | 1);
    expect(v.check(frame, n)).toBe(EapolCheck.UnsupportedVersion);
    n = m2(); store<u8>(frame + 6, (load<u8>(frame + 6) & 0xf8) | 3);
    expect(v.check(frame, n)).toBe(EapolCheck.UnsupportedVersion);
  });
  it("oversized and garbage frames never trap", () => {
    const v = new EapolKeyView();
    let seed: u32 = 7;
    for (let n = 0; n < 512; n += 3) {
      for (let i = 0; i < n; i++) { seed = seed * 1664525 + 1013904223; store<u8>(frame + i, <u8>(seed >> 24)); }
      if (n > 5) { store<u8>(frame + 1, 3); store<u8>(frame + 4, 2); }
      const r = v.check(frame, n);
      expect(r <= EapolCheck.UnsupportedVersion).toBe(true);
      findKdes(frame, n);
    }
  });
});

describe("Key Data", () => {
  it("finds the RSN element and GTK KDE, stops at the padding", () => {
    const kd: u8[] = [48, 2, 1, 0, 0xdd, 22, 0x00, 0x0f, 0xac, 1, 0x06, 0];
    for (let i = 0; i < 16; i++) kd.push(<u8>(0xa0 + i));
    kd.push(0xdd); kd.push(0); kd.push(0); kd.push(0);
    for (let i = 0; i < kd.length; i++) store<u8>(frame + i, kd[i]);
    expect(findKdes(frame, kd.length)).toBe(true);
    expect(Kdes.rsnOffset).toBe(0);
    expect(Kdes.rsnLen).toBe(4);
    expect(Kdes.gtkKeyId).toBe(2);
    expect(Kdes.gtkTx).toBe(true);
    expect(Kdes.gtkLen).toBe(16);
    expect(load<u8>(frame + Kdes.gtkOffset)).toBe(0xa0);
    // A single trailing 0xDD is padding too.
    expect(findKdes(frame, kd.length - 3)).toBe(true);
  });
  it("rejects an element running past the end and a too-short or duplicate GTK KDE", () => {
    const bad: u8[] = [48, 10, 1, 0];
    for (let i = 0; i < bad.length; i++) store<u8>(frame + i, bad[i]);
    expect(findKdes(frame, 4)).toBe(false);
    const short: u8[] = [0xdd, 6, 0x00, 0x0f, 0xac, 1, 1, 0];
    for (let i = 0; i < short.length; i++) store<u8>(frame + i, short[i]);
    expect(findKdes(frame, short.length)).toBe(false);
  });
});

describe("constant-time compare", () => {
  it("equal and unequal at every position", () => {
    for (let i = 0; i < 32; i++) { store<u8>(a + i, <u8>i); store<u8>(b + i, <u8>i); }
    expect(ctEqual(a, b, 32)).toBe(true);
    for (let p = 0; p < 32; p++) {
      store<u8>(b + p, <u8>(p ^ 0x80));
      expect(ctEqual(a, b, 32)).toBe(false);
      store<u8>(b + p, <u8>p);
    }
    expect(ctEqual(a, b, 0)).toBe(true);
  });
});
