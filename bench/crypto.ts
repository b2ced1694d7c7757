// Crypto cost under the project's wasm3-on-ESP32 CPU model (sim/cpu-model.ts: 90 ns per
// wasm instruction + 1.2 µs per call). test/harness/crypto.ts is compiled with the
// release target's optimisation settings (asconfig.json: -O3, shrink 1, converge),
// instrumented (tools/instrument.ts), and run with the fake HAL, whose accel_caps() is 0,
// so every figure is for our own AssemblyScript SHA-1/AES.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { instrument } from "../tools/instrument.ts";
import { fakeHal } from "../test/assembly/fake-hal.js";
import { sha1BlockAt } from "../sim/accelerators.ts";
import { roundTo } from "./round.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NS_PER_INSTRUCTION = 90;
const NS_PER_CALL = 1200;

function compileRelease(): Uint8Array {
  const out = join(root, "build/bench/crypto.wasm");
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(process.execPath, [
    join(root, "node_modules/assemblyscript/bin/asc.js"), "test/harness/crypto.ts", "-o", out,
    "--config", "test/harness/asconfig.json", "--optimizeLevel", "3", "--shrinkLevel", "1", "--converge",
  ], { cwd: root, stdio: "inherit" });
  return readFileSync(out);
}


/** Wasm-side cost of a PMK when the host does the SHA-1 blocks (the host's own time per
 *  block is not included: it depends on the firmware's accelerator). */
async function pmkWithSha1Accel(wasm: Uint8Array): Promise<{ instructions: number; calls: number; hostBlocks: number }> {
  let instance!: WebAssembly.Instance;
  const hal: Record<string, any> = fakeHal(() => (instance.exports as any).memory);
  let hostBlocks = 0;
  hal.accel_caps = () => 1;
  hal.accel_sha1_block = (state: number, block: number) => {
    hostBlocks++;
    sha1BlockAt(new Uint8Array((instance.exports as any).memory.buffer), state, block);
  };
  ({ instance } = (await WebAssembly.instantiate(wasm, { hal })) as any);
  const ex = instance.exports as any;
  ex._start();
  const base: number = ex.input_buffer(), out: number = ex.output_buffer();
  new Uint8Array(ex.memory.buffer).set(Buffer.from("passwordIEEE", "latin1"), base);
  const i0 = ex.__instr_count.value as bigint, c0 = ex.__call_count.value as bigint;
  if (!ex.wpa_pmk(base, 8, base + 8, 4, out)) throw new Error("accelerated pmk failed");
  const instructions = Number((ex.__instr_count.value as bigint) - i0), calls = Number((ex.__call_count.value as bigint) - c0);
  const pmk = Buffer.from(new Uint8Array(ex.memory.buffer).slice(out, out + 32)).toString("hex");
  if (pmk !== "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e") throw new Error(`accelerated PMK wrong: ${pmk}`);
  return { instructions, calls, hostBlocks };
}

