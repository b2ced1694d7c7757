// BOOTP/DHCP wire format (RFC 2131 section 2 and 4.1, RFC 2132, RFC 4361 client ids).
//
//   DhcpView        typed accessors over one received message (ptr, len); check() first.
//   DhcpOptions     caller-owned summary the options walker fills (no allocation).
//   parseDhcpOptions(view, out)  walks options, then file/sname when option 52 says so.
//   DhcpClientParams + dhcpEmit(buf, cap, type, params)  builds client messages.
//
// No protocol logic here: which message to send when, xid matching and lease timers belong
// to the DHCP client state machine. Byte ranges in DhcpOptions (hostname, client id, ...)
// point into the parsed message and are valid only while that frame is.

// ---- byte helpers (big-endian on the wire; local so this file stands alone) ----
@inline function rd8(p: usize): u32 { return <u32>load<u8>(p); }
@inline function rd16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline function rd32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function wr16(p: usize, v: u32): void { store<u16>(p, bswap<u16>(<u16>v)); }
@inline function wr32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

// ---- fixed layout ----
export const DHCP_OFF_OP: i32 = 0;
export const DHCP_OFF_HTYPE: i32 = 1;
export const DHCP_OFF_HLEN: i32 = 2;
export const DHCP_OFF_HOPS: i32 = 3;
export const DHCP_OFF_XID: i32 = 4;
export const DHCP_OFF_SECS: i32 = 8;
export const DHCP_OFF_FLAGS: i32 = 10;
export const DHCP_OFF_CIADDR: i32 = 12;
export const DHCP_OFF_YIADDR: i32 = 16;
export const DHCP_OFF_SIADDR: i32 = 20;
export const DHCP_OFF_GIADDR: i32 = 24;
export const DHCP_OFF_CHADDR: i32 = 28;
export const DHCP_CHADDR_LEN: i32 = 16;
export const DHCP_OFF_SNAME: i32 = 44;
export const DHCP_SNAME_LEN: i32 = 64;
export const DHCP_OFF_FILE: i32 = 108;
export const DHCP_FILE_LEN: i32 = 128;
export const DHCP_OFF_COOKIE: i32 = 236;
export const DHCP_OFF_OPTIONS: i32 = 240;
/** RFC 1542 2.1: relay agents and some servers drop BOOTP messages shorter than this. */
export const BOOTP_MIN_LEN: i32 = 300;
export const DHCP_MAGIC_COOKIE: u32 = 0x63825363;
export const DHCP_FLAG_BROADCAST: u32 = 0x8000;
export const BOOTP_OP_REQUEST: u32 = 1;
export const BOOTP_OP_REPLY: u32 = 2;
export const DHCP_SERVER_PORT: u16 = 67;
export const DHCP_CLIENT_PORT: u16 = 68;

/** Option 53 values (RFC 2132 9.6). */
export namespace DhcpMessageType {
  export const Discover: u8 = 1;
  export const Offer: u8 = 2;
  export const Request: u8 = 3;
  export const Decline: u8 = 4;
  export const Ack: u8 = 5;
  export const Nak: u8 = 6;
  export const Release: u8 = 7;
  export const Inform: u8 = 8;
}

/** Option codes used by the stack (RFC 2132). */
export namespace DhcpOpt {
  export const Pad: u8 = 0;
  export const SubnetMask: u8 = 1;
  export const Router: u8 = 3;
  export const DnsServer: u8 = 6;
  export const Hostname: u8 = 12;
  export const RequestedIp: u8 = 50;
  export const LeaseTime: u8 = 51;
  export const Overload: u8 = 52;
  export const MessageType: u8 = 53;
  export const ServerId: u8 = 54;
  export const ParamRequestList: u8 = 55;
  export const Message: u8 = 56;
  export const MaxMessageSize: u8 = 57;
  export const RenewalTime: u8 = 58;
  export const RebindingTime: u8 = 59;
  export const ClientId: u8 = 61;
  export const End: u8 = 255;
}

