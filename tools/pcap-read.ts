// A small classic-pcap reader (not pcapng): both byte orders, microsecond (0xa1b2c3d4) and
// nanosecond (0xa1b23c4d) magics. Packets come back as captured (incl_len bytes) with the
// link type of the file: 1 Ethernet, 105 802.11, 127 radiotap + 802.11 (others are passed
// through untouched; callers decide). Time is in seconds (float).
import { readFileSync } from "node:fs";

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_IEEE802_11 = 105;
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;

export interface PcapPacket {
  /** Seconds since the epoch (fractional). */
  time: number;
  /** Captured bytes (may be shorter than origLen when the snap length cut it). */
  data: Uint8Array;
  origLen: number;
}

export interface Pcap {
  linktype: number;
  snaplen: number;
  nanoseconds: boolean;
  packets: PcapPacket[];
}

export function parsePcap(buf: Uint8Array): Pcap {
  if (buf.length < 24) throw new Error("pcap: shorter than the global header");
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicLE = dv.getUint32(0, true);
  let little: boolean;
  let nanoseconds: boolean;
  if (magicLE === 0xa1b2c3d4) { little = true; nanoseconds = false; }
  else if (magicLE === 0xa1b23c4d) { little = true; nanoseconds = true; }
  else if (magicLE === 0xd4c3b2a1) { little = false; nanoseconds = false; }
  else if (magicLE === 0x4d3cb2a1) { little = false; nanoseconds = true; }
  else if (magicLE === 0x0a0d0d0a) throw new Error("pcap: this is pcapng, not supported");
  else throw new Error(`pcap: bad magic 0x${magicLE.toString(16)}`);
  const snaplen = dv.getUint32(16, little);
  const linktype = dv.getUint32(20, little) & 0x0fffffff; // upper bits: FCS info
  const packets: PcapPacket[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const sec = dv.getUint32(o, little);
    const frac = dv.getUint32(o + 4, little);
    const incl = dv.getUint32(o + 8, little);
    const orig = dv.getUint32(o + 12, little);
    o += 16;
    if (o + incl > buf.length) throw new Error(`pcap: packet ${packets.length + 1} truncated`);
    packets.push({
      time: sec + frac / (nanoseconds ? 1e9 : 1e6),
      data: buf.slice(o, o + incl),
      origLen: orig,
    });
    o += incl;
  }
  return { linktype, snaplen, nanoseconds, packets };
}

export function readPcap(path: string): Pcap {
  return parsePcap(new Uint8Array(readFileSync(path)));
}

/** For linktype 127: the length of the radiotap header (little-endian it_len), or -1. */
export function radiotapLength(data: Uint8Array): number {
  if (data.length < 8 || data[0] !== 0) return -1;
  const len = data[2] | (data[3] << 8);
  return len >= 8 && len <= data.length ? len : -1;
}

/** The 802.11 frame of a packet for linktypes 105 and 127 (radiotap stripped), else null. */
export function ieee80211Frame(linktype: number, data: Uint8Array): Uint8Array | null {
  if (linktype === LINKTYPE_IEEE802_11) return data;
  if (linktype === LINKTYPE_IEEE802_11_RADIOTAP) {
    const n = radiotapLength(data);
    return n < 0 ? null : data.subarray(n);
  }
  return null;
}
