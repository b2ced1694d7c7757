// A NetStack on an in-memory driver for test/sim/netstack.test.ts and the fuzz suite:
// the test injects frames and reads back what the stack transmitted (_netstack-driver.ts).
export { input_buffer, output_buffer } from "./_io";
import { MemoryDriver } from "./_netstack-driver";
import { NetStack, NetStackConfig } from "../../stack/net/stack";
import { NetInterface } from "../../stack/net/interface";
import { IpProtocolHandler } from "../../stack/net/ipv4";
import { IcmpErrorListener } from "../../stack/net/icmp";
import { sealReservations, memStat } from "../../stack/runtime/memory";
import { counterValue } from "../../stack/runtime/counters";

/** Records what reaches a transport: a stand-in for UDP (protocol 17). */
class RecordingTransport extends IpProtocolHandler {
  packets: i32 = 0;
  lastSrc: u32 = 0;
  lastLen: i32 = 0;
  onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void {
    this.packets++;
    this.lastSrc = src;
    this.lastLen = len;
  }
}

class RecordingErrors extends IcmpErrorListener {
  errors: i32 = 0;
  lastType: u32 = 0;
  lastCode: u32 = 0;
  lastLen: i32 = 0;
  onIcmpError(type: u32, code: u32, quotedIpHeader: usize, len: i32, now: i64): void {
    this.errors++;
    this.lastType = type;
    this.lastCode = code;
    this.lastLen = len;
  }
}

const driver = new MemoryDriver();
const config = new NetStackConfig();
config.iface.arpCapacity = 4; // small, so eviction is reachable in tests
const stack = new NetStack(config);
const iface = changetype<NetInterface>(stack.addInterface(driver));
const udp = new RecordingTransport();
stack.registerProtocol(17, udp);
const udpErrors = new RecordingErrors();
stack.icmp.addErrorListener(17, udpErrors);
sealReservations();

export function mac_address(): usize { return driver.mac; }
export function set_ipv4(address: u32, prefixLen: i32, gateway: u32, now: i64): bool {
  return stack.setIpv4(0, address, prefixLen, gateway, now);
}
export function inject(ptr: usize, len: i32, now: i64): void { driver.receive(ptr, len, now); }
export function poll(now: i64): i64 { return stack.poll(now); }
export function link(up: bool, now: i64): void { driver.setLink(up, now); }
export function set_busy(busy: bool): void { driver.busy = busy; }
export function tx_frames(): i32 { return driver.frames; }
export function tx_bytes(): i32 { return driver.used; }
export function tx_clear(): void { driver.frames = 0; driver.used = 0; }

/** Sends `len` bytes (0, 1, 2, ...) as IP protocol `protocol` to dst through the route table. */
export function send(dst: u32, protocol: u32, len: i32, now: i64): bool {
  const p = stack.ip.beginPacket(dst, protocol);
  if (p == 0) return false;
  for (let i = 0; i < len; i++) store<u8>(p + <usize>i, <u8>i);
  return stack.ip.sendPacket(len, now);
}

export function ping_start(dst: u32, count: i32, dataLen: i32, intervalUs: i64, now: i64): bool {
  return stack.ping.start(dst, count, dataLen, intervalUs, now);
}
export function ping_running(): bool { return stack.ping.running; }
export function ping_sent(): i32 { return stack.ping.sent; }
export function ping_received(): i32 { return stack.ping.received; }
export function ping_duplicates(): i32 { return stack.ping.duplicates; }
export function ping_rtt(i: i32): i64 { return stack.ping.rtt(i); }
export function ping_rtt_min(): i64 { return stack.ping.rttMin; }
export function ping_rtt_max(): i64 { return stack.ping.rttMax; }
export function ping_rtt_avg(): i64 { return stack.ping.rttAvg(); }
export function ping_loss(): i32 { return stack.ping.lossPercent(); }

export function arp_lookup(ip: u32): bool { return iface.arp.lookup(ip) != 0; }
export function arp_entries(): i32 { return iface.arp.entries(); }
export function join_group(group: u32): bool { return iface.joinGroup(group); }

export function udp_packets(): i32 { return udp.packets; }
export function udp_last_len(): i32 { return udp.lastLen; }
export function udp_last_src(): u32 { return udp.lastSrc; }
export function icmp_errors(): i32 { return udpErrors.errors; }
export function icmp_last_type(): u32 { return udpErrors.lastType; }
export function icmp_last_code(): u32 { return udpErrors.lastCode; }

export function counter(id: i32): u32 { return counterValue(id); }
export function heap_top(): i32 { return memStat(3); }

import { inetSum } from "../../stack/wire/checksum";
/** The partial sum of len bytes (network order, folded, not complemented). */
export function inet_sum(ptr: usize, len: i32, seed: u32): u32 { return inetSum(ptr, len, seed); }
/** Bytes reserved during init (the stack with the harness's config, the driver, the recorders). */
export function reserved_bytes(): i32 { return memStat(1) - memStat(0); }