/** Bits of DhcpOptions.present. */
export namespace DhcpHas {
  export const MessageType: u32 = 1 << 0;
  export const ServerId: u32 = 1 << 1;
  export const LeaseTime: u32 = 1 << 2;
  export const RenewalTime: u32 = 1 << 3;
  export const RebindingTime: u32 = 1 << 4;
  export const SubnetMask: u32 = 1 << 5;
  export const Routers: u32 = 1 << 6;
  export const DnsServers: u32 = 1 << 7;
  export const Hostname: u32 = 1 << 8;
  export const ClientId: u32 = 1 << 9;
  export const RequestedIp: u32 = 1 << 10;
  export const ParamRequestList: u32 = 1 << 11;
  export const Message: u32 = 1 << 12;
  export const MaxMessageSize: u32 = 1 << 13;
  export const Overload: u32 = 1 << 14;
  export const End: u32 = 1 << 15;
}

/** A view over one BOOTP/DHCP message. Use accessors only after check() returned true. */
export class DhcpView {
  ptr: usize = 0;
  len: i32 = 0;

  wrap(ptr: usize, len: i32): DhcpView {
    this.ptr = ptr;
    this.len = len < 0 ? 0 : len;
    return this;
  }

  /** Long enough for the fixed part and the cookie, a BOOTP op, the DHCP magic cookie, hlen <= 16. */
  check(): bool {
    if (this.len < DHCP_OFF_OPTIONS) return false;
    const op = rd8(this.ptr + DHCP_OFF_OP);
    if (op != BOOTP_OP_REQUEST && op != BOOTP_OP_REPLY) return false;
    if (rd8(this.ptr + DHCP_OFF_HLEN) > <u32>DHCP_CHADDR_LEN) return false;
    return rd32(this.ptr + DHCP_OFF_COOKIE) == DHCP_MAGIC_COOKIE;
  }

  op(): u32 { return rd8(this.ptr + DHCP_OFF_OP); }
  htype(): u32 { return rd8(this.ptr + DHCP_OFF_HTYPE); }
  hlen(): u32 { return rd8(this.ptr + DHCP_OFF_HLEN); }
  hops(): u32 { return rd8(this.ptr + DHCP_OFF_HOPS); }
  xid(): u32 { return rd32(this.ptr + DHCP_OFF_XID); }
  secs(): u32 { return rd16(this.ptr + DHCP_OFF_SECS); }
  flags(): u32 { return rd16(this.ptr + DHCP_OFF_FLAGS); }
  broadcast(): bool { return (this.flags() & DHCP_FLAG_BROADCAST) != 0; }
  ciaddr(): u32 { return rd32(this.ptr + DHCP_OFF_CIADDR); }
  yiaddr(): u32 { return rd32(this.ptr + DHCP_OFF_YIADDR); }
  siaddr(): u32 { return rd32(this.ptr + DHCP_OFF_SIADDR); }
  giaddr(): u32 { return rd32(this.ptr + DHCP_OFF_GIADDR); }
  /** 16 bytes; the first hlen() are the client hardware address. */
  chaddr(): usize { return this.ptr + DHCP_OFF_CHADDR; }
  /** 64 bytes; a name only when option 52 does not claim it. */
  sname(): usize { return this.ptr + DHCP_OFF_SNAME; }
  /** 128 bytes; a boot file name only when option 52 does not claim it. */
  file(): usize { return this.ptr + DHCP_OFF_FILE; }
  cookie(): u32 { return rd32(this.ptr + DHCP_OFF_COOKIE); }
  optionsPtr(): usize { return this.ptr + DHCP_OFF_OPTIONS; }
  optionsLen(): i32 { return this.len - DHCP_OFF_OPTIONS; }

  /** True when chaddr starts with the 6-byte MAC at mac (htype 1, hlen 6). */
  chaddrIs(mac: usize): bool {
    if (this.htype() != 1 || this.hlen() != 6) return false;
    const c = this.chaddr();
    for (let i = 0; i < 6; i++) if (load<u8>(c + i) != load<u8>(mac + i)) return false;
    return true;
  }
}

