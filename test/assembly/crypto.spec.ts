// Edge cases of stack/crypto that the third-party vectors (test/sim/crypto-vectors.test.ts)
// do not reach: SHA-1 padding boundaries, streaming splits, HMAC key-length boundaries,
// invalid arguments (false / -1, never a trap), integrity failures. Expected digests were
// computed with Node's crypto over the same inputs (pattern bytes (7i + 3) & 255).
import {
  SHA1_CTX_SIZE, sha1, sha1Init, sha1Update, sha1Final, hmacSha1, pbkdf2HmacSha1, PBKDF2_MAX_DK,
  wpaPassphraseValid, wpaPmkFromSecret, wpaPmkBegin, PBKDF2_JOB_SIZE, prfSha1, eapolMicVerify,
  AES_CTX_SIZE, aesInit, aesEncryptBlock, aesDecryptBlock, aesKeyWrap, aesKeyUnwrap, ctEqual, cryptoCaps,
} from "../../stack/crypto";

const data = memory.data(256);
const out = memory.data(128);
const big = memory.data(128);
const ctx = memory.data(SHA1_CTX_SIZE);
const job = memory.data(PBKDF2_JOB_SIZE);
const aes = memory.data(AES_CTX_SIZE);

function pattern(p: usize, n: i32): usize {
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>(i * 7 + 3));
  return p;
}

function hex(p: usize, n: i32): string {
  const digits = "0123456789abcdef";
  let s = "";
  for (let i = 0; i < n; i++) {
    const b = load<u8>(p + i);
    s += digits.charAt(b >> 4) + digits.charAt(b & 15);
  }
  return s;
}

function fromHex(s: string, p: usize): usize {
  for (let i = 0; i < s.length / 2; i++) store<u8>(p + i, <u8>I32.parseInt(s.substr(2 * i, 2), 16));
  return p;
}

function ascii(s: string, p: usize): usize {
  for (let i = 0; i < s.length; i++) store<u8>(p + i, <u8>s.charCodeAt(i));
  return p;
}

const SHA1_CASES: string[] = [
  "0", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  "1", "9842926af7ca0a8cca12604f945414f07b01e13d",
  "55", "ddf57317ef34bfee3b6df83d359098930eb278bc",
  "56", "a0d492bb0fc889d0eca3bc137066ab6f4f74f369",
  "57", "11a02dcf95859677a62e75024067c22b165d890f",
  "63", "c55856749bef509bdfe6bfebfc7bf4e793e82132",
  "64", "bede92be29c3874e1b54ddc77988d606fc857a8e",
  "65", "b05a80522b053d6dc7e0a517d0e70212c7dad11f",
  "119", "504e27376a6e0f0dba8295b85cb25dc4dfa17d23",
  "120", "82134b02fb3f702491be9bed581eeab59334acb2",
  "128", "a09133e6730ffe899efb70204cb5646cd5dc24ee",
];

describe("accelerators", () => {
  it("the fake HAL reports none, so these tests run our own code", () => {
    expect(cryptoCaps()).toBe(0);
  });
});

describe("SHA-1 padding boundaries", () => {
  it("one-shot, lengths 0..128 around 55/56/63/64", () => {
    for (let i = 0; i < SHA1_CASES.length; i += 2) {
      const n = I32.parseInt(SHA1_CASES[i]);
      sha1(pattern(data, n), n, out);
      expect(hex(out, 20)).toBe(SHA1_CASES[i + 1], SHA1_CASES[i] + " bytes");
    }
  });
  it("streamed byte by byte and in two uneven parts", () => {
    for (let i = 0; i < SHA1_CASES.length; i += 2) {
      const n = I32.parseInt(SHA1_CASES[i]);
      pattern(data, n);
      sha1Init(ctx);
      for (let k = 0; k < n; k++) sha1Update(ctx, data + k, 1);
      sha1Final(ctx, out);
      expect(hex(out, 20)).toBe(SHA1_CASES[i + 1], SHA1_CASES[i] + " bytes, 1 at a time");
      const cut = n / 3;
      sha1Init(ctx);
      sha1Update(ctx, data, cut);
      sha1Update(ctx, data + cut, n - cut);
      sha1Final(ctx, out);
      expect(hex(out, 20)).toBe(SHA1_CASES[i + 1], SHA1_CASES[i] + " bytes, split");
    }
  });
  it("ignores zero and negative lengths", () => {
    sha1Init(ctx);
    sha1Update(ctx, data, -5);
    sha1Update(ctx, data, 0);
    sha1Final(ctx, out);
    expect(hex(out, 20)).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    sha1(data, -1, out);
    expect(hex(out, 20)).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  });
});

