// Exposes the DHCP and DNS wire parsers/emitters to node:test suites (capture conformance,
// fuzz). Results are serialised into the output buffer as little-endian u32 words and
// length-prefixed byte strings (padded to 4); test/captures/lib/wire-host.ts decodes them.
export { input_buffer, output_buffer } from "./_io";
import { output_buffer } from "./_io";
import { count, counterValue, Counter } from "../../stack/runtime/counters";
import { memStat } from "../../stack/runtime/memory";
import {
  DhcpView, DhcpOptions, parseDhcpOptions, DhcpClientParams, dhcpEmit,
  dhcpClientIdFromMac, dhcpClientIdRfc4361, dhcpDefaultParamList, DHCP_DEFAULT_PRL_LEN,
} from "../../stack/wire/dhcp";
import {
  DnsMessage, DnsResolved, DnsType, dnsNameToText, dnsNameFromText, dnsBuildQuery,
} from "../../stack/wire/dns";

// ---- serialisation into the output buffer ----
let w: usize = 0;
function begin(): void { w = output_buffer(); }
function u32w(v: u32): void { store<u32>(w, v); w += 4; }
function bytesw(p: usize, n: i32): void {
  if (n < 0) n = 0;
  store<u32>(w, <u32>n);
  memory.copy(w + 4, p, <usize>n);
  w += 4 + ((<usize>n + 3) & ~3);
}
const text = memory.data(512);
function namew(flat: usize): void { bytesw(text, dnsNameToText(flat, text, 512)); }

export function counter(id: i32): u32 { return counterValue(id); }
export function heap_top(): i32 { return memStat(3); }

// ---- DHCP ----
const dview = new DhcpView();
const dopts = new DhcpOptions(4, 4);
const dparams = new DhcpClientParams();
const clientId = memory.data(32);
const hostname = memory.data(32);

/** Parses a DHCP message; returns 1 or 0 (malformed, counted). Summary in the output buffer. */
export function dhcp_parse(ptr: usize, len: i32): i32 {
  count(Counter.DhcpRx);
  dview.wrap(ptr, len);
  const ok = parseDhcpOptions(dview, dopts);
  if (!ok) count(Counter.DhcpDropMalformed);
  begin();
  u32w(ok ? 1 : 0);
  if (!ok) return 0;
  const o = dopts;
  u32w(dview.op()); u32w(dview.xid()); u32w(dview.ciaddr()); u32w(dview.yiaddr());
  u32w(dview.siaddr()); u32w(dview.giaddr()); u32w(dview.flags()); u32w(dview.secs());
  u32w(o.present); u32w(o.messageType); u32w(o.serverId); u32w(o.leaseTime);
  u32w(o.renewalTime); u32w(o.rebindingTime); u32w(o.subnetMask); u32w(o.requestedIp);
  u32w(o.maxMessageSize); u32w(o.overload); u32w(o.repeated); u32w(o.badLength); u32w(o.listOverflow);
  u32w(<u32>o.routerCount);
  for (let i = 0; i < o.routerCount; i++) u32w(o.routers[i]);
  u32w(<u32>o.dnsCount);
  for (let i = 0; i < o.dnsCount; i++) u32w(o.dnsServers[i]);
  bytesw(o.hostnamePtr, o.hostnameLen);
  bytesw(o.clientIdPtr, o.clientIdLen);
  bytesw(o.paramListPtr, o.paramListLen);
  bytesw(o.messagePtr, o.messageLen);
  bytesw(dview.chaddr(), <i32>(dview.hlen()));
  return 1;
}

/**
 * Builds a client message into the output buffer; returns its length (0 on refusal).
 * clientIdKind: 0 none, 1 MAC-based, 2 RFC 4361. withHostname adds "wasmnet-test".
 */