/**
 * What the options walker extracts. The caller owns one (created at init) and reuses it.
 * Scalars: the first well-formed occurrence wins; later ones count in `repeated`.
 * Address lists (3, 6): every well-formed occurrence appends, up to the capacity; addresses
 * beyond it count in `listOverflow`. A known option with an impossible length is ignored
 * and counted in `badLength` (the message itself is still usable).
 */
export class DhcpOptions {
  present: u32 = 0;
  messageType: u8 = 0;
  serverId: u32 = 0;
  leaseTime: u32 = 0;
  renewalTime: u32 = 0;
  rebindingTime: u32 = 0;
  subnetMask: u32 = 0;
  requestedIp: u32 = 0;
  maxMessageSize: u32 = 0;
  overload: u8 = 0;
  routers: StaticArray<u32>;
  routerCount: i32 = 0;
  dnsServers: StaticArray<u32>;
  dnsCount: i32 = 0;
  hostnamePtr: usize = 0;
  hostnameLen: i32 = 0;
  clientIdPtr: usize = 0;
  clientIdLen: i32 = 0;
  paramListPtr: usize = 0;
  paramListLen: i32 = 0;
  messagePtr: usize = 0;
  messageLen: i32 = 0;
  repeated: u32 = 0;
  badLength: u32 = 0;
  listOverflow: u32 = 0;

  constructor(public routerCapacity: i32 = 4, public dnsCapacity: i32 = 4) {
    this.routers = new StaticArray<u32>(routerCapacity);
    this.dnsServers = new StaticArray<u32>(dnsCapacity);
  }

  has(bit: u32): bool { return (this.present & bit) != 0; }

  reset(): void {
    this.present = 0;
    this.messageType = 0;
    this.serverId = 0;
    this.leaseTime = 0;
    this.renewalTime = 0;
    this.rebindingTime = 0;
    this.subnetMask = 0;
    this.requestedIp = 0;
    this.maxMessageSize = 0;
    this.overload = 0;
    this.routerCount = 0;
    this.dnsCount = 0;
    this.hostnamePtr = 0;
    this.hostnameLen = 0;
    this.clientIdPtr = 0;
    this.clientIdLen = 0;
    this.paramListPtr = 0;
    this.paramListLen = 0;
    this.messagePtr = 0;
    this.messageLen = 0;
    this.repeated = 0;
    this.badLength = 0;
    this.listOverflow = 0;
  }

  /** True when the parameter request list (55) asks for option code. */
  requests(code: u8): bool {
    for (let i = 0; i < this.paramListLen; i++) if (load<u8>(this.paramListPtr + i) == code) return true;
    return false;
  }
}

// Returns false when the scalar is already present (counts the repeat).
function firstTime(out: DhcpOptions, bit: u32): bool {
  if (out.present & bit) { out.repeated++; return false; }
  out.present |= bit;
  return true;
}

function takeU32(out: DhcpOptions, bit: u32, p: usize, l: i32): i32 {
  // Returns 1 when the value should be stored, 0 otherwise.
  if (l != 4) { out.badLength++; return 0; }
  return firstTime(out, bit) ? 1 : 0;
}

function takeList(out: DhcpOptions, isDns: bool, p: usize, l: i32): void {
  if (l < 4 || (l & 3) != 0) { out.badLength++; return; }
  out.present |= isDns ? DhcpHas.DnsServers : DhcpHas.Routers;
  for (let i = 0; i < l; i += 4) {
    const a = rd32(p + i);
    if (isDns) {
      if (out.dnsCount < out.dnsCapacity) unchecked(out.dnsServers[out.dnsCount++] = a);
      else out.listOverflow++;
    } else {
      if (out.routerCount < out.routerCapacity) unchecked(out.routers[out.routerCount++] = a);
      else out.listOverflow++;
    }
  }
}

function takeBytes(out: DhcpOptions, bit: u32, l: i32, min: i32): bool {
  if (l < min) { out.badLength++; return false; }
  return firstTime(out, bit);
}

