// RSN element parsing and classification (drivers/esp32-wifi/rsn.ts): the WPA2-PSK/CCMP
// element we accept, each refusal with its own result and 802.11 reason code, truncations
// at every length, oversized and garbage input (never a trap).
import {
  parseRsn, classifyBss, buildRsn, RsnResult, RsnInfo, rsnReasonCode, OUR_RSN_LEN, SUITE_CCMP, Security,
} from "../../drivers/esp32-wifi/rsn";

const buf = memory.data(512);

function put(bytes: u8[], p: usize = buf): i32 {
  for (let i = 0; i < bytes.length; i++) store<u8>(p + i, bytes[i]);
  return bytes.length;
}

// 48, len, version 1, group, 1 pairwise, 1 AKM, caps
function rsn(group: u8, pairwise: u8, akm: u8, caps: u8): u8[] {
  return [48, 20, 1, 0, 0, 0x0f, 0xac, group, 1, 0, 0, 0x0f, 0xac, pairwise, 1, 0, 0, 0x0f, 0xac, akm, caps, 0];
}

describe("RSN element", () => {
  it("accepts WPA2-PSK with CCMP and reads its fields", () => {
    const n = put(rsn(4, 4, 2, 0x0c));
    expect(parseRsn(buf, n)).toBe(RsnResult.Ok);
    expect(RsnInfo.version).toBe(1);
    expect(RsnInfo.groupCipher).toBe(SUITE_CCMP);
    expect(RsnInfo.pairwiseCcmp).toBe(true);
    expect(RsnInfo.akmPsk).toBe(true);
    expect(RsnInfo.capabilities).toBe(0x0c);
  });
  it("accepts a mixed list (TKIP+CCMP pairwise, PSK+PSK-SHA256 AKMs) and PMKIDs + group mgmt cipher", () => {
    const n = put([48, 50, 1, 0, 0, 0x0f, 0xac, 4, 2, 0, 0, 0x0f, 0xac, 2, 0, 0x0f, 0xac, 4, 2, 0, 0, 0x0f, 0xac, 6, 0, 0x0f, 0xac, 2, 0x80, 0,
      1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0x0f, 0xac, 6]);
    expect(parseRsn(buf, n)).toBe(RsnResult.Ok);
    expect(RsnInfo.pairwiseTkip).toBe(true);
    expect(RsnInfo.akmPskSha256).toBe(true);
    expect(RsnInfo.pmkidCount).toBe(1);
  });
  it("refuses each unsupported configuration distinctly", () => {
    expect(parseRsn(buf, put(rsn(2, 4, 2, 0)))).toBe(RsnResult.UnsupportedGroupCipher);
    expect(parseRsn(buf, put(rsn(4, 2, 2, 0)))).toBe(RsnResult.UnsupportedPairwiseCipher);
    expect(parseRsn(buf, put(rsn(4, 4, 6, 0)))).toBe(RsnResult.UnsupportedAkm);
    expect(parseRsn(buf, put(rsn(4, 4, 1, 0)))).toBe(RsnResult.UnsupportedAkm);
    expect(parseRsn(buf, put(rsn(4, 4, 2, 0xc0)))).toBe(RsnResult.PmfRequired);
    const v2 = rsn(4, 4, 2, 0); v2[2] = 2;
    expect(parseRsn(buf, put(v2))).toBe(RsnResult.UnsupportedVersion);
    expect(rsnReasonCode(RsnResult.UnsupportedPairwiseCipher)).toBe(19);
    expect(rsnReasonCode(RsnResult.UnsupportedAkm)).toBe(20);
    expect(rsnReasonCode(RsnResult.PmfRequired)).toBe(31);
  });
  it("a version-only element defaults to 802.1X (refused); truncation inside a field is malformed", () => {
    expect(parseRsn(buf, put([48, 2, 1, 0]))).toBe(RsnResult.UnsupportedAkm);
    const full = rsn(4, 4, 2, 0);
    for (let body = 0; body <= 20; body++) {
      put(full);
      store<u8>(buf + 1, <u8>body);
      const r = parseRsn(buf, body + 2);
      // Field boundaries: 2 (version), 6 (group), 12 (pairwise), 18 (AKM), 20 (caps).
      if (body == 18 || body == 20) expect(r).toBe(RsnResult.Ok);
      else if (body == 2 || body == 6 || body == 12) expect(r).toBe(body < 2 ? RsnResult.Malformed : RsnResult.UnsupportedAkm);
      else expect(r).toBe(RsnResult.Malformed);
    }
  });
  it("length byte beyond the buffer, counts beyond the element, wrong id: malformed", () => {
    put(rsn(4, 4, 2, 0));
    expect(parseRsn(buf, 10)).toBe(RsnResult.Malformed);
    const big = rsn(4, 4, 2, 0); big[8] = 0xff; big[9] = 0xff;
    expect(parseRsn(buf, put(big))).toBe(RsnResult.Malformed);
    const zero = rsn(4, 4, 2, 0); zero[8] = 0;
    expect(parseRsn(buf, put(zero))).toBe(RsnResult.Malformed);
    const id = rsn(4, 4, 2, 0); id[0] = 221;
    expect(parseRsn(buf, put(id))).toBe(RsnResult.Malformed);
    expect(parseRsn(buf, 0)).toBe(RsnResult.Malformed);
  });
  it("garbage of every length never traps", () => {
    let seed: u32 = 1;
    for (let n = 0; n < 300; n++) {
      for (let i = 0; i < n; i++) { seed = seed * 1664525 + 1013904223; store<u8>(buf + i, <u8>(seed >> 24)); }
      if (n > 0) store<u8>(buf, 48);
      const r = parseRsn(buf, n);
      expect(r <= RsnResult.Wep).toBe(true);
      classifyBss(buf, n, true);
    }
  });
  it("classifies scan IEs: WPA1-only, WEP, open, RSN inside other elements", () => {
    // WPA1 vendor element only
    expect(classifyBss(buf, put([221, 6, 0x00, 0x50, 0xf2, 1, 1, 0]), true)).toBe(RsnResult.Wpa1Only);
    expect(classifyBss(buf, 0, true)).toBe(RsnResult.Wep);
    expect(classifyBss(buf, 0, false)).toBe(RsnResult.Ok);
    expect(Security.open).toBe(true);
    const list: u8[] = [221, 6, 0x00, 0x50, 0xf2, 1, 1, 0];
    const r = rsn(4, 4, 2, 0);
    for (let i = 0; i < r.length; i++) list.push(r[i]);
    expect(classifyBss(buf, put(list), true)).toBe(RsnResult.Ok);
    expect(Security.open).toBe(false);
    expect(classifyBss(buf, put([48, 30, 1, 0]), true)).toBe(RsnResult.Malformed);
  });
  it("builds our element: WPA2-PSK/CCMP, which we accept ourselves", () => {
    expect(buildRsn(buf)).toBe(OUR_RSN_LEN);
    expect(parseRsn(buf, OUR_RSN_LEN)).toBe(RsnResult.Ok);
    expect(RsnInfo.capabilities).toBe(0);
  });
});
