// ARP packets for IPv4 over Ethernet (RFC 826). Other hardware/protocol types fail check().
import { get16, get32, put16, put32, macCopy } from "./bytes";

export const ARP_LEN: i32 = 28;

export enum ArpOp {
  Request = 1,
  Reply = 2,
}

const HTYPE_ETHERNET: u32 = 1;
const PTYPE_IPV4: u32 = 0x0800;

export class ArpPacket {
  ptr: usize = 0;
  len: i32 = 0;

  wrap(ptr: usize, len: i32): ArpPacket {
    this.ptr = ptr;
    this.len = len;
    return this;
  }

  /** Long enough, Ethernet/IPv4 with 6/4-byte addresses, and a known operation. */
  check(): bool {
    if (this.len < ARP_LEN) return false;
    const p = this.ptr;
    if (get16(p) != HTYPE_ETHERNET || get16(p + 2) != PTYPE_IPV4) return false;
    if (load<u8>(p + 4) != 6 || load<u8>(p + 5) != 4) return false;
    const op = get16(p + 6);
    return op == ArpOp.Request || op == ArpOp.Reply;
  }

  get op(): u32 { return get16(this.ptr + 6); }
  get senderMac(): usize { return this.ptr + 8; }
  get senderIp(): u32 { return get32(this.ptr + 14); }
  get targetMac(): usize { return this.ptr + 18; }
  get targetIp(): u32 { return get32(this.ptr + 24); }
}

/** Writes a 28-byte Ethernet/IPv4 ARP packet into buf and returns its length. */
export function emitArp(buf: usize, op: u32, senderMac: usize, senderIp: u32, targetMac: usize, targetIp: u32): i32 {
  put16(buf, HTYPE_ETHERNET);
  put16(buf + 2, PTYPE_IPV4);
  store<u8>(buf + 4, 6);
  store<u8>(buf + 5, 4);
  put16(buf + 6, op);
  macCopy(buf + 8, senderMac);
  put32(buf + 14, senderIp);
  macCopy(buf + 18, targetMac);
  put32(buf + 24, targetIp);
  return ARP_LEN;
}
