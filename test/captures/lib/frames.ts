// Minimal, test-only frame dissection for the capture suites: Ethernet II (with one 802.1Q
// tag) -> IPv4 (unfragmented) -> UDP / TCP. Deliberately independent of the stack's own
// Ethernet/IPv4/UDP views, so capture tests of DHCP/DNS do not depend on them.
export interface Transport {
  proto: "udp" | "tcp";
  src: string; dst: string;
  sport: number; dport: number;
  /** TCP only */
  seq: number; flags: number;
  payload: Uint8Array;
}

export const TCP_FIN = 1, TCP_SYN = 2, TCP_RST = 4;

const ip4 = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** Dissects an Ethernet frame down to UDP/TCP; null for anything else or malformed. */
export function transportOf(frame: Uint8Array): Transport | null {
  if (frame.length < 14) return null;
  let o = 12;
  let type = (frame[o] << 8) | frame[o + 1];
  if (type === 0x8100) { o += 4; if (frame.length < o + 2) return null; type = (frame[o] << 8) | frame[o + 1]; }
  o += 2;
  if (type !== 0x0800 || frame.length < o + 20) return null;
  const vihl = frame[o];
  if (vihl >> 4 !== 4) return null;
  const ihl = (vihl & 15) * 4;
  const total = (frame[o + 2] << 8) | frame[o + 3];
  if (ihl < 20 || total < ihl || o + total > frame.length) return null;
  const frag = ((frame[o + 6] << 8) | frame[o + 7]) & 0x3fff; // MF + offset
  if (frag !== 0) return null;
  const proto = frame[o + 9];
  const src = ip4(frame, o + 12), dst = ip4(frame, o + 16);
  const l4 = frame.subarray(o + ihl, o + total);
  if (proto === 17) {
    if (l4.length < 8) return null;
    const ulen = (l4[4] << 8) | l4[5];
    if (ulen < 8 || ulen > l4.length) return null;
    return { proto: "udp", src, dst, sport: (l4[0] << 8) | l4[1], dport: (l4[2] << 8) | l4[3], seq: 0, flags: 0, payload: l4.subarray(8, ulen) };
  }
  if (proto === 6) {
    if (l4.length < 20) return null;
    const doff = (l4[12] >> 4) * 4;
    if (doff < 20 || doff > l4.length) return null;
    const seq = ((l4[4] << 24) | (l4[5] << 16) | (l4[6] << 8) | l4[7]) >>> 0;
    return { proto: "tcp", src, dst, sport: (l4[0] << 8) | l4[1], dport: (l4[2] << 8) | l4[3], seq, flags: l4[13], payload: l4.subarray(doff) };
  }
  return null;
}

const flowKey = (t: Transport) => `${t.src}:${t.sport}>${t.dst}:${t.dport}`;

export interface StreamMessage {
  /** The 2-byte-framed message (prefix included), as received. */
  framed: Uint8Array;
  /** 1-based frame number in which the message's last byte arrived. */
  frame: number;
}

/**
 * Reassembles every TCP direction in the capture (in sequence order, duplicates and
 * retransmissions dropped, stopping at the first hole) and splits each byte stream into
 * DNS-over-TCP messages (RFC 1035 4.2.2 length framing).
 */
export function tcpDnsMessages(frames: Uint8Array[]): StreamMessage[] {
  const flows = new Map<string, { isn?: number; segs: { seq: number; data: Uint8Array; frame: number }[] }>();
  frames.forEach((f, idx) => {
    const t = transportOf(f);
    if (!t || t.proto !== "tcp") return;
    const k = flowKey(t);
    if (!flows.has(k)) flows.set(k, { segs: [] });
    const fl = flows.get(k)!;
    if (t.flags & TCP_SYN) fl.isn = t.seq;
    if (t.payload.length) fl.segs.push({ seq: t.seq, data: t.payload, frame: idx + 1 });
  });
  const out: StreamMessage[] = [];
  for (const fl of flows.values()) {
    if (!fl.segs.length) continue;
    const base = fl.isn !== undefined ? (fl.isn + 1) >>> 0 : fl.segs[0].seq;
    const rel = (s: number) => ((s - base) >>> 0);
    const segs = fl.segs.slice().sort((a, b) => rel(a.seq) - rel(b.seq));
    const bytes: number[] = [];
    const frameOfByte: number[] = [];
    for (const s of segs) {
      const start = rel(s.seq);
      if (start > bytes.length) break; // hole
      for (let i = bytes.length - start; i < s.data.length; i++) {
        bytes.push(s.data[i]);
        frameOfByte.push(s.frame);
      }
    }
    let o = 0;
    while (o + 2 <= bytes.length) {
      const n = (bytes[o] << 8) | bytes[o + 1];
      if (o + 2 + n > bytes.length) break;
      out.push({ framed: Uint8Array.from(bytes.slice(o, o + 2 + n)), frame: frameOfByte[o + 1 + n] });
      o += 2 + n;
    }
  }
  return out;
}

export const ipToString = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
