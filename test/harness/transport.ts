// Harness for UDP and TCP (stack/transport) over a fake IP layer: every packet the
// transports emit is kept in an output slot for the TypeScript side (node:test peers,
// fuzzers, bench), which feeds packets back with tcp_input / udp_input.
export { input_buffer, output_buffer } from "./_io";
import { IpOutput, NetError } from "../../stack/transport/ip-output";
import { Tcp, TcpConfig, TcpHandler, TcpSocket } from "../../stack/transport/tcp";
import { Udp, UdpConfig, UdpHandler, UdpSocket } from "../../stack/transport/udp";
import { MemStat } from "../../hal/generated/hal";
import { memStat } from "../../stack/runtime/memory";
import { counterValue } from "../../stack/runtime/counters";

const SLOTS: i32 = 160;
const SLOT_BYTES: i32 = 1600;
const slots = memory.data(SLOTS * SLOT_BYTES);
const slotLen = memory.data(SLOTS * 4);
const slotDst = memory.data(SLOTS * 4);
const slotSrc = memory.data(SLOTS * 4);
const slotProto = memory.data(SLOTS * 4);

class FakeIp extends IpOutput {
  local: u32 = 0x0a000002;
  mtu: i32 = 1500;
  unreachable: u32 = 0; // destination with no route
  count: i32 = 0;
  dropped: i32 = 0;
  failNext: i32 = 0;
  portUnreach: i32 = 0;
  private cur: i32 = -1;
  private dst: u32 = 0;
  private proto: u32 = 0;

  beginPacket(dst: u32, protocol: u32): usize {
    if (dst == this.unreachable && dst != 0) return 0;
    if (this.failNext > 0) { this.failNext--; return 0; }
    if (this.count >= SLOTS) { this.dropped++; return 0; }
    this.cur = this.count;
    this.dst = dst;
    this.proto = protocol;
    return slots + <usize>(this.cur * SLOT_BYTES);
  }
  packetSource(): u32 { return this.local; }
  payloadCapacity(): i32 { return this.mtu - 20; }
  sendPacket(payloadLen: i32, now: i64): bool {
    if (this.cur < 0 || payloadLen < 0 || payloadLen > this.mtu - 20) { this.cur = -1; return false; }
    const i = this.cur;
    store<i32>(slotLen + (<usize>i << 2), payloadLen);
    store<u32>(slotDst + (<usize>i << 2), this.dst);
    store<u32>(slotSrc + (<usize>i << 2), this.local);
    store<u32>(slotProto + (<usize>i << 2), this.proto);
    this.count++;
    this.cur = -1;
    return true;
  }
  sourceAddressFor(dst: u32): u32 { return dst == this.unreachable && dst != 0 ? 0 : this.local; }
  maxPayloadFor(dst: u32): i32 { return dst == this.unreachable && dst != 0 ? 0 : this.mtu - 20; }
  portUnreachable(now: i64): void { this.portUnreach++; }
}

const ip = new FakeIp();

// Events from callbacks: (kind, socket id, value).
const EVENTS: i32 = 1024;
const events = memory.data(EVENTS * 12);
let eventCount: i32 = 0;
function event(kind: i32, id: i32, value: i32): void {
  if (eventCount >= EVENTS) return;
  const p = events + <usize>(eventCount * 12);
  store<i32>(p, kind); store<i32>(p, id, 4); store<i32>(p, value, 8);
  eventCount++;
}
export const EV_CONNECTED = 1, EV_ACCEPTABLE = 2, EV_READABLE = 3, EV_WRITABLE = 4, EV_PEER_CLOSED = 5, EV_CLOSED = 6, EV_UDP_READABLE = 7, EV_UDP_ERROR = 8;

class RecordingTcp extends TcpHandler {
  onConnected(s: TcpSocket, now: i64): void { event(EV_CONNECTED, s.id, 0); }
  onAcceptable(l: TcpSocket, now: i64): void { event(EV_ACCEPTABLE, l.id, 0); }
  onReadable(s: TcpSocket, now: i64): void { event(EV_READABLE, s.id, s.available()); }
  onWritable(s: TcpSocket, now: i64): void { event(EV_WRITABLE, s.id, s.sendSpace()); }
  onPeerClosed(s: TcpSocket, now: i64): void { event(EV_PEER_CLOSED, s.id, 0); }
  onClosed(s: TcpSocket, error: NetError, now: i64): void { event(EV_CLOSED, s.id, error); }
}
class RecordingUdp extends UdpHandler {
  onReadable(s: UdpSocket, now: i64): void { event(EV_UDP_READABLE, udpIndex(s), s.pending()); }
  onError(s: UdpSocket, error: NetError, now: i64): void { event(EV_UDP_ERROR, udpIndex(s), error); }
}
const tcpHandler = new RecordingTcp();
const udpHandler = new RecordingUdp();

