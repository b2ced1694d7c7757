// Seeded randomness. One seed drives a whole run; every consumer takes its own stream with
// `fork(name)`, derived from the parent seed and the name, so adding a consumer (or a
// draw in one model) does not shift the numbers another model sees.

function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** xoshiro128** seeded through splitmix32. */
export class Rng {
  private s: Uint32Array;
  constructor(readonly seed: number) {
    const sm = splitmix32(seed >>> 0);
    this.s = Uint32Array.from([sm(), sm(), sm(), sm()]);
  }

  fork(name: string): Rng {
    return new Rng((this.seed ^ hashName(name)) >>> 0 ^ 0x5bd1e995);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number { return this.u32() / 4294967296; }
  /** Uniform integer in [0, n). */
  int(n: number): number { return Math.floor(this.float() * n); }
  chance(p: number): boolean { return p > 0 && this.float() < p; }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
  /** Normal distribution (Box-Muller). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.float(), v = this.float();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
