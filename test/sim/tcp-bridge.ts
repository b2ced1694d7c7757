// Connects our TCP (the transport harness wasm, over its fake IP layer) to the independent
// TypeScript TCP in sim/hosts/tcp.ts through a seeded impairment channel on the
// discrete-event scheduler. Shared by test/sim/tcp-*.test.ts and bench/tcp.ts.
import { createHash } from "node:crypto";
import { loadHarness, type Harness } from "../harness-host.ts";
import { Scheduler, type EventHandle } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { TcpLayer, type TcpOptions } from "../../sim/hosts/tcp.ts";
import type { SimHost } from "../../sim/hosts/host.ts";
import type { Ipv4Packet } from "../../sim/hosts/wire.ts";

export const DEV_IP = 0x0a000002;
export const PEER_IP = 0x0a000001;
export const NEVER = 0x7fffffffffffffffn;
export const NetError = { None: 0, Refused: 1, Reset: 2, TimedOut: 3, KeepAliveFailed: 4, HostUnreachable: 5, NetworkUnreachable: 6, AddressGone: 7, Aborted: 8 };
export const TcpState = { Closed: 0, Listen: 1, SynSent: 2, SynReceived: 3, Established: 4, FinWait1: 5, FinWait2: 6, CloseWait: 7, Closing: 8, LastAck: 9, TimeWait: 10 };
export const EV = { Connected: 1, Acceptable: 2, Readable: 3, Writable: 4, PeerClosed: 5, Closed: 6 };

export interface Impairments {
  loss: number; duplicate: number; corrupt: number;
  /** Probability that a packet gets extra delay (and so overtakes / is overtaken). */
  reorder: number;
  delayUs: number; reorderUs: number;
}
export const CLEAN: Impairments = { loss: 0, duplicate: 0, corrupt: 0, reorder: 0, delayUs: 1000, reorderUs: 0 };

export function sha(b: Uint8Array): string { return createHash("sha256").update(b).digest("hex"); }

export interface DeviceConfig { sockets?: number; rxBytes?: number; txBytes?: number; twSlots?: number }

/** A bidirectional channel with independent seeded impairments per direction. */
class Channel {
  delivered = 0; dropped = 0; corrupted = 0; duplicated = 0;
  muted = false;
  constructor(private sched: Scheduler, private rng: Rng, public imp: Impairments, private deliver: (b: Uint8Array) => void) {}
  send(bytes: Uint8Array): void {
    if (this.muted) { this.dropped++; return; }
    const imp = this.imp;
    if (this.rng.chance(imp.loss)) { this.dropped++; return; }
    const copies = this.rng.chance(imp.duplicate) ? 2 : 1;
    if (copies === 2) this.duplicated++;
    for (let c = 0; c < copies; c++) {
      const b = bytes.slice();
      if (this.rng.chance(imp.corrupt)) {
        const i = this.rng.int(b.length);
        b[i] ^= 1 << this.rng.int(8);
        this.corrupted++;
      }
      const delay = imp.delayUs + (this.rng.chance(imp.reorder) ? this.rng.int(imp.reorderUs + 1) : 0);
      this.sched.after(delay, () => { if (!this.muted) { this.delivered++; this.deliver(b); } }, "chan");
    }
  }
}

export class Bridge {
  readonly sched = new Scheduler();
  readonly rng: Rng;
  h!: Harness;
  ex!: Record<string, any>;
  peer!: TcpLayer;
  toPeer!: Channel;
  toDevice!: Channel;
  private timer: EventHandle | null = null;
  private peerInput: (p: Ipv4Packet) => void = () => {};
  /** Virtual time of the last segment handed to our TCP. */
  lastDeviceRx = 0;
  /** Segments our TCP emitted, for inspection. */
  deviceSegments = 0;
  events: { kind: number; id: number; value: number; t: number }[] = [];
  onEvent: (e: { kind: number; id: number; value: number; t: number }) => void = () => {};
  /** Run after every call into the module (application logic pumps data here). */
  pump: () => void = () => {};
  /** Extra tap on every segment our TCP sends. */
  tapDevice: (b: Uint8Array, dst: number) => void = () => {};

  constructor(readonly seed: number) { this.rng = new Rng(seed); }