describe("HMAC-SHA1 key lengths", () => {
  it("0, 1, 63, 64 (used as is), 65 and 100 (hashed first)", () => {
    const cases: string[] = [
      "0", "ba73bc71e3de7712a6bf4ffc104823bf3fdafecd",
      "1", "e08448e8ba5936ad913ad02e4fd8c8c1372b5968",
      "63", "64f5432e61d74cf39d04bea2835ef62141d206e7",
      "64", "dae18decfb02702108e83d416e893b112a55f056",
      "65", "a4f2b79e958521a8e814e59cfdd5b313511a92c6",
      "100", "1de265bcb0ab87b73a73104605237cde5b40141b",
    ];
    pattern(data, 50);
    for (let i = 0; i < cases.length; i += 2) {
      const k = I32.parseInt(cases[i]);
      hmacSha1(pattern(big, k), k, data, 50, out);
      expect(hex(out, 20)).toBe(cases[i + 1], cases[i] + "-byte key");
    }
  });
});

describe("PBKDF2", () => {
  it("long password, 64-byte salt, 64-byte key (4 blocks, last one partial)", () => {
    pattern(big, 100);
    pattern(data, 64);
    expect(pbkdf2HmacSha1(big, 100, data, 64, 3, out, 64)).toBe(true);
    expect(hex(out, 64)).toBe("b1edff655ed81b20d587789a94da36ceae135dcc06d1f59b58a3617bf883b622fdafa8f0b81cc638c93a5ade047a995b0079adc3105c0f87fe9522b36246dcb6");
  });
  it("rejects what it cannot do, without trapping", () => {
    expect(pbkdf2HmacSha1(big, 8, data, 65, 1, out, 20)).toBe(false, "salt > 64");
    expect(pbkdf2HmacSha1(big, 8, data, 4, 1, out, 0)).toBe(false, "dkLen 0");
    expect(pbkdf2HmacSha1(big, 8, data, 4, 1, out, PBKDF2_MAX_DK + 1)).toBe(false, "dkLen too big");
    expect(pbkdf2HmacSha1(big, 8, data, 4, 0, out, 20)).toBe(false, "0 iterations");
    expect(pbkdf2HmacSha1(big, -1, data, 4, 1, out, 20)).toBe(false, "negative password length");
    expect(pbkdf2HmacSha1(big, 8, data, -4, 1, out, 20)).toBe(false, "negative salt length");
  });
});

