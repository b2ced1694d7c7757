// Network commands for the device console: ifconfig, ping, arp, route, netstat. Each
// answers humans and tools alike through Reply (machine mode gives one JSON line).
import { shell, Args, Reply } from "../console/index";
import { parseIp } from "../config/text";
import { NetStack } from "../net/stack";
import { counterValue, Counter } from "../runtime/counters";
import { NO_DEADLINE } from "../../hal/generated/hal";
import { Ascii, A } from "../runtime/ascii";
import { ipconfig } from "./ipconfig";
import { DnsStatus } from "../dns/resolver";

let net: NetStack | null = null;
let pingActive: bool = false;
/** `ping <name>`: the count while the name is being resolved (ipconfig.pingLookup). */
let pingCount: i32 = 4;

const IF_NAMES: StaticArray<Ascii> = [A("eth0"), A("wlan0")];

export function registerNetCommands(stack: NetStack): void {
  net = stack;
  shell.register("ifconfig", "ifconfig               interfaces, addresses, link", cmdIfconfig);
  shell.register("ping", "ping <host> [count]    ICMP echo; RTT and loss", cmdPing);
  shell.register("arp", "arp                    ARP cache", cmdArp);
  shell.register("route", "route                  routing table", cmdRoute);
  shell.register("netstat", "netstat                frame and packet counters, drops by reason", cmdNetstat);
}

function cmdIfconfig(a: Args, r: Reply, now: i64): void {
  const n = net!;
  for (let i = 0; i < IF_NAMES.length; i++) {
    const iface = n.iface(i);
    if (!iface) continue;
    r.field(unchecked(IF_NAMES[i]));
    r.quote();
    r.part("mac "); r.partMac(iface.mac);
    r.part(iface.up ? " link up" : " link down");
    r.part(" inet "); ipPart(r, iface.address); r.part("/"); r.partU32(<u32>iface.prefixLen);
    r.part(" gw "); ipPart(r, iface.gateway);
    r.quote();
    r.endField();
  }
}

function cmdPing(a: Args, r: Reply, now: i64): void {
  if (a.argc < 1) { r.fail("usage", "usage: ping <host> [count]"); return; }
  let count: i32 = 4;
  if (a.argc > 1) {
    const c = parseIpCount(a.argPtr(1), a.argLen(1));
    if (c < 1 || c > net!.ping.maxCount) { r.fail("bad_count", "count must be 1..16"); return; }
    count = c;
  }
  let dst = parseIp(a.argPtr(0), a.argLen(0));
  if (dst < 0) dst = ipconfig.hostsLookup(a.argPtr(0), a.argLen(0));
  if (dst < 0) {
    // A name: resolve it first (deferred), then start the pinger from pollNetCommands.
    const res = ipconfig.resolver!;
    if (ipconfig.lookup >= 0 || ipconfig.pingLookup >= 0) { r.fail("busy", "busy"); return; }
    const h = res.resolve(a.argPtr(0), a.argLen(0), now);
    if (h < 0) { r.fail("bad_address", "not an address or name"); return; }
    pingCount = count;
    ipconfig.pingLookup = h;
    r.deferred = true;
    shell.onCancel(cancelPing); // a cached answer starts the pinger at the next poll
    return;
  }
  if (!startPing(<u32>dst, count, r, now)) return;
  r.deferred = true;
  shell.onCancel(cancelPing);
}

function startPing(dst: u32, count: i32, r: Reply, now: i64): bool {
  if (!net!.ping.start(dst, count, 56, 1_000_000, now)) { r.fail("busy", "a ping is already running"); return false; }
  pingActive = true;
  return true;
}

function cancelPing(): void {
  pingActive = false;
  net!.ping.running = false;
  const h = ipconfig.pingLookup;
  ipconfig.pingLookup = -1;
  if (h >= 0) ipconfig.resolver!.release(h);
}

/** Finishes a deferred `ping` once the run ends; called from System.poll. */
export function pollNetCommands(now: i64): i64 {
  const h = ipconfig.pingLookup;
  if (h >= 0) {
    const res = ipconfig.resolver!;
    const st = res.status(h);
    if (st == DnsStatus.Pending) return NO_DEADLINE; // the resolver reports its own deadline
    ipconfig.pingLookup = -1;
    const dst = st == DnsStatus.Ok && res.addressCount(h) > 0 ? res.address(h, 0) : 0;
    res.release(h);
    const r = shell.reply;
    if (dst == 0) { r.fail("unresolved", "name not resolved"); shell.finishDeferred(); return NO_DEADLINE; }
    if (!startPing(dst, pingCount, r, now)) { shell.finishDeferred(); return NO_DEADLINE; }
    return now;
  }
  if (!pingActive) return NO_DEADLINE;
  const p = net!.ping;
  if (p.running) return NO_DEADLINE; // the pinger reports its own deadline
  pingActive = false;
  const r = shell.reply;
  r.fieldU32("sent", <u32>p.sent);
  r.fieldU32("received", <u32>p.received);
  r.fieldU32("loss_percent", <u32>p.lossPercent());
  if (p.received > 0) {
    r.fieldI64("rtt_min_us", p.rttMin);
    r.fieldI64("rtt_avg_us", p.rttAvg());
    r.fieldI64("rtt_max_us", p.rttMax);
  }
  shell.finishDeferred();
  return NO_DEADLINE;
}

