// A device with nothing to do for 24 virtual hours: it must sleep between deadlines, and
// the simulator must jump over the quiet time (the bench's sim_idle_day_wall_ms).
import type { Scenario } from "../scenario.ts";
import { expect } from "../scenario.ts";
import { SECOND } from "../world.ts";

export const DAY_US = 24 * 3600 * SECOND;

export const scenario: Scenario = {
  name: "idle-day",
  description: "one board boots and idles for 24 virtual hours",
  run(world, opts) {
    const dev = world.device({ board: "esp32-devkitc-enc28j60", cpu: opts.cpu ? undefined : null });
    dev.boot();
    world.runFor(DAY_US);
    expect(dev.stats.panics === 0, "no panic");
    return {
      ok: true,
      summary: [
        `simulated ${(world.now / 3600e6).toFixed(1)} h, ${world.scheduler.executed} events`,
        `device CPU busy ${dev.stats.cpuBusyUs.toFixed(0)} µs in ${dev.stats.exportCalls} calls`,
      ],
    };
  },
};