function takeOption(out: DhcpOptions, code: u32, p: usize, l: i32, mainArea: bool): void {
  switch (code) {
    case DhcpOpt.MessageType: {
      if (l != 1) { out.badLength++; break; }
      if (firstTime(out, DhcpHas.MessageType)) out.messageType = load<u8>(p);
      break;
    }
    case DhcpOpt.ServerId: if (takeU32(out, DhcpHas.ServerId, p, l)) out.serverId = rd32(p); break;
    case DhcpOpt.LeaseTime: if (takeU32(out, DhcpHas.LeaseTime, p, l)) out.leaseTime = rd32(p); break;
    case DhcpOpt.RenewalTime: if (takeU32(out, DhcpHas.RenewalTime, p, l)) out.renewalTime = rd32(p); break;
    case DhcpOpt.RebindingTime: if (takeU32(out, DhcpHas.RebindingTime, p, l)) out.rebindingTime = rd32(p); break;
    case DhcpOpt.SubnetMask: if (takeU32(out, DhcpHas.SubnetMask, p, l)) out.subnetMask = rd32(p); break;
    case DhcpOpt.RequestedIp: if (takeU32(out, DhcpHas.RequestedIp, p, l)) out.requestedIp = rd32(p); break;
    case DhcpOpt.Router: takeList(out, false, p, l); break;
    case DhcpOpt.DnsServer: takeList(out, true, p, l); break;
    case DhcpOpt.Hostname: {
      if (takeBytes(out, DhcpHas.Hostname, l, 1)) { out.hostnamePtr = p; out.hostnameLen = l; }
      break;
    }
    case DhcpOpt.ClientId: {
      if (takeBytes(out, DhcpHas.ClientId, l, 2)) { out.clientIdPtr = p; out.clientIdLen = l; }
      break;
    }
    case DhcpOpt.ParamRequestList: {
      if (takeBytes(out, DhcpHas.ParamRequestList, l, 1)) { out.paramListPtr = p; out.paramListLen = l; }
      break;
    }
    case DhcpOpt.Message: {
      if (takeBytes(out, DhcpHas.Message, l, 1)) { out.messagePtr = p; out.messageLen = l; }
      break;
    }
    case DhcpOpt.MaxMessageSize: {
      if (l != 2) { out.badLength++; break; }
      if (firstTime(out, DhcpHas.MaxMessageSize)) out.maxMessageSize = rd16(p);
      break;
    }
    case DhcpOpt.Overload: {
      // Only meaningful in the options field itself (RFC 2131 4.1).
      if (!mainArea || l != 1 || load<u8>(p) < 1 || load<u8>(p) > 3) { out.badLength++; break; }
      if (firstTime(out, DhcpHas.Overload)) out.overload = load<u8>(p);
      break;
    }
    default: break;
  }
}

/**
 * Walks one option area. Pad (0) is skipped, End (255) stops. An area that runs out
 * without End is accepted (common in the wild); an option whose length byte is missing or
 * whose length runs past the area is malformed (returns false).
 */
function walkArea(out: DhcpOptions, p: usize, n: i32, mainArea: bool): bool {
  let i = 0;
  while (i < n) {
    const code = rd8(p + i);
    if (code == DhcpOpt.Pad) { i++; continue; }
    if (code == DhcpOpt.End) { if (mainArea) out.present |= DhcpHas.End; return true; }
    if (i + 1 >= n) return false;
    const l = <i32>rd8(p + i + 1);
    if (i + 2 + l > n) return false;
    takeOption(out, code, p + i + 2, l, mainArea);
    i += 2 + l;
  }
  return true;
}

/**
 * Fills out from the message's options: the options field, then (option 52) the file
 * field, then the sname field, in that order (RFC 2131 4.1). Returns false when the
 * message is malformed (check() fails, or an option is truncated); out is then partial
 * and must not be used.
 */
export function parseDhcpOptions(view: DhcpView, out: DhcpOptions): bool {
  out.reset();
  if (!view.check()) return false;
  if (!walkArea(out, view.optionsPtr(), view.optionsLen(), true)) return false;
  const ov = out.overload;
  if ((ov & 1) != 0 && !walkArea(out, view.file(), DHCP_FILE_LEN, false)) return false;
  if ((ov & 2) != 0 && !walkArea(out, view.sname(), DHCP_SNAME_LEN, false)) return false;
  return true;
}

