// Discrete-event scheduler on virtual time (microseconds, a float64 number: exact for
// integers up to 2^53 µs, about 285 years). Events at the same time run in the order they
// were scheduled, so a run is a pure function of its seed and inputs. The clock jumps from
// event to event: an idle device costs nothing between its deadlines.

export interface EventHandle { readonly time: number; cancelled: boolean }

interface Event extends EventHandle { seq: number; fn: () => void; label: string }

export class SimError extends Error {
  constructor(message: string) { super(message); this.name = "SimError"; }
}

export class Scheduler {
  now = 0;
  private heap: Event[] = [];
  private seq = 0;
  executed = 0;

  at(time: number, fn: () => void, label = ""): EventHandle {
    if (!(time >= this.now)) throw new SimError(`scheduler: event '${label}' at ${time} is before now (${this.now})`);
    const ev: Event = { time, seq: this.seq++, fn, label, cancelled: false };
    this.push(ev);
    return ev;
  }

  after(delayUs: number, fn: () => void, label = ""): EventHandle {
    return this.at(this.now + Math.max(0, delayUs), fn, label);
  }

  cancel(h: EventHandle | null | undefined): void {
    if (h) h.cancelled = true;
  }

  /** Time of the next pending event, or Infinity. */
  peekTime(): number {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
    return this.heap.length ? this.heap[0].time : Infinity;
  }

  /** Runs one event; false when none is left. */
  step(): boolean {
    while (this.heap.length) {
      const ev = this.pop();
      if (ev.cancelled) continue;
      this.now = ev.time;
      this.executed++;
      ev.fn();
      return true;
    }
    return false;
  }

  /** Runs events up to and including time `until`, then sets the clock to `until`. */
  runUntil(until: number, stop?: () => boolean): void {
    while (this.peekTime() <= until) {
      this.step();
      if (stop?.()) return;
    }
    if (until > this.now) this.now = until;
  }

  /** Runs until `cond` holds or time `limit` passes; returns whether `cond` held. */
  runUntilCondition(cond: () => boolean, limit: number): boolean {
    if (cond()) return true;
    while (this.peekTime() <= limit) {
      this.step();
      if (cond()) return true;
    }
    if (limit > this.now) this.now = limit;
    return cond();
  }

  private less(a: Event, b: Event): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(ev: Event): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