let tcp: Tcp | null = null;
let udp: Udp | null = null;
let setupHeap: i32 = 0;

/** Creates the transports (once per instance). */
export function setup(sockets: i32, rxBytes: i32, txBytes: i32, twSlots: i32, localAddr: u32): void {
  ip.local = localAddr;
  const c = new TcpConfig();
  c.sockets = sockets; c.rxBytes = rxBytes; c.txBytes = txBytes; c.timeWaitSlots = twSlots;
  tcp = new Tcp(ip, c);
  udp = new Udp(ip, new UdpConfig());
  setupHeap = memStat(MemStat.HeapTop);
}

export function heap_top(): i32 { return memStat(MemStat.HeapTop); }
export function setup_heap(): i32 { return setupHeap; }
export function counter(id: i32): u32 { return counterValue(id); }

// ---- fake IP controls and output ----
export function ip_set_mtu(m: i32): void { ip.mtu = m; }
export function ip_set_unreachable(a: u32): void { ip.unreachable = a; }
export function ip_fail_next(n: i32): void { ip.failNext = n; }
export function ip_port_unreachables(): i32 { return ip.portUnreach; }
export function tx_count(): i32 { return ip.count; }
export function tx_dropped(): i32 { return ip.dropped; }
export function tx_ptr(i: i32): usize { return slots + <usize>(i * SLOT_BYTES); }
export function tx_len(i: i32): i32 { return load<i32>(slotLen + (<usize>i << 2)); }
export function tx_dst(i: i32): u32 { return load<u32>(slotDst + (<usize>i << 2)); }
export function tx_src(i: i32): u32 { return load<u32>(slotSrc + (<usize>i << 2)); }
export function tx_proto(i: i32): u32 { return load<u32>(slotProto + (<usize>i << 2)); }
export function tx_clear(): void { ip.count = 0; }

export function events_ptr(): usize { return events; }
export function events_count(): i32 { return eventCount; }
export function events_clear(): void { eventCount = 0; }

// ---- TCP ----
function sock(id: i32): TcpSocket { return tcp!.sockets[id]; }