  static async create(seed: number, imp: Impairments, dev: DeviceConfig = {}, peerOpts: Partial<TcpOptions> = {}): Promise<Bridge> {
    const b = new Bridge(seed);
    b.h = await loadHarness("transport");
    b.ex = b.h.exports;
    b.ex.setup(dev.sockets ?? 4, dev.rxBytes ?? 2048, dev.txBytes ?? 2048, dev.twSlots ?? 8, DEV_IP);
    b.toPeer = new Channel(b.sched, b.rng.fork("to-peer"), imp, (bytes) => b.deliverToPeer(bytes));
    b.toDevice = new Channel(b.sched, b.rng.fork("to-device"), imp, (bytes) => b.deliverToDevice(bytes));
    const host = {
      name: "peer", ip: PEER_IP, sched: b.sched, rng: b.rng.fork("peer"),
      sendIp: (dst: number, _proto: number, payload: Uint8Array) => { if (dst === DEV_IP) b.toDevice.send(payload); return true; },
      onIpProtocol: (_p: number, fn: (p: Ipv4Packet) => void) => { b.peerInput = fn; },
    } as unknown as SimHost;
    b.peer = new TcpLayer(host, { mss: 1460, minRtoUs: 200e3, ...peerOpts });
    return b;
  }

  get now(): bigint { return BigInt(Math.round(this.sched.now)); }

  /** Calls into the module, then drains its output and re-arms its timer. */
  call<T>(fn: (ex: Record<string, any>, now: bigint) => T): T {
    const r = fn(this.ex, this.now);
    this.settle();
    return r;
  }

  private settle(): void {
    for (let round = 0; round < 100; round++) {
      this.drainEvents();
      this.pump();
      const n = this.ex.tx_count();
      const deadline: bigint = this.ex.tcp_poll(this.now);
      const m = this.ex.tx_count();
      if (m > 0) {
        for (let i = 0; i < m; i++) {
          const bytes = this.h.bytes(this.ex.tx_ptr(i), this.ex.tx_len(i));
          const dst = this.ex.tx_dst(i) >>> 0;
          this.deviceSegments++;
          this.tapDevice(bytes, dst);
          if (dst === PEER_IP) this.toPeer.send(bytes);
        }
        this.ex.tx_clear();
      }
      this.drainEvents();
      if (m === 0 && n === 0 && this.pendingEvents === 0) { this.arm(deadline); return; }
    }
    throw new Error("bridge: module keeps producing output without time passing");
  }

  private pendingEvents = 0;
  private drainEvents(): void {
    const n = this.ex.events_count();
    if (!n) { this.pendingEvents = 0; return; }
    const ev = new Int32Array(this.h.bytes(this.ex.events_ptr(), n * 12).buffer);
    this.ex.events_clear();
    for (let i = 0; i < n; i++) {
      const e = { kind: ev[i * 3], id: ev[i * 3 + 1], value: ev[i * 3 + 2], t: this.sched.now };
      this.events.push(e);
      this.onEvent(e);
    }
    this.pendingEvents = n;
  }

  private arm(deadline: bigint): void {
    this.sched.cancel(this.timer);
    this.timer = null;
    if (deadline >= NEVER) return;
    const t = Math.max(Number(deadline), this.sched.now);
    this.timer = this.sched.at(t, () => { this.timer = null; this.call(() => {}); }, "device timer");
  }

  private deliverToDevice(bytes: Uint8Array): void {
    this.lastDeviceRx = this.sched.now;
    this.call((ex, now) => ex.tcp_input(PEER_IP, DEV_IP, this.h.input(bytes), bytes.length, now));
  }

  private deliverToPeer(bytes: Uint8Array): void {
    this.peerInput({ src: DEV_IP, dst: PEER_IP, proto: 6, ttl: 64, id: 0, tos: 0, header: new Uint8Array(20), payload: bytes, srcMac: new Uint8Array(6) });
  }

  /** Injects a raw TCP segment (already checksummed) into our TCP, bypassing the channel. */
  inject(src: number, bytes: Uint8Array): void {
    this.call((ex, now) => ex.tcp_input(src >>> 0, DEV_IP, this.h.input(bytes), bytes.length, now));
  }
}

/**
 * A byte stream pump for one device socket: sends `out`, collects what arrives, closes
 * after sending everything. Works from the bridge's pump hook (after every call).
 */
