// A scenario is a small TypeScript module exporting `scenario`: it builds a topology in a
// World, runs it until conditions or virtual times, injects faults, and asserts outcomes.
import { World } from "./world.ts";
import type { SimDevice } from "./device.ts";

export interface ScenarioOptions { seed: number; cpu: boolean; outDir: string }

export interface Scenario {
  name: string;
  description: string;
  run(world: World, opts: ScenarioOptions): Promise<ScenarioResult> | ScenarioResult;
}

export interface ScenarioResult {
  ok: boolean;
  /** Human-readable outcome lines, printed after the timeline. */
  summary: string[];
  /** Files written (pcaps, power plots). */
  artifacts?: string[];
  /** The board to keep running with its console exposed, in interactive mode. */
  console?: SimDevice;
}

export class ScenarioFailure extends Error {}

export function expect(cond: unknown, what: string): asserts cond {
  if (!cond) throw new ScenarioFailure(`expectation failed: ${what}`);
}