function cmdArp(a: Args, r: Reply, now: i64): void {
  const n = net!;
  for (let i = 0; i < IF_NAMES.length; i++) {
    const iface = n.iface(i);
    if (!iface) continue;
    const arp = iface.arp;
    for (let s = 0; s < arp.capacity; s++) {
      const ip = arp.slotIp(s);
      if (ip == 0) continue;
      r.field("entry");
      r.quote();
      ipPart(r, ip); r.part(" ");
      if (arp.slotResolved(s)) r.partMac(arp.slotMac(s)); else r.part("(incomplete)");
      r.part(" "); r.part(unchecked(IF_NAMES[i]));
      r.quote();
      r.endField();
    }
  }
}

function cmdRoute(a: Args, r: Reply, now: i64): void {
  const routes = net!.ip.routes;
  for (let i = 0; i < routes.capacity; i++) {
    if (!routes.inUse(i)) continue;
    r.field("route");
    r.quote();
    ipPart(r, routes.destinationOf(i)); r.part("/"); r.partU32(<u32>routes.prefixOf(i));
    r.part(" via "); ipPart(r, routes.gatewayOf(i));
    r.part(" dev "); r.part(unchecked(IF_NAMES[routes.interfaceOf(i) & 1]));
    r.part(" metric "); r.partU32(<u32>routes.metric(i));
    r.quote();
    r.endField();
  }
}

// The counters netstat shows, in the ABI's Counter order.
const NETSTAT_IDS: StaticArray<i32> = [
  Counter.EthRxFrames, Counter.EthTxFrames, Counter.EthRxDropNotForUs, Counter.EthRxDropMalformed, Counter.EthRxDropBadStatus,
  Counter.EthRxOverflow, Counter.EthTxErrors, Counter.EthTxRetries, Counter.EthLinkChanges, Counter.EthChipResets,
  Counter.ArpRx, Counter.ArpTx, Counter.ArpDropMalformed, Counter.ArpCacheEvictions, Counter.ArpQueueDrops, Counter.ArpResolveFailures,
  Counter.IpRx, Counter.IpTx, Counter.IpDropMalformed, Counter.IpDropBadChecksum, Counter.IpDropNotForUs, Counter.IpDropFragment,
  Counter.IpDropTtl, Counter.IpDropNoRoute, Counter.IpDropProtocol,
  Counter.IcmpRx, Counter.IcmpTx, Counter.IcmpDropMalformed, Counter.IcmpEchoReplies, Counter.IcmpUnreachRx, Counter.IcmpErrorsRateLimited,
  Counter.UdpRx, Counter.UdpTx, Counter.UdpDropMalformed, Counter.UdpDropNoSocket, Counter.UdpDropQueueFull,
  Counter.TcpRx, Counter.TcpTx, Counter.TcpDropMalformed, Counter.TcpRetransmits, Counter.TcpResetsTx, Counter.TcpDropNoSocket, Counter.TcpBacklogDrops,
];
const NETSTAT_NAMES: StaticArray<Ascii> = [
  A("eth_rx"), A("eth_tx"), A("eth_drop_not_for_us"), A("eth_drop_malformed"), A("eth_drop_bad_status"), A("eth_rx_overflow"), A("eth_tx_errors"), A("eth_tx_retries"), A("eth_link_changes"), A("eth_chip_resets"),
  A("arp_rx"), A("arp_tx"), A("arp_drop_malformed"), A("arp_evictions"), A("arp_queue_drops"), A("arp_resolve_failures"),
  A("ip_rx"), A("ip_tx"), A("ip_drop_malformed"), A("ip_drop_checksum"), A("ip_drop_not_for_us"), A("ip_drop_fragment"), A("ip_drop_ttl"), A("ip_drop_no_route"), A("ip_drop_protocol"),
  A("icmp_rx"), A("icmp_tx"), A("icmp_drop_malformed"), A("icmp_echo_replies"), A("icmp_unreach_rx"), A("icmp_errors_rate_limited"),
  A("udp_rx"), A("udp_tx"), A("udp_drop_malformed"), A("udp_drop_no_socket"), A("udp_drop_queue_full"),
  A("tcp_rx"), A("tcp_tx"), A("tcp_drop_malformed"), A("tcp_retransmits"), A("tcp_resets_tx"), A("tcp_drop_no_socket"), A("tcp_backlog_drops"),
];

function cmdNetstat(a: Args, r: Reply, now: i64): void {
  for (let i = 0; i < NETSTAT_IDS.length; i++) r.fieldU32(unchecked(NETSTAT_NAMES[i]), counterValue(unchecked(NETSTAT_IDS[i])));
}

function ipPart(r: Reply, a: u32): void {
  r.partU32(a >>> 24); r.part("."); r.partU32((a >>> 16) & 255); r.part("."); r.partU32((a >>> 8) & 255); r.part("."); r.partU32(a & 255);
}


function parseIpCount(p: usize, len: i32): i32 {
  if (len < 1 || len > 3) return -1;
  let v = 0;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(p + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
