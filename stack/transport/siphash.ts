// SipHash-2-4 (Aumasson & Bernstein) over exactly two 64-bit words: the keyed hash behind
// TCP initial sequence numbers (RFC 6528 §3, "F" must be a keyed cryptographic hash) and
// ephemeral port selection (RFC 6056 §3.3.3). Message words are taken as little-endian
// 8-byte blocks, so this equals SipHash-2-4 of their 16 bytes.
let v0: u64 = 0, v1: u64 = 0, v2: u64 = 0, v3: u64 = 0;

// @ts-ignore: decorator
@inline function sipRound(): void {
  v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
  v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
}

export function siphash2(k0: u64, k1: u64, m0: u64, m1: u64): u64 {
  v0 = k0 ^ 0x736f6d6570736575;
  v1 = k1 ^ 0x646f72616e646f6d;
  v2 = k0 ^ 0x6c7967656e657261;
  v3 = k1 ^ 0x7465646279746573;
  v3 ^= m0; sipRound(); sipRound(); v0 ^= m0;
  v3 ^= m1; sipRound(); sipRound(); v0 ^= m1;
  const b: u64 = <u64>16 << 56;
  v3 ^= b; sipRound(); sipRound(); v0 ^= b;
  v2 ^= 0xff;
  sipRound(); sipRound(); sipRound(); sipRound();
  return v0 ^ v1 ^ v2 ^ v3;
}
