// libpcap capture files (the classic format, not pcapng), timestamps from virtual time.
// Written little-endian with microsecond resolution; the reader accepts both byte orders and
// the nanosecond variant.

import { writeFileSync } from "node:fs";
import type { Link, LinkFrameEvent } from "./link.ts";

export const LINKTYPE_ETHERNET = 1;
/** IEEE 802.11 frames, each preceded by a radiotap header. */
export const LINKTYPE_IEEE802_11_RADIOTAP = 127;

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;

export class PcapWriter {
  private chunks: Uint8Array[] = [];
  packets = 0;

  constructor(readonly linktype = LINKTYPE_ETHERNET, readonly snaplen = 65535) {
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, MAGIC_USEC, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    // thiszone, sigfigs = 0
    h.setUint32(16, snaplen, true);
    h.setUint32(20, linktype, true);
    this.chunks.push(new Uint8Array(h.buffer));
  }

  /** Appends one packet (copied) at virtual time `timeUs`. */
  add(timeUs: number, data: Uint8Array): void {
    const t = Math.max(0, Math.round(timeUs));
    const incl = Math.min(data.length, this.snaplen);
    const rec = new Uint8Array(16 + incl);
    const v = new DataView(rec.buffer);
    v.setUint32(0, Math.floor(t / 1e6), true);
    v.setUint32(4, t % 1e6, true);
    v.setUint32(8, incl, true);
    v.setUint32(12, data.length, true);
    rec.set(data.subarray(0, incl), 16);
    this.chunks.push(rec);
    this.packets++;
  }

  /**
   * Records a link's traffic in both directions. "tx" (default) captures what each side
   * sent, as a tap at the sender would, including frames the link then loses; "rx" captures
   * what was delivered (after loss, corruption, duplication). Returns an unsubscribe function.
   */
  tapLink(link: Link, at: "tx" | "rx" = "tx"): () => void {
    return link.onFrame((ev: LinkFrameEvent) => { if (ev.at === at) this.add(ev.time, ev.frame); });
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  writeFile(path: string): void {
    writeFileSync(path, this.bytes());
  }
}

export interface PcapPacket {
  /** Microseconds (fractional for nanosecond captures). */
  time: number;
  data: Uint8Array;
  origLen: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  nanosecond: boolean;
  packets: PcapPacket[];
}

export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < 24) throw new Error("pcap: truncated file header");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  let nanosecond: boolean;
  const m = v.getUint32(0, true);
  if (m === MAGIC_USEC || m === MAGIC_NSEC) le = true;
  else if (v.getUint32(0, false) === MAGIC_USEC || v.getUint32(0, false) === MAGIC_NSEC) le = false;
  else throw new Error(`pcap: bad magic 0x${m.toString(16)}`);
  nanosecond = v.getUint32(0, le) === MAGIC_NSEC;
  const snaplen = v.getUint32(16, le);
  const linktype = v.getUint32(20, le) & 0x0fffffff; // upper bits: FCS flags (pcap-linktype)
  const packets: PcapPacket[] = [];
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) throw new Error(`pcap: truncated record header at ${off}`);
    const sec = v.getUint32(off, le), frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le), orig = v.getUint32(off + 12, le);
    if (off + 16 + incl > bytes.length) throw new Error(`pcap: truncated record at ${off}`);
    packets.push({
      time: sec * 1e6 + (nanosecond ? frac / 1000 : frac),
      data: bytes.slice(off + 16, off + 16 + incl),
      origLen: orig,
    });
    off += 16 + incl;
  }
  return { linktype, snaplen, nanosecond, packets };
}

export interface RadiotapInfo {
  /** Legacy rate in Mb/s (multiples of 0.5). */
  rateMbps?: number;
  /** Channel centre frequency in MHz (2.4 GHz band assumed for the flags). */
  channelMHz?: number;
  signalDbm?: number;
}

/**
 * A minimal radiotap header (rate, channel, antenna signal) to prefix an 802.11 frame for
 * LINKTYPE_IEEE802_11_RADIOTAP. Field alignment per the radiotap spec: each field is aligned
 * to its natural size from the start of the header.
 */
export function radiotapHeader(info: RadiotapInfo): Uint8Array {
  const fields: { bit: number; align: number; bytes: number[] }[] = [];
  if (info.rateMbps !== undefined) fields.push({ bit: 2, align: 1, bytes: [Math.round(info.rateMbps * 2) & 0xff] });
  if (info.channelMHz !== undefined) {
    const f = info.channelMHz, flags = 0x0080 | 0x0020; // 2 GHz spectrum, OFDM
    fields.push({ bit: 3, align: 2, bytes: [f & 0xff, f >> 8, flags & 0xff, flags >> 8] });
  }
  if (info.signalDbm !== undefined) fields.push({ bit: 5, align: 1, bytes: [info.signalDbm & 0xff] });
  const body: number[] = [];
  let present = 0;
  for (const fld of fields) {
    present |= 1 << fld.bit;
    while ((8 + body.length) % fld.align) body.push(0);
    body.push(...fld.bytes);
  }
  const out = new Uint8Array(8 + body.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0); // version
  v.setUint16(2, out.length, true);
  v.setUint32(4, present, true);
  out.set(body, 8);
  return out;
}
