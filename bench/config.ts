// Config store and console figures, on the console harness over the simulated NOR flash
// (16 sectors of 4 KiB, sim/devices/flash.ts):
//   config_commit_flash_bytes_written         bytes programmed per one-key commit, compaction included
//   config_max_erase_per_sector_100k_commits  worst sector's erase count after 100k commits
//   config_mean_erase_per_sector_100k_commits mean over the 16 sectors
//   console_command_wasm_instructions         wasm instructions to run `status` (human mode),
//                                             counted by tools/instrument.ts
import { HarnessBoard } from "../tools/cli/harness-board.ts";
import { NorFlash } from "../sim/devices/flash.ts";
import { roundTo } from "./round.ts";

export async function benchConfig(): Promise<Record<string, number>> {
  const flash = new NorFlash();
  const b = new HarnessBoard({ flash });
  // A realistic store: one network, a static address, a hostname.
  for (const c of ['wifi join "Home Net" "a good passphrase"', "config set if.mode static", "config set if.addr 192.168.1.40",
    "config set if.gw 192.168.1.1", "config set hostname sensor-7", "config commit"]) b.command(c);
  const p = b.ex.input_buffer();
  new Uint8Array(b.ex.memory.buffer).set(Buffer.from("ka.idle"), p);
  const N = 100_000;
  const bytes0 = flash.bytesProgrammed;
  for (let i = 0; i < N; i++) {
    b.ex.cfg_set_u32(p, 7, (i % 1000) + 1);
    if (b.ex.cfg_commit() !== 0) throw new Error(`commit ${i} failed`);
  }
  const wear = flash.wear();

  const counted = new HarnessBoard({ counted: true });
  counted.feed("status\r"); // warm-up (first call paths)
  counted.take();
  const before = counted.instructions;
  counted.feed("status\r");
  const instr = Number(counted.instructions - before);

  return {
    config_commit_flash_bytes_written: roundTo((flash.bytesProgrammed - bytes0) / N, 1),
    config_max_erase_per_sector_100k_commits: wear.max,
    config_mean_erase_per_sector_100k_commits: roundTo(wear.mean, 2),
    config_flash_busy_ms_per_commit: roundTo(flash.busyUs / N / 1000, 3),
    console_command_wasm_instructions: instr,
  };
}

if (process.argv[1]?.endsWith("config.ts")) benchConfig().then((r) => console.log(r));