// ---- emitter ----

/** RFC 2132 9.8 parameter request list the client sends by default: mask, router, DNS, domain name, lease, T1, T2. */
const DEFAULT_PRL = memory.data<u8>([1, 3, 6, 15, 51, 58, 59]);
export const DHCP_DEFAULT_PRL_LEN: i32 = 7;
export function dhcpDefaultParamList(): usize { return DEFAULT_PRL; }

/** Writes a MAC-based client identifier (RFC 2132 9.14: htype 1, then the MAC) to dst. Returns 7. */
export function dhcpClientIdFromMac(dst: usize, mac: usize): i32 {
  store<u8>(dst, 1);
  memory.copy(dst + 1, mac, 6);
  return 7;
}

/**
 * Writes an RFC 4361 client identifier to dst: type 255, the 4-byte IAID, then a DUID-LL
 * (RFC 8415 11.4: DUID type 3, hardware type 1, the MAC). Returns 15.
 */
export function dhcpClientIdRfc4361(dst: usize, iaid: u32, mac: usize): i32 {
  store<u8>(dst, 255);
  wr32(dst + 1, iaid);
  wr16(dst + 5, 3);
  wr16(dst + 7, 1);
  memory.copy(dst + 9, mac, 6);
  return 15;
}

/**
 * What the client puts in a message. The state machine owns one and sets the fields
 * before each dhcpEmit; zero / length 0 means "leave out". The emitter additionally leaves
 * out what RFC 2131 table 5 forbids for the message type, whatever is set here.
 */
export class DhcpClientParams {
  /** 6-byte MAC (chaddr), required. */
  mac: usize = 0;
  xid: u32 = 0;
  secs: u32 = 0;
  broadcast: bool = false;
  /** Our address when BOUND/RENEWING/REBINDING, and for RELEASE/INFORM. */
  ciaddr: u32 = 0;
  requestedIp: u32 = 0;
  serverId: u32 = 0;
  leaseTime: u32 = 0;
  maxMessageSize: u32 = 0;
  clientIdPtr: usize = 0;
  clientIdLen: i32 = 0;
  hostnamePtr: usize = 0;
  hostnameLen: i32 = 0;
  paramListPtr: usize = 0;
  paramListLen: i32 = 0;
  /** Option 56 text for DECLINE/RELEASE (optional). */
  messagePtr: usize = 0;
  messageLen: i32 = 0;
}

/** Upper bound of what dhcpEmit writes for params p (use to size buffers). */
export function dhcpEmitMaxLen(p: DhcpClientParams): i32 {
  const n = DHCP_OFF_OPTIONS + 3 + 6 + 6 + 6 + 4 + (2 + p.clientIdLen) + (2 + p.hostnameLen) +
    (2 + p.paramListLen) + (2 + p.messageLen) + 1;
  return n < BOOTP_MIN_LEN ? BOOTP_MIN_LEN : n;
}

function putBytes(buf: usize, o: i32, code: u8, src: usize, l: i32): i32 {
  store<u8>(buf + o, code);
  store<u8>(buf + o + 1, <u8>l);
  memory.copy(buf + o + 2, src, <usize>l);
  return o + 2 + l;
}

function putU32(buf: usize, o: i32, code: u8, v: u32): i32 {
  store<u8>(buf + o, code);
  store<u8>(buf + o + 1, 4);
  wr32(buf + o + 2, v);
  return o + 6;
}

/**
 * Builds a client message (DISCOVER, REQUEST, DECLINE, RELEASE or INFORM) into buf.
 * Returns its length (at least BOOTP_MIN_LEN, zero-padded after End), or 0 when the type is
 * not a client message, mac is unset, a byte option is longer than 255, or cap is too small.
 * Per RFC 2131 table 5:
 *   requested IP (50): DISCOVER, REQUEST, DECLINE     server id (54): REQUEST, DECLINE, RELEASE
 *   lease (51): DISCOVER, REQUEST                     PRL (55), max size (57), hostname (12): DISCOVER, REQUEST, INFORM
 *   message (56): DECLINE, RELEASE                    ciaddr: zero for DISCOVER and DECLINE
 */
