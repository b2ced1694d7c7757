// A SHA-1 compression written independently in JS from FIPS 180-4 6.1.2. It stands in for
// the device's hardware SHA-1 block function (AccelCap.Sha1) in tests and benchmarks.
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
