// Harness: one DNS resolver behind a fake UDP endpoint and TCP hook that queue everything
// for the TypeScript test (test/harness/dhcpclient-outbox.ts).
export { input_buffer, output_buffer } from "./_io";
export { out_count, out_ptr, out_clear, out_dropped } from "./dhcpclient-outbox";
import { outPush, OUT_UDP, OUT_TCP_OPEN, OUT_TCP_SEND, OUT_TCP_CLOSE } from "./dhcpclient-outbox";
import { DnsResolver, DnsConfig, DnsTcpHook } from "../../stack/dns/resolver";
import { UdpEndpoint } from "../../stack/dhcp/udp";
import { memStat } from "../../stack/runtime/memory";

class FakeUdp extends UdpEndpoint {
  send(dst: u32, dstPort: u16, srcPort: u16, payload: usize, len: i32, now: i64): bool {
    return outPush(OUT_UDP, dst, <i32>dstPort, <i32>srcPort, payload, len);
  }
}
let nextConn: i32 = 1;
class FakeTcp extends DnsTcpHook {
  open(dst: u32, port: u16, now: i64): i32 { const c = nextConn++; outPush(OUT_TCP_OPEN, dst, <i32>port, c, 0, 0); return c; }
  send(conn: i32, data: usize, len: i32, now: i64): bool { return outPush(OUT_TCP_SEND, 0, 0, conn, data, len); }
  close(conn: i32, now: i64): void { outPush(OUT_TCP_CLOSE, 0, 0, conn, 0, 0); }
}

let r: DnsResolver | null = null;
function res(): DnsResolver { return changetype<DnsResolver>(r); }

export function dns_create(cacheEntries: i32, maxTtl: u32, staggerUs: i64, timeoutUs: i64): void {
  const c = new DnsConfig();
  c.cacheEntries = cacheEntries;
  c.maxTtlSecs = maxTtl;
  c.staggerUs = staggerUs;
  c.timeoutUs = timeoutUs;
  r = new DnsResolver(new FakeUdp(), new FakeTcp(), c);
}
/** addrs: count u32 (little-endian in memory, host order values); iface's list replaced. */
export function dns_set_servers(iface: i32, ptr: usize, count: i32): void {
  res().clearServers(iface);
  for (let i = 0; i < count; i++) res().setServer(iface, i, load<u32>(ptr + (<usize>i << 2)));
}
export function dns_add_host(ptr: usize, len: i32, addr: u32): bool { return res().addHost(ptr, len, addr); }
export function dns_flush(): void { res().flushCache(); }
export function dns_resolve(ptr: usize, len: i32, now: i64): i32 { return res().resolve(ptr, len, now); }
export function dns_status(h: i32): i32 { return res().status(h); }
export function dns_addr_count(h: i32): i32 { return res().addressCount(h); }
export function dns_addr(h: i32, i: i32): u32 { return res().address(h, i); }
export function dns_ttl(h: i32): u32 { return res().ttl(h); }
export function dns_from_cache(h: i32): bool { return res().fromCacheOf(h); }
export function dns_via_tcp(h: i32): bool { return res().viaTcpOf(h); }
export function dns_release(h: i32): void { res().release(h); }
export function dns_take_completed(): i32 { return res().takeCompleted(); }
export function dns_poll(now: i64): void { res().poll(now); }
export function dns_deadline(): i64 { return res().nextDeadline(); }
export function dns_datagram(src: u32, sport: i32, dport: i32, ptr: usize, len: i32, now: i64): void {
  res().onDatagram(src, <u16>sport, <u16>dport, ptr, len, now);
}
export function dns_tcp_connected(conn: i32, now: i64): void { res().onTcpConnected(conn, now); }
export function dns_tcp_data(conn: i32, ptr: usize, len: i32, now: i64): void { res().onTcpData(conn, ptr, len, now); }
export function dns_tcp_closed(conn: i32, now: i64): void { res().onTcpClosed(conn, now); }
export function dns_server_dead(slot: i32, now: i64): bool { return res().serverDead(slot, now); }
/** 0 sent, 1 accepted, 2 mismatched, 3 malformed, 4 cache hits, 5 tcp fallbacks. */
export function dns_stat(which: i32): u32 {
  const x = res();
  if (which == 0) return x.sent;
  if (which == 1) return x.accepted;
  if (which == 2) return x.mismatched;
  if (which == 3) return x.malformed;
  if (which == 4) return x.cacheHits;
  return x.tcpFallbacks;
}
export function heap_top(): i32 { return memStat(3); }
