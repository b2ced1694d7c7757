// A board made of the console harness (test/harness/console.ts) over a simulated NOR flash
// (sim/devices/flash.ts) and a captured UART: for tests, benches and trying the CLI without
// the full simulator:
//   npx tsx tools/cli/harness-board.ts [--tcp PORT]     then  wasmnet --port tcp://127.0.0.1:PORT status
// Virtual time: `now` (µs) only moves when the caller says so.
import { readFileSync } from "node:fs";
import net from "node:net";
import { buildHarness } from "../build-harness.ts";
import { NorFlash, flashHal } from "../../sim/devices/flash.ts";
import abi from "../../hal/abi.json" with { type: "json" };
import { encodeRequest, Demux, type MachineReply } from "./protocol.ts";
import { instrument, INSTR_COUNTER_EXPORT } from "../instrument.ts";

let compiled: WebAssembly.Module | null = null;
let compiledCounted: WebAssembly.Module | null = null;

export function consoleModule(counted = false): WebAssembly.Module {
  if (counted) {
    compiledCounted ??= new WebAssembly.Module(instrument(readFileSync(buildHarness("console"))) as BufferSource);
    return compiledCounted;
  }
  compiled ??= new WebAssembly.Module(readFileSync(buildHarness("console")));
  return compiled;
}

export interface HarnessBoardOptions { flash?: NorFlash; counted?: boolean; fakeWifi?: boolean }

export class HarnessBoard {
  flash: NorFlash;
  ex!: any;
  now = 0;
  reboots = 0;
  panics: string[] = [];
  private out: number[] = [];
  private listeners = new Set<(b: Uint8Array) => void>();
  private rebootRequested = false;

  constructor(private readonly opts: HarnessBoardOptions = {}) {
    this.flash = opts.flash ?? new NorFlash();
    this.boot();
  }

  /** Power-on: a fresh instance (RAM lost), the same flash. */
  boot(): number {
    this.flash.powerOn();
    let memory: WebAssembly.Memory;
    const mem = () => new Uint8Array(memory.buffer);
    const hal: Record<string, Function> = {};
    for (const f of abi.imports) hal[f.name] = () => (f.result ? -5 : undefined);
    Object.assign(hal, flashHal(new Map([[0, this.flash]]), () => memory), {
      log: () => {},
      panic: (m: number, n: number) => {
        const msg = Buffer.from(mem().subarray(m, m + n)).toString();
        this.panics.push(msg);
        throw new Error(`hal.panic: ${msg}`);
      },
      board_info: () => -1,
      uart_write: (_port: number, p: number, n: number) => {
        const b = mem().slice(p, p + n);
        for (const c of b) this.out.push(c);
        for (const l of this.listeners) l(b);
        return n;
      },
      system_reboot: () => { this.rebootRequested = true; },
    });
    const inst = new WebAssembly.Instance(consoleModule(this.opts.counted), { hal: hal as any });
    this.ex = inst.exports;
    memory = this.ex.memory;
    this.ex._start();
    const r = this.ex.boot();
    if (this.opts.fakeWifi) this.ex.attach_fake_wifi();
    this.reboots++;
    return r;
  }

  onOutput(fn: (b: Uint8Array) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Bytes into the console UART, in chunks as a 256-byte staging buffer would deliver them. */
  feed(data: Uint8Array | string, now = this.now): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    this.now = now;
    for (let i = 0; i < bytes.length; i += 256) {
      const chunk = bytes.subarray(i, i + 256);
      const p = this.ex.input_buffer();
      new Uint8Array(this.ex.memory.buffer).set(chunk, p);
      this.ex.feed(p, chunk.length, BigInt(Math.floor(this.now)));
      if (this.rebootRequested) { this.rebootRequested = false; this.boot(); }
    }
  }

  advance(us: number): void {
    this.now += us;
    this.ex.poll(BigInt(Math.floor(this.now)));
  }

  /** Output since the last take(). */
  take(): Uint8Array { const b = Uint8Array.from(this.out); this.out = []; return b; }
  takeText(): string { return Buffer.from(this.take()).toString("latin1"); }

  /** Runs one machine-mode command and returns its parsed, CRC-checked reply. */
  command(cmd: string, id = 1): MachineReply {
    this.take();
    this.feed(encodeRequest(id, cmd));
    let reply: MachineReply | undefined;
    const d = new Demux({ reply: (r) => { if (r.id === id) reply = r; } });
    const out = this.take();
    d.push(Uint8Array.from([...out, 10]));
    if (!reply) throw new Error(`no reply to '${cmd}': ${JSON.stringify(Buffer.from(out).toString("latin1").slice(0, 300))}`);
    return reply;
  }

  get instructions(): bigint { return this.ex[INSTR_COUNTER_EXPORT]?.value ?? 0n; }
}

/** Serves the board's UART on a TCP port (like sim/uart-server.ts does for the full simulator). */
export async function serveTcp(board: HarnessBoard, port = 0): Promise<{ port: number; close: () => Promise<void> }> {
  const clients = new Set<net.Socket>();
  const off = board.onOutput((b) => { for (const c of clients) c.write(b); });
  const server = net.createServer((s) => {
    clients.add(s);
    s.on("data", (d) => board.feed(new Uint8Array(d), board.now + 1000));
    s.on("close", () => clients.delete(s));
    s.on("error", () => clients.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => { off(); for (const c of clients) c.destroy(); server.close(() => resolve()); }),
  };
}

if (process.argv[1]?.endsWith("harness-board.ts")) {
  const i = process.argv.indexOf("--tcp");
  const board = new HarnessBoard({ fakeWifi: false });
  board.ex.start();
  serveTcp(board, i > 0 ? Number(process.argv[i + 1]) : 0).then(({ port }) => {
    console.log(`console harness board on tcp://127.0.0.1:${port} (Ctrl-C to stop)`);
  });
}
