// Ephemeral port selection, RFC 6056 §3.3.3 (Algorithm 3, "Simple Hash-Based"):
//   port = min + (next_ephemeral + F(local, remote, remote port, key)) mod num
// F is SipHash keyed from the hardware random source, so the sequence towards one
// destination is unpredictable to an off-path attacker, while different destinations get
// independent offsets. The whole range RFC 6056 §3.2 recommends (1024-65535) is used.
import { random_fill } from "../../hal/generated/hal";
import { siphash2 } from "./siphash";

export const EPHEMERAL_MIN: u32 = 1024;
export const EPHEMERAL_MAX: u32 = 65535;

/** Implemented by a transport: is this local port taken for that remote endpoint? */
export abstract class PortUser {
  abstract portInUse(port: u32, remoteAddr: u32, remotePort: u32): bool;
}

const keyBuf = memory.data(16);

export class EphemeralPorts {
  private k0: u64 = 0;
  private k1: u64 = 0;
  private next: u32 = 0;

  constructor() {
    random_fill(keyBuf, 16);
    this.k0 = load<u64>(keyBuf);
    this.k1 = load<u64>(keyBuf, 8);
  }

  /** A free port towards (remoteAddr, remotePort), or 0 when every candidate is taken. */
  pick(localAddr: u32, remoteAddr: u32, remotePort: u32, users: PortUser): u32 {
    const num = EPHEMERAL_MAX - EPHEMERAL_MIN + 1;
    const offset = <u32>siphash2(this.k0, this.k1, (<u64>localAddr << 32) | <u64>remoteAddr, <u64>remotePort);
    // Bounded search: a device has a handful of sockets, so a few probes always suffice;
    // the bound keeps a pathological table from spinning.
    for (let i = 0; i < 64; i++) {
      const port = EPHEMERAL_MIN + (this.next + offset) % num;
      this.next++;
      if (!users.portInUse(port, remoteAddr, remotePort)) return port;
    }
    return 0;
  }
}
