// Hand-built TCP segments for unit tests and the fuzzer (PEER_IP -> DEV_IP unless told).
import { checksum, pseudoSum } from "../../sim/hosts/wire.ts";
import { loadHarness } from "../harness-host.ts";
import { DEV_IP, PEER_IP } from "./tcp-bridge.ts";

export const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;

export interface Seg {
  sport?: number; dport?: number; seq: number; ack?: number; flags: number; wnd?: number;
  data?: Uint8Array; options?: Uint8Array; src?: number; dst?: number; dataOffsetWords?: number;
}

export function buildSeg(s: Seg): Uint8Array {
  const opts = s.options ?? new Uint8Array(0);
  const data = s.data ?? new Uint8Array(0);
  const t = new Uint8Array(20 + opts.length + data.length);
  const v = new DataView(t.buffer);
  v.setUint16(0, s.sport ?? 5000);
  v.setUint16(2, s.dport ?? 80);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, (s.ack ?? 0) >>> 0);
  t[12] = (s.dataOffsetWords ?? (20 + opts.length) / 4) << 4;
  t[13] = s.flags;
  v.setUint16(14, s.wnd ?? 8192);
  t.set(opts, 20);
  t.set(data, 20 + opts.length);
  v.setUint16(16, checksum(t, 0, t.length, pseudoSum(s.src ?? PEER_IP, s.dst ?? DEV_IP, 6, t.length)));
  return t;
}

export interface Out { seq: number; ack: number; flags: number; wnd: number; len: number; data: Uint8Array; sport: number; dport: number; mss?: number; dst: number }

export function parseOut(b: Uint8Array, dst: number): Out {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const off = (b[12] >> 4) * 4;
  let mss: number | undefined;
  if (off > 20 && b[20] === 2) mss = v.getUint16(22);
  return { sport: v.getUint16(0), dport: v.getUint16(2), seq: v.getUint32(4), ack: v.getUint32(8), flags: b[13], wnd: v.getUint16(14), len: b.length - off, data: b.slice(off), mss, dst };
}

/** A harness with the transports set up, plus helpers that feed segments and collect output. */
export async function unitDevice(cfg: { sockets?: number; rx?: number; tx?: number; tw?: number } = {}) {
  const h = await loadHarness("transport");
  const ex = h.exports;
  ex.setup(cfg.sockets ?? 4, cfg.rx ?? 2048, cfg.tx ?? 2048, cfg.tw ?? 8, DEV_IP);
  const d = {
    h, ex,
    now: 0n,
    take(): Out[] {
      const n = ex.tx_count();
      const r: Out[] = [];
      for (let i = 0; i < n; i++) if (ex.tx_proto(i) === 6) r.push(parseOut(h.bytes(ex.tx_ptr(i), ex.tx_len(i)), ex.tx_dst(i) >>> 0));
      ex.tx_clear();
      return r;
    },
    feed(s: Seg): Out[] {
      const b = buildSeg(s);
      ex.tcp_input((s.src ?? PEER_IP) >>> 0, (s.dst ?? DEV_IP) >>> 0, h.input(b), b.length, d.now);
      return d.take();
    },
    raw(b: Uint8Array, src = PEER_IP): Out[] {
      ex.tcp_input(src >>> 0, DEV_IP, h.input(b), b.length, d.now);
      return d.take();
    },
    /** Advances time to t (µs), running every deadline on the way. */
    advance(t: bigint): Out[] {
      const out: Out[] = [];
      for (let i = 0; i < 10000; i++) {
        const dl: bigint = ex.tcp_poll(d.now);
        out.push(...d.take());
        if (dl > t) break;
        d.now = dl;
      }
      d.now = t;
      ex.tcp_poll(d.now);
      out.push(...d.take());
      return out;
    },
    /** Passive open on port 80 with a peer ISN; returns the accepted socket and our ISS. */
    accept(peerIsn: number, sport = 5000, wnd = 8192): { id: number; iss: number; listener: number } {
      const l = ex.tcp_socket(true);
      ex.tcp_listen(l, 80, 2);
      const synack = d.feed({ sport, seq: peerIsn, flags: SYN, wnd, options: Uint8Array.of(2, 4, 0x05, 0xb4) });
      if (synack.length !== 1 || synack[0].flags !== (SYN | ACK)) throw new Error("no SYN,ACK");
      const iss = synack[0].seq;
      d.feed({ sport, seq: peerIsn + 1, ack: iss + 1, flags: ACK, wnd });
      const id = ex.tcp_accept(l);
      if (id < 0) throw new Error("accept failed");
      return { id, iss, listener: l };
    },
  };
  return d;
}
