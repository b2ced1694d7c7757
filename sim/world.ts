// A simulated world: one seed, one scheduler, one timeline, and the devices, hosts and
// links a scenario builds. Everything random derives from the seed, so a run replays
// exactly.
import { Scheduler } from "./core/scheduler.ts";
import { Rng } from "./core/rng.ts";
import { Timeline } from "./timeline.ts";
import { type DeviceOptions, SimDevice } from "./device.ts";

export const SECOND = 1_000_000;
export const MS = 1_000;

export class World {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly timeline = new Timeline();
  readonly devices: SimDevice[] = [];

  constructor(readonly seed: number) {
    this.rng = new Rng(seed);
  }

  get now(): number { return this.scheduler.now; }

  device(opts: Omit<DeviceOptions, "scheduler" | "rng" | "timeline">): SimDevice {
    const d = new SimDevice({ ...opts, scheduler: this.scheduler, rng: this.rng, timeline: this.timeline });
    this.devices.push(d);
    return d;
  }

  note(text: string): void { this.timeline.add(this.now, "scenario", text); }

  runFor(us: number): void { this.scheduler.runUntil(this.now + us); }

  runUntil(cond: () => boolean, limitUs: number): boolean {
    return this.scheduler.runUntilCondition(cond, this.now + limitUs);
  }
}