export async function benchCrypto(): Promise<Record<string, number>> {
  const wasm = instrument(compileRelease());
  let instance!: WebAssembly.Instance;
  const hal = fakeHal(() => (instance.exports as any).memory);
  ({ instance } = (await WebAssembly.instantiate(wasm, { hal })) as any);
  const ex = instance.exports as any;
  ex._start();
  const mem = () => new Uint8Array(ex.memory.buffer);
  const instr = ex.__instr_count as WebAssembly.Global;
  const calls = ex.__call_count as WebAssembly.Global;
  const measure = (fn: () => void): { instructions: number; calls: number; ms: number } => {
    const i0 = instr.value as bigint, c0 = calls.value as bigint;
    fn();
    const instructions = Number((instr.value as bigint) - i0), n = Number((calls.value as bigint) - c0);
    return { instructions, calls: n, ms: (instructions * NS_PER_INSTRUCTION + n * NS_PER_CALL) / 1e6 };
  };
  const inBase: number = ex.input_buffer(), out: number = ex.output_buffer();
  const put = (offset: number, bytes: Uint8Array | string): number => {
    const b = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
    mem().set(b, inBase + offset);
    return inBase + offset;
  };
  if (ex.caps() !== 0) throw new Error("benchCrypto expects the fake HAL's accel_caps() == 0");

  // SHA-1 compression, byte input (loads + byte swaps included).
  const block = put(0, Uint8Array.from({ length: 64 }, (_, i) => i));
  const BLOCKS = 1000;
  const blocks = measure(() => ex.sha1_blocks(block, BLOCKS, out));

  // Passphrase -> PMK ("password" / "IEEE"), one-shot.
  const pass = put(64, "password"), ssid = put(128, "IEEE");
  const pmk = measure(() => { if (!ex.wpa_pmk(pass, 8, ssid, 4, out)) throw new Error("pmk failed"); });
  const pmkHex = Buffer.from(mem().slice(out, out + 32)).toString("hex");
  if (pmkHex !== "f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e") throw new Error(`bench PMK wrong: ${pmkHex}`);
  const pmkOut = out + 64;

  // PTK (PRF-384) and one EAPOL MIC over a 121-byte M2, the handshake's per-message work.
  const pmkPtr = put(192, mem().slice(out, out + 32));
  const aa = put(256, Uint8Array.of(0, 0x14, 0x6c, 0x7e, 0x40, 0x80)), spa = put(264, Uint8Array.of(0, 0x13, 0x46, 0xfe, 0x32, 0x0c));
  const an = put(272, new Uint8Array(32).fill(0x22)), sn = put(304, new Uint8Array(32).fill(0x59));
  const ptk = measure(() => ex.ptk(pmkPtr, aa, spa, an, sn, pmkOut, 48));
  const frame = put(512, new Uint8Array(121).fill(1));
  const mic = measure(() => ex.mic(pmkOut, frame, 121, pmkOut + 64));
  const micVerify = measure(() => ex.mic_verify(pmkOut, frame, 121));

  // GTK unwrap: 32 bytes of key data (a GTK KDE with RSN IE and padding), 40 bytes wrapped.
  const kek = put(640, new Uint8Array(16).fill(7)), plain = put(656, new Uint8Array(32).fill(9));
  if (ex.key_wrap(kek, 16, plain, 32, inBase + 704) !== 40) throw new Error("wrap failed");
  const unwrap = measure(() => { if (!ex.key_unwrap(kek, 16, inBase + 704, 40, pmkOut + 128)) throw new Error("unwrap failed"); });

  const accel = await pmkWithSha1Accel(wasm);
  const perBlock = blocks.instructions / BLOCKS;
  return {
    sha1_block_wasm_instructions: Math.round(perBlock),
    sha1_block_calls: blocks.calls / BLOCKS,
    sha1_block_virtual_us: roundTo(blocks.ms * 1000 / BLOCKS, 1),
    wifi_pmk_wasm_instructions: pmk.instructions,
    wifi_pmk_calls: pmk.calls,
    wifi_pmk_virtual_ms: Math.round(pmk.ms),
    wifi_pmk_instructions_per_sha1_block: Math.round(pmk.instructions / (2 * 2 * 4096)),
    // With AccelCap.Sha1: wasm-side work only; add the host's time per block x host blocks.
    wifi_pmk_sha1accel_wasm_instructions: accel.instructions,
    wifi_pmk_sha1accel_host_blocks: accel.hostBlocks,
    wifi_pmk_sha1accel_virtual_ms_excl_host: Math.round((accel.instructions * NS_PER_INSTRUCTION + (accel.calls + accel.hostBlocks) * NS_PER_CALL) / 1e5) / 10,
    wifi_ptk_wasm_instructions: ptk.instructions,
    wifi_ptk_virtual_ms: roundTo(ptk.ms, 2),
    wifi_eapol_mic_wasm_instructions: mic.instructions,
    wifi_eapol_mic_verify_virtual_ms: roundTo(micVerify.ms, 2),
    wifi_gtk_unwrap_32_wasm_instructions: unwrap.instructions,
    wifi_gtk_unwrap_32_virtual_ms: roundTo(unwrap.ms, 2),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchCrypto().then((r) => console.log(JSON.stringify(r, null, 2)));
}