export class DeviceStream {
  sent = 0;
  received: Uint8Array[] = [];
  receivedBytes = 0;
  eof = false;
  closed = false;
  error = -1;
  private scratch = new Uint8Array(4096);
  constructor(private b: Bridge, public id: number, private out: Uint8Array, private closeWhenDone = true) {}
  step(): void {
    const ex = this.b.ex;
    if (this.closed || this.id < 0) return;
    const st = ex.tcp_state(this.id);
    if (st === TcpState.Closed) { this.read(); this.closed = true; this.error = ex.tcp_error(this.id); return; }
    const sendable = st === TcpState.Established || st === TcpState.CloseWait;
    while (sendable && this.sent < this.out.length) {
      const chunk = this.out.subarray(this.sent, Math.min(this.out.length, this.sent + 4096));
      const n = ex.tcp_send(this.id, this.b.h.input(chunk), chunk.length, this.b.now);
      if (n <= 0) break;
      this.sent += n;
    }
    if (sendable && this.sent === this.out.length && this.closeWhenDone) ex.tcp_close(this.id, this.b.now);
    this.read();
  }
  private read(): void {
    const ex = this.b.ex;
    for (;;) {
      const n = ex.tcp_recv(this.id, this.b.h.outputPtr, 4096, this.b.now);
      if (n === -1) { this.eof = true; break; }
      if (n <= 0) break;
      this.received.push(this.b.h.bytes(this.b.h.outputPtr, n));
      this.receivedBytes += n;
    }
  }
  data(): Uint8Array {
    const all = new Uint8Array(this.receivedBytes);
    let o = 0;
    for (const c of this.received) { all.set(c, o); o += c.length; }
    return all;
  }
}

export interface TransferResult {
  ok: boolean; reason: string;
  deviceGot: string; peerGot: string; deviceSent: string; peerSent: string;
  deviceError: number; peerClose: string | null; virtualUs: number; retransmits: number;
}

/**
 * Transfers `up` bytes device->peer and `down` bytes peer->device over one connection
 * opened by the device (or by the peer when `passive`). Both sides close when done.
 * Returns identical-hash success or a clear error; never reports success on mismatch.
 */
export async function transfer(seed: number, imp: Impairments, upBytes: number, downBytes: number,
  opts: { dev?: DeviceConfig; peer?: Partial<TcpOptions>; passive?: boolean; limitUs?: number } = {}): Promise<TransferResult & { bridge: Bridge }> {
  const b = await Bridge.create(seed, imp, opts.dev, opts.peer);
  const rng = new Rng(seed ^ 0x55aa);
  const up = rng.bytes(upBytes), down = rng.bytes(downBytes);
  const peerGot: Uint8Array[] = [];
  let peerGotLen = 0;
  let peerClose: string | null = null;
  let peerEof = false;
  const wirePeer = (c: import("../../sim/hosts/tcp.ts").TcpConnection) => {
    c.onData = (d) => { peerGot.push(d); peerGotLen += d.length; };
    c.onPeerClosed = () => { peerEof = true; };
    c.onClose = (r) => { peerClose = r; };
    c.send(down);
    c.close();
  };
  let stream: DeviceStream;
  if (opts.passive) {
    const l = b.call((ex) => { const id = ex.tcp_socket(true); ex.tcp_listen(id, 80, 2); return id; });
    stream = new DeviceStream(b, -1, up);
    b.pump = () => {
      if (stream.id < 0) { const id = b.ex.tcp_accept(l); if (id >= 0) stream.id = id; }
      stream.step();
    };
    b.sched.after(0, () => {
      const c = b.peer.connect(DEV_IP, 80);
      c.onClose = (r) => { peerClose = r; };
      c.onEstablished = () => wirePeer(c);
    });
  } else {
    b.peer.listen(80, wirePeer);
    const id = b.call((ex, now) => { const id = ex.tcp_socket(true); const r = ex.tcp_connect(id, PEER_IP, 80, now); if (r !== 0) throw new Error(`connect ${r}`); return id; });
    stream = new DeviceStream(b, id, up);
    b.pump = () => stream.step();
    b.call(() => {});
  }
  const limit = opts.limitUs ?? 3600e6;
  const done = () => (stream.closed || (stream.eof && stream.sent === up.length)) && (peerClose !== null || peerEof) && peerGotLen >= up.length;
  b.sched.runUntilCondition(() => done() || stream.closed && peerClose !== null, limit);
  // Let closes complete (TIME_WAIT is virtual time only).
  b.sched.runUntilCondition(() => stream.closed && peerClose !== null, b.sched.now + 600e6);
  const dev = stream.data();
  const pg = new Uint8Array(peerGotLen);
  { let o = 0; for (const c of peerGot) { pg.set(c, o); o += c.length; } }
  const res: TransferResult = {
    ok: false, reason: "",
    deviceGot: sha(dev), peerGot: sha(pg), deviceSent: sha(up), peerSent: sha(down),
    deviceError: stream.closed ? stream.error : -1, peerClose, virtualUs: b.sched.now, retransmits: b.ex.counter(53),
  };
  if (res.deviceGot === res.peerSent && res.peerGot === res.deviceSent) { res.ok = true; res.reason = "identical"; }
  else if (stream.error > 0 || (peerClose !== null && peerClose !== "closed")) res.reason = `error device=${stream.error} peer=${peerClose}`;
  else res.reason = `MISMATCH without error: device got ${dev.length}/${down.length}, peer got ${pg.length}/${up.length}`;
  return { ...res, bridge: b };
}
