// The lease as a small fixed record, for the config store (persisted across reboots so
// the next start can INIT-REBOOT and get the address back in one round trip).
export const DHCP_LEASE_RECORD_LEN: i32 = 56;
const LEASE_VERSION: u8 = 1;
/** The compact record for small config values (the store's `_lease` holds at most 32 bytes). */
export const DHCP_LEASE_COMPACT_LEN: i32 = 32;
const COMPACT_VERSION: u8 = 0x81;
export const DHCP_LEASE_MAX_DNS: i32 = 3;

@inline function wr32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }
@inline function rd32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

export class DhcpLease {
  address: u32 = 0;
  mask: u32 = 0;
  router: u32 = 0;
  dns: StaticArray<u32> = new StaticArray<u32>(DHCP_LEASE_MAX_DNS);
  dnsCount: i32 = 0;
  serverId: u32 = 0;
  /** Seconds; 0xffffffff = infinite. */
  leaseSecs: u32 = 0;
  t1Secs: u32 = 0;
  t2Secs: u32 = 0;
  /** Monotonic µs at which the lease started (when the REQUEST was sent). Not meaningful across reboots. */
  obtainedAt: i64 = 0;
  /** T1/T2 in µs (exact, also for tiny leases whose 0.5/0.875 fractions are not whole seconds); not persisted. */
  t1Us: i64 = 0;
  t2Us: i64 = 0;
  /** Set by the lead (e.g. a hash of SSID/BSSID): an INIT-REBOOT is tried only on the same network. */
  networkTag: u32 = 0;

  valid(): bool { return this.address != 0; }
  clear(): void {
    this.address = 0; this.mask = 0; this.router = 0; this.dnsCount = 0; this.serverId = 0;
    this.leaseSecs = 0; this.t1Secs = 0; this.t2Secs = 0; this.obtainedAt = 0; this.t1Us = 0; this.t2Us = 0;
  }
  copyFrom(o: DhcpLease): void {
    this.address = o.address; this.mask = o.mask; this.router = o.router; this.dnsCount = o.dnsCount;
    for (let i = 0; i < DHCP_LEASE_MAX_DNS; i++) unchecked(this.dns[i] = o.dns[i]);
    this.serverId = o.serverId; this.leaseSecs = o.leaseSecs; this.t1Secs = o.t1Secs; this.t2Secs = o.t2Secs;
    this.obtainedAt = o.obtainedAt; this.networkTag = o.networkTag; this.t1Us = o.t1Us; this.t2Us = o.t2Us;
  }

  /** Writes DHCP_LEASE_RECORD_LEN bytes at p (big-endian fields, version first). */
  write(p: usize): i32 {
    memory.fill(p, 0, <usize>DHCP_LEASE_RECORD_LEN);
    store<u8>(p, LEASE_VERSION);
    store<u8>(p + 1, <u8>this.dnsCount);
    wr32(p + 4, this.address); wr32(p + 8, this.mask); wr32(p + 12, this.router);
    for (let i = 0; i < DHCP_LEASE_MAX_DNS; i++) wr32(p + 16 + 4 * i, unchecked(this.dns[i]));
    wr32(p + 28, this.serverId); wr32(p + 32, this.leaseSecs); wr32(p + 36, this.t1Secs); wr32(p + 40, this.t2Secs);
    wr32(p + 44, this.networkTag);
    store<i64>(p + 48, this.obtainedAt);
    return DHCP_LEASE_RECORD_LEN;
  }

  /** Reads a record written by write(); false (and cleared) when it is not one. */
  read(p: usize, len: i32): bool {
    this.clear();
    if (len < DHCP_LEASE_RECORD_LEN || load<u8>(p) != LEASE_VERSION) return false;
    const n = <i32>load<u8>(p + 1);
    if (n > DHCP_LEASE_MAX_DNS) return false;
    this.dnsCount = n;
    this.address = rd32(p + 4); this.mask = rd32(p + 8); this.router = rd32(p + 12);
    for (let i = 0; i < DHCP_LEASE_MAX_DNS; i++) unchecked(this.dns[i] = rd32(p + 16 + 4 * i));
    this.serverId = rd32(p + 28); this.leaseSecs = rd32(p + 32); this.t1Secs = rd32(p + 36); this.t2Secs = rd32(p + 40);
    this.networkTag = rd32(p + 44);
    this.obtainedAt = load<i64>(p + 48);
    this.t1Us = <i64>this.t1Secs * 1_000_000;
    this.t2Us = <i64>this.t2Secs * 1_000_000;
    return true;
  }

  /**
   * Writes DHCP_LEASE_COMPACT_LEN bytes at p: what an INIT-REBOOT needs (address, server,
   * network tag) plus mask, router, lease time and the first DNS server (the ACK brings the
   * full list again); no times (they mean nothing after a reboot).
   */
  writeCompact(p: usize): i32 {
    memory.fill(p, 0, <usize>DHCP_LEASE_COMPACT_LEN);
    store<u8>(p, COMPACT_VERSION);
    store<u8>(p + 1, <u8>(this.dnsCount > 0 ? 1 : 0));
    wr32(p + 4, this.address); wr32(p + 8, this.mask); wr32(p + 12, this.router); wr32(p + 16, this.serverId);
    wr32(p + 20, this.leaseSecs); wr32(p + 24, this.networkTag);
    if (this.dnsCount > 0) wr32(p + 28, unchecked(this.dns[0]));
    return DHCP_LEASE_COMPACT_LEN;
  }

  /** Reads a record written by writeCompact(); false (and cleared) when it is not one. */
  readCompact(p: usize, len: i32): bool {
    this.clear();
    if (len < DHCP_LEASE_COMPACT_LEN || load<u8>(p) != COMPACT_VERSION || load<u8>(p + 1) > 1) return false;
    this.address = rd32(p + 4); this.mask = rd32(p + 8); this.router = rd32(p + 12); this.serverId = rd32(p + 16);
    this.leaseSecs = rd32(p + 20); this.networkTag = rd32(p + 24);
    this.dnsCount = <i32>load<u8>(p + 1);
    if (this.dnsCount > 0) unchecked(this.dns[0] = rd32(p + 28));
    return true;
  }
}
