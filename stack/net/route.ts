// The IPv4 route table: bounded, longest-prefix match, then lowest metric. Each route
// names its interface, so a second interface (Wi-Fi next to Ethernet) can carry a
// backup default route with a higher metric; routes over an interface that is down are
// skipped, which gives failover without rewriting the table.
import { prefixMask } from "../wire/ipv4";

export const NO_ROUTE: i32 = -1;

export class RouteTable {
  readonly capacity: i32;
  private used: StaticArray<bool>;
  private dest: StaticArray<u32>;
  private prefix: StaticArray<i32>;
  private gw: StaticArray<u32>;
  private iface: StaticArray<i32>;
  private metricOf: StaticArray<i32>;
  /** Bit i set: interface i is down. */
  private downMask: u32 = 0;
  /** The last lookup (a reply goes where the request came from); any change clears it. */
  private lastDst: u32 = 0;
  private lastRoute: i32 = NO_ROUTE;
  private lastValid: bool = false;

  constructor(capacity: i32 = 8) {
    this.capacity = capacity;
    this.used = new StaticArray<bool>(capacity);
    this.dest = new StaticArray<u32>(capacity);
    this.prefix = new StaticArray<i32>(capacity);
    this.gw = new StaticArray<u32>(capacity);
    this.iface = new StaticArray<i32>(capacity);
    this.metricOf = new StaticArray<i32>(capacity);
  }

  /**
   * Adds a route (gateway 0: destination on-link), replacing one with the same prefix
   * on the same interface. False when the table is full.
   */
  add(dest: u32, prefixLen: i32, gateway: u32, ifIndex: i32, metric: i32): bool {
    if (prefixLen < 0 || prefixLen > 32) return false;
    const d = dest & prefixMask(prefixLen);
    let slot = -1;
    for (let i = 0; i < this.capacity; i++) {
      if (!unchecked(this.used[i])) { if (slot < 0) slot = i; continue; }
      if (this.dest[i] == d && this.prefix[i] == prefixLen && this.iface[i] == ifIndex) { slot = i; break; }
    }
    if (slot < 0) return false;
    this.lastValid = false;
    unchecked(this.used[slot] = true);
    unchecked(this.dest[slot] = d);
    unchecked(this.prefix[slot] = prefixLen);
    unchecked(this.gw[slot] = gateway);
    unchecked(this.iface[slot] = ifIndex);
    unchecked(this.metricOf[slot] = metric);
    return true;
  }

  /** Removes every route over an interface (before re-adding them for a new address). */
  removeInterface(ifIndex: i32): void {
    this.lastValid = false;
    for (let i = 0; i < this.capacity; i++) if (this.iface[i] == ifIndex) this.used[i] = false;
  }

  setInterfaceUp(ifIndex: i32, up: bool): void {
    if (ifIndex < 0 || ifIndex >= 32) return;
    this.lastValid = false;
    if (up) this.downMask &= ~(<u32>1 << <u32>ifIndex);
    else this.downMask |= <u32>1 << <u32>ifIndex;
  }

  /** The best route for dst, or NO_ROUTE. */
  lookup(dst: u32): i32 {
    if (this.lastValid && dst == this.lastDst) return this.lastRoute;
    let best = NO_ROUTE;
    for (let i = 0; i < this.capacity; i++) {
      if (!unchecked(this.used[i])) continue;
      const ifIndex = unchecked(this.iface[i]);
      if (ifIndex < 32 && (this.downMask & (<u32>1 << <u32>ifIndex)) != 0) continue;
      const p = unchecked(this.prefix[i]);
      if ((dst & prefixMask(p)) != unchecked(this.dest[i])) continue;
      if (best == NO_ROUTE || p > unchecked(this.prefix[best]) || (p == unchecked(this.prefix[best]) && unchecked(this.metricOf[i]) < unchecked(this.metricOf[best]))) best = i;
    }
    this.lastDst = dst;
    this.lastRoute = best;
    this.lastValid = true;
    return best;
  }

  /** Where to send a packet for dst by route r: its gateway, or dst itself when on-link. */
  nextHop(r: i32, dst: u32): u32 {
    const g = this.gw[r];
    return g != 0 ? g : dst;
  }

  /** Slot r for the console's `route` (used(r) false: empty). */
  inUse(r: i32): bool { return r >= 0 && r < this.capacity && this.used[r]; }
  destinationOf(r: i32): u32 { return this.dest[r]; }
  prefixOf(r: i32): i32 { return this.prefix[r]; }

  interfaceOf(r: i32): i32 { return this.iface[r]; }
  gatewayOf(r: i32): u32 { return this.gw[r]; }
  metric(r: i32): i32 { return this.metricOf[r]; }
}
