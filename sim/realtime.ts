// Runs a World against wall-clock time, for real peers (the Linux kernel over a TAP device,
// dnsmasq): virtual time advances in step with the wall clock, so the peer's timers and
// ours agree. Everything else in the simulator stays on pure virtual time.
import type { World } from "./world.ts";

export class RealtimeRunner {
  private startWall = performance.now();
  private startVirtual: number;
  constructor(private readonly world: World) { this.startVirtual = world.now; }

  /** Virtual time that corresponds to now on the wall clock. */
  target(): number { return this.startVirtual + (performance.now() - this.startWall) * 1000; }

  /** Brings virtual time up to the wall clock (call before injecting an outside event). */
  catchUp(): void {
    const t = this.target();
    if (t > this.world.now) this.world.scheduler.runUntil(t);
  }

  /** Runs until `done()` or `timeoutMs` of wall time; resolves to whether done() held. */
  async run(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.catchUp();
      if (done()) return true;
      if (performance.now() >= deadline) return false;
      const next = this.world.scheduler.peekTime();
      const waitMs = Math.max(0, Math.min(5, (next - this.target()) / 1000));
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
