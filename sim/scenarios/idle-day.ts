// A board on a LAN with nothing to do for 24 virtual hours (address configured, link up,
// the ENC28J60 attached): it must sleep between deadlines, and the simulator must jump over
// the quiet time (the bench's sim_idle_day_wall_ms).
import type { Scenario } from "../scenario.ts";
import { expect } from "../scenario.ts";
import { SECOND } from "../world.ts";
import { configureStatic, wiredLan } from "../topologies.ts";

export const DAY_US = 24 * 3600 * SECOND;

export const scenario: Scenario = {
  name: "idle-day",
  description: "a board on a LAN idles for 24 virtual hours",
  run(world, opts) {
    const { dev } = wiredLan(world, { cpu: opts.cpu });
    dev.boot();
    world.runFor(SECOND);
    configureStatic(world, dev);
    const busy0 = dev.stats.cpuBusyUs, calls0 = dev.stats.exportCalls;
    world.runFor(DAY_US);
    expect(dev.stats.panics === 0, "no panic");
    const dutyPercent = ((dev.stats.cpuBusyUs - busy0) / DAY_US) * 100;
    return {
      ok: true,
      summary: [
        `simulated ${(world.now / 3600e6).toFixed(1)} h, ${world.scheduler.executed} events`,
        `device woke ${dev.stats.exportCalls - calls0} times; CPU busy ${dutyPercent.toFixed(4)} % of the day`,
      ],
    };
  },
};
