// TCP figures: wasm instructions per received and per sent full-size segment (instrumented
// transport harness, tools/instrument.ts), per-connection state size, and the full loss
// sweep (1 MiB each way against the independent TypeScript peer, loss 0-30% with
// reordering, duplication and corruption, several buffer sizes).
//
// The instruction figures come from the transport harness (optimizeLevel 2, fake IP layer
// that only records the packet); the firmware build uses -O3, so they are an upper bound
// for the transport itself. IP/Ethernet framing is not included.
import { readFileSync } from "node:fs";
import { buildHarness } from "../tools/build-harness.ts";
import { instrument } from "../tools/instrument.ts";
import { fakeHal } from "../test/assembly/fake-hal.js";
import { transfer } from "../test/sim/tcp-bridge.ts";
import { buildSeg, parseOut, ACK, SYN, PSH } from "../test/sim/tcp-segments.ts";

const DEV_IP = 0x0a000002, PEER_IP = 0x0a000001;

async function counted() {
  const wasm = instrument(readFileSync(buildHarness("transport")));
  let inst: WebAssembly.Instance;
  const hal = fakeHal(() => (inst.exports as any).memory);
  ({ instance: inst } = await WebAssembly.instantiate(wasm, { hal }) as any);
  const ex = inst!.exports as any;
  ex._start();
  const mem = () => new Uint8Array(ex.memory.buffer);
  const input = (b: Uint8Array) => { const p = ex.input_buffer(); mem().set(b, p); return p; };
  const instr = (): bigint => ex.__instr_count.value;
  const take = () => {
    const out = [];
    for (let i = 0; i < ex.tx_count(); i++) out.push(parseOut(mem().slice(ex.tx_ptr(i), ex.tx_ptr(i) + ex.tx_len(i)), 0));
    ex.tx_clear();
    return out;
  };
  return { ex, input, instr, take, out: ex.output_buffer() as number };
}

/**
 * Receive path: in-order 1460-byte segments into an established connection. Counted: the
 * input and the poll() that follows it (every second segment's ACK leaves from poll, after
 * the application had its chance to read, as in the device's main loop).
 */
async function rxPerSegment(): Promise<number> {
  const { ex, input, instr, take, out } = await counted();
  ex.setup(2, 8192, 2048, 2, DEV_IP);
  const l = ex.tcp_socket(false);
  ex.tcp_listen(l, 80, 1);
  const seg = (s: Parameters<typeof buildSeg>[0]) => { const b = buildSeg(s); ex.tcp_input(PEER_IP, DEV_IP, input(b), b.length, 0n); return take(); };
  const iss = seg({ seq: 1000, flags: SYN, options: Uint8Array.of(2, 4, 5, 0xb4) })[0].seq;
  seg({ seq: 1001, ack: iss + 1, flags: ACK });
  const id = ex.tcp_accept(l);
  const data = new Uint8Array(1460).map((_, i) => i * 7);
  const N = 200;
  let seq = 1001, total = 0n, acks = 0;
  const segs: Uint8Array[] = [];
  for (let i = 0; i < N; i++) { segs.push(buildSeg({ seq: seq >>> 0, ack: iss + 1, flags: ACK | PSH, data })); seq += 1460; }
  for (let i = 0; i < N; i++) {
    const p = input(segs[i]);
    const before = instr();
    ex.tcp_input(PEER_IP, DEV_IP, p, segs[i].length, 0n);
    total += instr() - before;
    if (i % 2 === 1) { ex.tcp_recv(id, out, 4096, 0n); take(); } // application reads (not counted)
    const beforePoll = instr();
    ex.tcp_poll(0n);
    total += instr() - beforePoll;
    acks += take().length;
  }
  if (acks < N / 2 - 1) throw new Error(`rx bench: expected an ACK per two segments, got ${acks}`);
  return Number(total) / N;
}