export function dhcpEmit(buf: usize, cap: i32, type: u8, p: DhcpClientParams): i32 {
  const isDiscover = type == DhcpMessageType.Discover;
  const isRequest = type == DhcpMessageType.Request;
  const isDecline = type == DhcpMessageType.Decline;
  const isRelease = type == DhcpMessageType.Release;
  const isInform = type == DhcpMessageType.Inform;
  if (!(isDiscover || isRequest || isDecline || isRelease || isInform)) return 0;
  if (p.mac == 0) return 0;
  if (p.clientIdLen < 0 || p.clientIdLen > 255 || p.hostnameLen < 0 || p.hostnameLen > 255 ||
      p.paramListLen < 0 || p.paramListLen > 255 || p.messageLen < 0 || p.messageLen > 255) return 0;
  if (cap < dhcpEmitMaxLen(p)) return 0;

  memory.fill(buf, 0, <usize>DHCP_OFF_OPTIONS);
  store<u8>(buf + DHCP_OFF_OP, <u8>BOOTP_OP_REQUEST);
  store<u8>(buf + DHCP_OFF_HTYPE, 1);
  store<u8>(buf + DHCP_OFF_HLEN, 6);
  wr32(buf + DHCP_OFF_XID, p.xid);
  wr16(buf + DHCP_OFF_SECS, p.secs > 0xffff ? 0xffff : p.secs);
  wr16(buf + DHCP_OFF_FLAGS, p.broadcast ? DHCP_FLAG_BROADCAST : 0);
  if (!isDiscover && !isDecline) wr32(buf + DHCP_OFF_CIADDR, p.ciaddr);
  memory.copy(buf + DHCP_OFF_CHADDR, p.mac, 6);
  wr32(buf + DHCP_OFF_COOKIE, DHCP_MAGIC_COOKIE);

  let o = DHCP_OFF_OPTIONS;
  store<u8>(buf + o, DhcpOpt.MessageType);
  store<u8>(buf + o + 1, 1);
  store<u8>(buf + o + 2, type);
  o += 3;
  if (p.clientIdLen >= 2) o = putBytes(buf, o, DhcpOpt.ClientId, p.clientIdPtr, p.clientIdLen);
  if (p.requestedIp != 0 && (isDiscover || isRequest || isDecline)) o = putU32(buf, o, DhcpOpt.RequestedIp, p.requestedIp);
  if (p.serverId != 0 && (isRequest || isDecline || isRelease)) o = putU32(buf, o, DhcpOpt.ServerId, p.serverId);
  if (p.leaseTime != 0 && (isDiscover || isRequest)) o = putU32(buf, o, DhcpOpt.LeaseTime, p.leaseTime);
  if (isDiscover || isRequest || isInform) {
    if (p.maxMessageSize >= 576) {
      store<u8>(buf + o, DhcpOpt.MaxMessageSize);
      store<u8>(buf + o + 1, 2);
      wr16(buf + o + 2, p.maxMessageSize > 0xffff ? 0xffff : p.maxMessageSize);
      o += 4;
    }
    if (p.hostnameLen > 0) o = putBytes(buf, o, DhcpOpt.Hostname, p.hostnamePtr, p.hostnameLen);
    if (p.paramListLen > 0) o = putBytes(buf, o, DhcpOpt.ParamRequestList, p.paramListPtr, p.paramListLen);
  }
  if ((isDecline || isRelease) && p.messageLen > 0) o = putBytes(buf, o, DhcpOpt.Message, p.messagePtr, p.messageLen);
  store<u8>(buf + o, DhcpOpt.End);
  o++;
  if (o < BOOTP_MIN_LEN) {
    memory.fill(buf + o, 0, <usize>(BOOTP_MIN_LEN - o));
    o = BOOTP_MIN_LEN;
  }
  return o;
}
