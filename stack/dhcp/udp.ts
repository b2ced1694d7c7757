// The small UDP boundary the DHCP client and DNS resolver are written against, so they do
// not depend on the transport layer's socket API. The lead implements UdpEndpoint over the
// real UDP layer and calls the clients' onDatagram() for datagrams to their ports.
import { random_fill } from "../../hal/generated/hal";

export class UdpEndpoint {
  /**
   * Sends payload (len bytes) to dst:dstPort from srcPort. dst 0xffffffff is the limited
   * broadcast (Ethernet ff:ff:ff:ff:ff:ff, no ARP); the source address is the interface's,
   * or 0.0.0.0 while it has none. Returns false when the datagram could not be queued.
   */
  send(dst: u32, dstPort: u16, srcPort: u16, payload: usize, len: i32, now: i64): bool { return false; }
}

const rnd = memory.data(4);

/** 32 bits from the hardware RNG (hal.random_fill). */
export function randomU32(): u32 {
  random_fill(rnd, 4);
  return load<u32>(rnd);
}

/** Uniform-enough integer in [0, n) for n > 0 (n well below 2^32: the bias is negligible). */
export function randomBelow(n: u64): u64 {
  if (n == 0) return 0;
  const r = (<u64>randomU32() << 32) | <u64>randomU32();
  return r % n;
}