describe("WPA PMK", () => {
  it("passphrase rules (Annex J.4): 8..63 printable ASCII", () => {
    memory.fill(big, 0x41, 64);
    expect(wpaPassphraseValid(big, 7)).toBe(false);
    expect(wpaPassphraseValid(big, 8)).toBe(true);
    expect(wpaPassphraseValid(big, 63)).toBe(true);
    expect(wpaPassphraseValid(big, 64)).toBe(false);
    store<u8>(big + 3, 0x09);
    expect(wpaPassphraseValid(big, 10)).toBe(false, "tab");
    store<u8>(big + 3, 0x7f);
    expect(wpaPassphraseValid(big, 10)).toBe(false, "DEL");
  });
  it("longest passphrase with the longest SSID", () => {
    memory.fill(big, 0x7e, 63);
    memory.fill(data, 0x5a, 32);
    expect(wpaPmkFromSecret(big, 63, data, 32, out)).toBe(true);
    expect(hex(out, 32)).toBe("aafb09046219d553a419fdce0f47fb1504fff5bc39aaebef8d0d04fe6703f0b3");
  });
  it("64 characters must all be hex digits", () => {
    memory.fill(big, 0x61, 64); // "aaaa..."
    expect(wpaPmkFromSecret(big, 64, data, 4, out)).toBe(true);
    expect(hex(out, 32)).toBe("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    store<u8>(big + 40, 0x67); // 'g'
    expect(wpaPmkFromSecret(big, 64, data, 4, out)).toBe(false);
  });
  it("rejects an SSID over 32 bytes and short secrets", () => {
    memory.fill(big, 0x41, 20);
    expect(wpaPmkBegin(job, big, 20, data, 33)).toBe(false);
    expect(wpaPmkFromSecret(big, 7, data, 4, out)).toBe(false);
    expect(wpaPmkFromSecret(big, -3, data, 4, out)).toBe(false);
  });
});

describe("PRF and MIC", () => {
  it("a zero-length PRF output writes nothing", () => {
    memory.fill(out, 0xee, 8);
    prfSha1(big, 32, data, 4, data, 8, out, 0);
    expect(load<u64>(out)).toBe(0xeeeeeeeeeeeeeeee);
  });
  it("MIC verify refuses frames too short to hold the MIC field", () => {
    expect(eapolMicVerify(big, data, 96)).toBe(false);
    expect(eapolMicVerify(big, data, -1)).toBe(false);
  });
  it("constant-time compare", () => {
    pattern(data, 16);
    pattern(big, 16);
    expect(ctEqual(data, big, 16)).toBe(true);
    store<u8>(big + 15, 0);
    expect(ctEqual(data, big, 16)).toBe(false);
    expect(ctEqual(data, big, 15)).toBe(true);
    expect(ctEqual(data, big, -1)).toBe(false);
  });
});

describe("AES", () => {
  it("encrypts with 128/192/256-bit keys and decrypts back, in place", () => {
    const expected: string[] = [
      "6d6e1a1898bd8a2e24fd10e56fd97269", "0c62588991c91fba68fffb6346cd1399", "c7026bd861e77b75ba7949041e8ce361",
    ];
    pattern(big, 32);
    for (let i = 0; i < 3; i++) {
      const keyLen = 16 + 8 * i;
      expect(aesInit(aes, big, keyLen)).toBe(true);
      aesEncryptBlock(aes, pattern(data, 16), out);
      expect(hex(out, 16)).toBe(expected[i]);
      aesDecryptBlock(aes, out, out);
      expect(hex(out, 16)).toBe(hex(pattern(data, 16), 16));
    }
  });
  it("rejects other key lengths; an unusable context outputs zeros", () => {
    expect(aesInit(aes, big, 15)).toBe(false);
    expect(aesInit(aes, big, 0)).toBe(false);
    memory.fill(out, 0xff, 16);
    aesEncryptBlock(aes, data, out);
    expect(hex(out, 16)).toBe("00000000000000000000000000000000");
  });
});

describe("AES key wrap", () => {
  it("round-trips in place (out = input + 8)", () => {
    pattern(big, 16);                  // KEK
    pattern(data, 40);                 // 40 bytes of key data
    expect(aesKeyWrap(big, 16, data, 40, out)).toBe(48);
    expect(aesKeyUnwrap(big, 16, out, 48, out + 8)).toBe(true);
    expect(hex(out + 8, 40)).toBe(hex(data, 40));
  });
  it("integrity failure returns false and zeroes the output", () => {
    pattern(big, 16);
    pattern(data, 16);
    expect(aesKeyWrap(big, 16, data, 16, out)).toBe(24);
    store<u8>(out + 23, load<u8>(out + 23) ^ 1);
    memory.fill(out + 64, 0xcc, 16);
    expect(aesKeyUnwrap(big, 16, out, 24, out + 64)).toBe(false);
    expect(hex(out + 64, 16)).toBe("00000000000000000000000000000000");
    store<u8>(out + 23, load<u8>(out + 23) ^ 1);
    store<u8>(big + 1, load<u8>(big + 1) ^ 0x40); // wrong KEK
    expect(aesKeyUnwrap(big, 16, out, 24, out + 64)).toBe(false, "wrong KEK");
  });
  it("bad lengths are refused, never trapped on", () => {
    expect(aesKeyWrap(big, 16, data, 8, out)).toBe(-1);
    expect(aesKeyWrap(big, 16, data, 20, out)).toBe(-1);
    expect(aesKeyWrap(big, 16, data, -16, out)).toBe(-1);
    expect(aesKeyWrap(big, 15, data, 16, out)).toBe(-1);
    expect(aesKeyUnwrap(big, 16, out, 16, data)).toBe(false);
    expect(aesKeyUnwrap(big, 16, out, 25, data)).toBe(false);
    expect(aesKeyUnwrap(big, 16, out, -24, data)).toBe(false);
    expect(aesKeyUnwrap(big, 17, out, 24, data)).toBe(false);
  });
});
