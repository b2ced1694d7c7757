// Harness: up to 4 DHCP clients (one per simulated interface) behind a fake UDP endpoint
// and ARP port that queue everything for the TypeScript test (test/harness/_outbox.ts).
export { input_buffer, output_buffer } from "./_io";
export { out_count, out_ptr, out_clear, out_dropped } from "./dhcpclient-outbox";
import { outPush, OUT_UDP, OUT_ARP_PROBE, OUT_ARP_ANNOUNCE } from "./dhcpclient-outbox";
import { DhcpClient, DhcpConfig } from "../../stack/dhcp/client";
import { UdpEndpoint } from "../../stack/dhcp/udp";
import { AcdArpPort } from "../../stack/dhcp/acd";
import { DHCP_LEASE_RECORD_LEN } from "../../stack/dhcp/lease";
import { memStat } from "../../stack/runtime/memory";
import { counterValue } from "../../stack/runtime/counters";

class FakeUdp extends UdpEndpoint {
  constructor(public iface: i32) { super(); }
  send(dst: u32, dstPort: u16, srcPort: u16, payload: usize, len: i32, now: i64): bool {
    return outPush(OUT_UDP | (this.iface << 8), dst, <i32>dstPort, <i32>srcPort, payload, len);
  }
}
class FakeArp extends AcdArpPort {
  constructor(public iface: i32) { super(); }
  sendProbe(target: u32, now: i64): void { outPush(OUT_ARP_PROBE | (this.iface << 8), target, 0, 0, 0, 0); }
  sendAnnounce(addr: u32, now: i64): void { outPush(OUT_ARP_ANNOUNCE | (this.iface << 8), addr, 0, 0, 0, 0); }
}

const clients = new StaticArray<DhcpClient | null>(4);

/**
 * Creates client i. mac at macPtr. Config knobs: acdMode, clientIdMode, initialDelayMaxUs,
 * offerWindowUs, linkLocal (0/1), linkLocalAfterUs, networkTag. Hostname (ASCII) at hostPtr.
 */
export function dhcp_create(i: i32, macPtr: usize, acdMode: i32, clientIdMode: i32, initialDelayMaxUs: i64,
  offerWindowUs: i64, linkLocal: i32, linkLocalAfterUs: i64, networkTag: u32, hostPtr: usize, hostLen: i32): void {
  const cfg = new DhcpConfig();
  cfg.acdMode = acdMode;
  cfg.clientIdMode = clientIdMode;
  cfg.initialDelayMaxUs = initialDelayMaxUs;
  cfg.offerWindowUs = offerWindowUs;
  cfg.linkLocal = linkLocal != 0;
  cfg.linkLocalAfterUs = linkLocalAfterUs;
  cfg.networkTag = networkTag;
  const c = new DhcpClient(new FakeUdp(i), new FakeArp(i), macPtr, cfg);
  c.setHostname(hostPtr, hostLen);
  clients[i] = c;
}

function cl(i: i32): DhcpClient { return changetype<DhcpClient>(unchecked(clients[i])); }

export function dhcp_set_remembered(i: i32, ptr: usize, len: i32): bool { return cl(i).remembered.read(ptr, len); }
export function dhcp_start(i: i32, now: i64): void { cl(i).start(now); }
export function dhcp_stop(i: i32): void { cl(i).stop(); }
export function dhcp_release(i: i32, now: i64): void { cl(i).release(now); }
export function dhcp_link_up(i: i32, now: i64): void { cl(i).onLinkUp(now); }
export function dhcp_poll(i: i32, now: i64): void { cl(i).poll(now); }
export function dhcp_deadline(i: i32): i64 { return cl(i).nextDeadline(); }
export function dhcp_datagram(i: i32, src: u32, sport: i32, dport: i32, ptr: usize, len: i32, now: i64): void {
  cl(i).onDatagram(src, <u16>sport, <u16>dport, ptr, len, now);
}
export function dhcp_arp(i: i32, op: i32, spa: u32, shaPtr: usize, tpa: u32, now: i64): void { cl(i).onArp(op, spa, shaPtr, tpa, now); }
export function dhcp_events(i: i32): u32 { return cl(i).takeEvents(); }
export function dhcp_state(i: i32): i32 { return cl(i).state; }
export function dhcp_xid(i: i32): u32 { return cl(i).currentXid(); }
export function dhcp_t1(i: i32): i64 { return cl(i).t1Time(); }
export function dhcp_t2(i: i32): i64 { return cl(i).t2Time(); }
export function dhcp_expiry(i: i32): i64 { return cl(i).expiryTime(); }
export function dhcp_link_local(i: i32): u32 { return cl(i).linkLocalAddress(); }
/** Writes the lease record (stack/dhcp/lease.ts layout) to ptr; returns its length. */
export function dhcp_lease(i: i32, ptr: usize): i32 { return cl(i).lease.write(ptr); }
export function dhcp_lease_len(): i32 { return DHCP_LEASE_RECORD_LEN; }
/** 0 offers, 1 acks, 2 naks, 3 declines, 4 transmissions, 5 ignored, 6 malformed. */
export function dhcp_stat(i: i32, which: i32): u32 {
  const c = cl(i);
  if (which == 0) return c.offersSeen;
  if (which == 1) return c.acks;
  if (which == 2) return c.naks;
  if (which == 3) return c.declines;
  if (which == 4) return c.transmissions;
  if (which == 5) return c.ignored;
  return c.malformed;
}
export function heap_top(): i32 { return memStat(3); }
export function counter(id: i32): u32 { return counterValue(id); }