export function dhcp_build(type: u8, xid: u32, mac: usize, ciaddr: u32, requestedIp: u32, serverId: u32,
                           leaseTime: u32, clientIdKind: i32, withHostname: bool, broadcast: bool): i32 {
  const p = dparams;
  p.mac = mac;
  p.xid = xid;
  p.secs = 3;
  p.broadcast = broadcast;
  p.ciaddr = ciaddr;
  p.requestedIp = requestedIp;
  p.serverId = serverId;
  p.leaseTime = leaseTime;
  p.maxMessageSize = 1500;
  p.clientIdPtr = clientId;
  p.clientIdLen = clientIdKind == 1 ? dhcpClientIdFromMac(clientId, mac) : clientIdKind == 2 ? dhcpClientIdRfc4361(clientId, 0x01020304, mac) : 0;
  const hn = "wasmnet-test";
  for (let i = 0; i < hn.length; i++) store<u8>(hostname + i, <u8>hn.charCodeAt(i));
  p.hostnamePtr = hostname;
  p.hostnameLen = withHostname ? hn.length : 0;
  p.paramListPtr = dhcpDefaultParamList();
  p.paramListLen = DHCP_DEFAULT_PRL_LEN;
  const n = dhcpEmit(output_buffer(), 65536, type, p);
  if (n > 0) count(Counter.DhcpTx);
  return n;
}

// ---- DNS ----
const dmsg = new DnsMessage(16);
const dres = new DnsResolved(8);
const qname = memory.data(256);

function dnsSummary(ok: bool): void {
  begin();
  u32w(ok ? 1 : 0);
  if (!ok) return;
  const h = dmsg.header;
  u32w(h.id()); u32w(h.flags()); u32w(h.qr() ? 1 : 0); u32w(h.opcode()); u32w(h.aa() ? 1 : 0);
  u32w(h.tc() ? 1 : 0); u32w(h.rd() ? 1 : 0); u32w(h.ra() ? 1 : 0); u32w(h.rcode());
  u32w(<u32>h.qdCount()); u32w(<u32>h.anCount()); u32w(<u32>h.nsCount()); u32w(<u32>h.arCount());
  u32w(dmsg.incomplete ? 1 : 0);
  u32w(dmsg.hasQuestion ? 1 : 0);
  if (dmsg.hasQuestion) { namew(dmsg.qName); u32w(dmsg.qType); u32w(dmsg.qClass); }
  u32w(<u32>dmsg.answerCount); u32w(<u32>dmsg.answersDropped);
  for (let i = 0; i < dmsg.answerCount; i++) {
    const r = dmsg.answer(i);
    if (dmsg.answerName(i, qname) < 0) { bytesw(0, 0); } else namew(qname);
    u32w(r.type); u32w(r.cls); u32w(r.ttl); u32w(<u32>r.rdLen);
    if (r.type == DnsType.A) u32w(dmsg.answerA(i));
    else if (r.type == DnsType.CNAME) { if (dmsg.answerTarget(i, qname) < 0) bytesw(0, 0); else namew(qname); }
  }
  u32w(dmsg.hasSoa ? 1 : 0); u32w(dmsg.soaTtl); u32w(dmsg.soaMinimum); u32w(dmsg.negativeTtl());
  u32w(<u32>dmsg.optCount);
  // resolve() for the message's own question
  if (dmsg.hasQuestion) {
    memory.copy(qname, dmsg.qName, <usize>dmsg.qNameLen);
    const st = dmsg.resolve(qname, dmsg.qType, dres);
    u32w(1); u32w(<u32>st);
    namew(dres.name);
    u32w(dres.ttl); u32w(<u32>dres.cnameHops); u32w(<u32>dres.count); u32w(<u32>dres.overflow);
    for (let i = 0; i < dres.count; i++) u32w(dres.addrs[i]);
  } else u32w(0);
}

/** Parses a DNS message (tcp: with the 2-byte length prefix). Returns 1 or 0 (malformed/incomplete, counted). */
export function dns_parse(ptr: usize, len: i32, tcp: bool): i32 {
  count(Counter.DnsRx);
  let ok: bool;
  if (tcp) ok = dmsg.parseTcp(ptr, len) > 0;
  else ok = dmsg.parse(ptr, len);
  if (!ok) count(Counter.DnsDropMalformed);
  dnsSummary(ok);
  return ok ? 1 : 0;
}

/** Builds a query for the dotted name in (ptr, len) into the output buffer; returns its length or 0. */
export function dns_build_query(ptr: usize, len: i32, id: u32, qtype: u16, tcp: bool): i32 {
  const nl = dnsNameFromText(ptr, len, qname, 256);
  if (nl < 0) return 0;
  const n = dnsBuildQuery(output_buffer(), 65536, id, qname, qtype, true, tcp);
  if (n > 0) count(Counter.DnsTx);
  return n;
}
