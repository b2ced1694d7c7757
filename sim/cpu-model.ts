// CPU time model: what a call into the module costs on the device. The simulator runs the
// instruction-counting build (tools/instrument.ts) and charges every executed wasm
// instruction and every wasm function call, so latency, throughput and energy include the
// interpreter's cost. Events that arrive while the CPU is busy wait for it.
//
// Calibration (keep every number here, so it can be recalibrated in one place):
//  - Anchor: wasm3's docs/Performance.md publishes fib(24) in 297 ms on an ESP32 (Xtensa
//    LX6, 240 MHz). Our instrumented count for fib(24): ~1.35 M wasm instructions and
//    150,049 calls.
//  - Measured with wasm3 v0.5.0 on x86: a call costs about 13 plain instructions;
//    straight-line code (a 1460-byte checksum loop) runs at ~0.46 ns per instruction;
//    fib averages 1.14 ns per instruction (calls included).
//  - Scale x86 -> ESP32 from the anchor: 297 ms / (1.35 M x 1.14 ns) ≈ 193.
//    Per instruction: 0.46 ns x 193 ≈ 89 ns -> 90 ns.
//    Per call: 13 x 0.46 ns x 193 ≈ 1.15 µs -> 1.2 µs.
//    Check: 1.35 M x 90 ns + 150,049 x 1.2 µs = 121.5 + 180 = 301.5 ms vs 297 ms published.
//  - A HAL import call crosses from wasm3 into C: charged as one call, plus whatever the
//    host models for the operation itself (SPI clocking, flash programming).

export interface CpuCost {
  name: string;
  nsPerInstruction: number;
  nsPerCall: number;
}

export const WASM3_ESP32_240MHZ: CpuCost = { name: "wasm3 v0.5.0 on ESP32 @ 240 MHz", nsPerInstruction: 90, nsPerCall: 1200 };

export function cpuMicros(cost: CpuCost, instructions: number, calls: number): number {
  return (instructions * cost.nsPerInstruction + calls * cost.nsPerCall) / 1000;
}

/** Reads the counters the instrumented module exports. */
export class InstructionCounter {
  constructor(private readonly instrGlobal: WebAssembly.Global, private readonly callGlobal: WebAssembly.Global) {}
  static of(exports: WebAssembly.Exports): InstructionCounter | null {
    const i = exports.__instr_count as WebAssembly.Global | undefined;
    const c = exports.__call_count as WebAssembly.Global | undefined;
    return i && c ? new InstructionCounter(i, c) : null;
  }
  instructions(): number { return Number(this.instrGlobal.value as bigint); }
  calls(): number { return Number(this.callGlobal.value as bigint); }
}