export function tcp_socket(withHandler: bool): i32 {
  const s = tcp!.socket();
  if (!s) return -1;
  if (withHandler) s.handler = tcpHandler;
  return s.id;
}
export function tcp_connect(id: i32, addr: u32, port: u32, now: i64): i32 { return sock(id).connect(addr, port, now); }
export function tcp_connect_from(id: i32, lport: u32, addr: u32, port: u32, now: i64): i32 { return sock(id).connectFrom(lport, addr, port, now); }
export function tcp_listen(id: i32, port: u32, backlog: i32): i32 { return sock(id).listen(port, backlog); }
export function tcp_accept(id: i32): i32 {
  const c = sock(id).accept();
  return c ? c.id : -1;
}
export function tcp_send(id: i32, ptr: usize, len: i32, now: i64): i32 { return sock(id).send(ptr, len, now); }
export function tcp_recv(id: i32, ptr: usize, cap: i32, now: i64): i32 { return sock(id).recv(ptr, cap, now); }
export function tcp_close(id: i32, now: i64): void { sock(id).close(now); }
export function tcp_abort(id: i32, now: i64): void { sock(id).abort(now); }
export function tcp_release(id: i32, now: i64): void { sock(id).release(now); }
export function tcp_set_keepalive(id: i32, on: bool, idle: i64, interval: i64, n: i32): void { sock(id).setKeepAlive(on, idle, interval, n); }
export function tcp_set_nodelay(id: i32, on: bool): void { sock(id).setNoDelay(on); }
export function tcp_set_quickack(id: i32, on: bool): void { sock(id).setQuickAck(on); }
export function tcp_state(id: i32): i32 { return sock(id).state; }
export function tcp_error(id: i32): i32 { return sock(id).error; }
export function tcp_allocated(id: i32): bool { return sock(id).allocated; }
export function tcp_available(id: i32): i32 { return sock(id).available(); }
export function tcp_unacked(id: i32): i32 { return sock(id).unacked(); }
export function tcp_send_space(id: i32): i32 { return sock(id).sendSpace(); }
export function tcp_local_port(id: i32): u32 { return sock(id).localPort; }
export function tcp_remote_port(id: i32): u32 { return sock(id).remotePort; }
export function tcp_snd_mss(id: i32): u32 { return sock(id).sndMss; }
export function tcp_rcv_mss(id: i32): u32 { return sock(id).rcvMss; }
export function tcp_rto(id: i32): i64 { return sock(id).rto; }
export function tcp_cwnd(id: i32): u32 { return sock(id).cwnd; }
export function tcp_iss(id: i32): u32 { return sock(id).iss; }
export function tcp_snd_una(id: i32): u32 { return sock(id).sndUna; }
export function tcp_rcv_nxt(id: i32): u32 { return sock(id).rcvNxt; }
export function tcp_input(src: u32, dst: u32, ptr: usize, len: i32, now: i64): void { tcp!.onPacket(src, dst, ptr, len, now); }
export function tcp_icmp_error(type: u32, code: u32, ptr: usize, len: i32, now: i64): void { tcp!.onIcmpError(type, code, ptr, len, now); }
export function tcp_address_removed(addr: u32, now: i64): void { tcp!.addressRemoved(addr, now); }
export function tcp_poll(now: i64): i64 { return tcp!.poll(now); }
export function tcp_time_wait_count(): i32 { return tcp!.timeWaitCount(); }
/** Size of the per-connection state object (buffers excluded). */
export function tcp_socket_bytes(): i32 { return <i32>offsetof<TcpSocket>(); }
export function tcp_stat(k: i32): u32 {
  const st = tcp!.stats;
  switch (k) {
    case 0: return st.badChecksum;
    case 1: return st.challengeAcks;
    case 2: return st.keepAliveProbes;
    case 3: return st.timeWaitReclaims;
    case 4: return st.oooDrops;
    case 5: return st.fastRetransmits;
    case 6: return st.timeouts;
    case 7: return st.zeroWindowProbes;
    case 8: return st.rstAccepted;
  }
  return 0;
}

// ---- UDP ----
function usock(i: i32): UdpSocket { return udp!.sockets[i]; }
function udpIndex(s: UdpSocket): i32 {
  for (let i = 0; i < udp!.sockets.length; i++) if (udp!.sockets[i] === s) return i;
  return -1;
}
export function udp_socket(withHandler: bool): i32 {
  const s = udp!.socket();
  if (!s) return -1;
  if (withHandler) s.handler = udpHandler;
  return udpIndex(s);
}
export function udp_bind(i: i32, port: u32): i32 { return usock(i).bind(port); }
export function udp_connect(i: i32, addr: u32, port: u32): i32 { return usock(i).connect(addr, port); }
export function udp_send_to(i: i32, addr: u32, port: u32, ptr: usize, len: i32, now: i64): i32 { return usock(i).sendTo(addr, port, ptr, len, now); }
export function udp_receive_from(i: i32, ptr: usize, cap: i32): i32 { return usock(i).receiveFrom(ptr, cap); }
export function udp_from_addr(i: i32): u32 { return usock(i).fromAddr; }
export function udp_from_port(i: i32): u32 { return usock(i).fromPort; }
export function udp_local_port(i: i32): u32 { return usock(i).localPort; }
export function udp_pending(i: i32): i32 { return usock(i).pending(); }
export function udp_take_error(i: i32): i32 { return usock(i).takeError(); }
export function udp_drops(i: i32): u32 { return usock(i).drops; }
export function udp_close(i: i32): void { usock(i).close(); }
export function udp_input(src: u32, dst: u32, ptr: usize, len: i32, now: i64): void { udp!.onPacket(src, dst, ptr, len, now); }
export function udp_icmp_error(type: u32, code: u32, ptr: usize, len: i32, now: i64): void { udp!.onIcmpError(type, code, ptr, len, now); }
export function udp_address_removed(addr: u32, now: i64): void { udp!.addressRemoved(addr, now); }
