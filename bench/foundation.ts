// Foundation figures: module size, the linear-memory budget, and how fast the simulator
// skips an idle day.
import { readFileSync } from "node:fs";
import { BUILD } from "../tools/build.ts";
import { measureBudget } from "../tools/budget.ts";
import { World } from "../sim/world.ts";
import { scenario as idleDay } from "../sim/scenarios/idle-day.ts";
import { roundTo } from "./round.ts";

export async function benchFoundation(): Promise<Record<string, number>> {
  const release = readFileSync(BUILD.release);
  const budget = await measureBudget(release);
  const walls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const world = new World(1);
    const t0 = performance.now();
    await idleDay.run(world, { seed: 1, cpu: true, outDir: "" });
    walls.push(performance.now() - t0);
  }
  walls.sort((a, b) => a - b);
  return {
    wasm_bytes: release.length,
    linear_memory_reserved_bytes: budget.linear_memory_reserved_bytes,
    linear_memory_free_bytes: budget.linear_memory_free_bytes,
    sim_idle_day_wall_ms: roundTo(walls[1], 1),
  };
}
