// Reading third-party captures for the conformance tests: files by path, times in seconds,
// and the 802.11 frame inside radiotap. The pcap parsing itself is sim/net/pcap.ts's.
import { readFileSync } from "node:fs";
import { readPcap as readPcapBytes } from "../sim/net/pcap.ts";

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

/** Parses a capture with the simulator's reader (sim/net/pcap.ts); time in seconds here. */
export function parsePcap(buf: Uint8Array): Pcap {
  const f = readPcapBytes(buf);
  return { linktype: f.linktype, snaplen: f.snaplen, nanoseconds: f.nanosecond, packets: f.packets.map((p) => ({ ...p, time: p.time / 1e6 })) };
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