/** Send path: the application queues data, full segments leave, ACKs come back (one per two). */
async function txPerSegment(): Promise<number> {
  const { ex, input, instr, take } = await counted();
  ex.setup(2, 2048, 8192, 2, DEV_IP);
  const id = ex.tcp_socket(false);
  ex.tcp_connect_from(id, 40000, PEER_IP, 80, 0n);
  const syn = take()[0];
  const seg = (s: Parameters<typeof buildSeg>[0]) => { const b = buildSeg({ sport: 80, dport: 40000, ...s }); ex.tcp_input(PEER_IP, DEV_IP, input(b), b.length, 0n); };
  seg({ seq: 5000, ack: syn.seq + 1, flags: SYN | ACK, wnd: 65535, options: Uint8Array.of(2, 4, 5, 0xb4) });
  take();
  const chunk = new Uint8Array(2920).map((_, i) => i);
  const chunkPtr = input(chunk);
  const N = 100; // rounds of two segments
  let sent = 0, una = (syn.seq + 1) >>> 0, total = 0n;
  for (let r = 0; r < N; r++) {
    let before = instr();
    const n = ex.tcp_send(id, chunkPtr, 2920, 0n);
    total += instr() - before;
    if (n !== 2920) throw new Error(`tx bench: send took ${n}`);
    const out = take().filter((s) => s.len > 0);
    sent += out.length;
    una = (una + 2920) >>> 0;
    const ack = buildSeg({ sport: 80, dport: 40000, seq: 5001, ack: una, flags: ACK, wnd: 65535 });
    const p = input(ack);
    before = instr();
    ex.tcp_input(PEER_IP, DEV_IP, p, ack.length, 0n);
    total += instr() - before;
    sent += take().filter((s) => s.len > 0).length;
  }
  if (sent !== 2 * N) throw new Error(`tx bench: ${sent} segments for ${2 * N}`);
  return Number(total) / sent;
}

async function ramPerConnection(): Promise<number> {
  const { ex } = await counted();
  ex.setup(1, 64, 64, 1, DEV_IP);
  // The TcpSocket object plus its out-of-order range table (4 x 8 bytes) and the 16-byte
  // object header of each; receive/transmit rings excluded. For comparison: lwIP's
  // struct tcp_pcb is in the order of 150-200 bytes on 32-bit targets (depends on
  // options), also without its pbuf queues.
  return ex.tcp_socket_bytes() + 16 + 32 + 16;
}

async function lossSweep(): Promise<{ rate: number; cases: number }> {
  let pass = 0, cases = 0;
  const MiB = 1 << 20;
  for (const loss of [0, 0.01, 0.05, 0.1, 0.2, 0.3]) {
    for (const buf of [1024, 2048, 4096]) {
      const imp = { loss, duplicate: 0.02, corrupt: 0.02, reorder: 0.1, delayUs: 2000, reorderUs: 6000 };
      const r = await transfer(1000 + cases, imp, MiB, MiB, { dev: { rxBytes: buf, txBytes: buf }, passive: cases % 2 === 1, limitUs: 24 * 3600e6 });
      cases++;
      if (r.ok) pass++;
      else console.error(`tcp sweep: loss ${loss} buf ${buf}: ${r.reason}`);
    }
  }
  return { rate: pass / cases, cases };
}

export async function benchTcp(): Promise<Record<string, number>> {
  const rx = await rxPerSegment();
  const tx = await txPerSegment();
  const ram = await ramPerConnection();
  const sweep = await lossSweep();
  return {
    tcp_rx_wasm_instructions_per_segment: Math.round(rx),
    tcp_tx_wasm_instructions_per_segment: Math.round(tx),
    tcp_ram_bytes_per_connection: ram,
    tcp_loss_sweep_pass_rate: sweep.rate,
    tcp_loss_sweep_cases: sweep.cases,
  };
}

if (process.argv[1] && process.argv[1].endsWith("bench/tcp.ts")) {
  benchTcp().then((r) => console.log(r));
}
