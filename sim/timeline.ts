// A run's readable record: every log line, console byte burst and scenario note, stamped
// with virtual time. `npm start` prints it; tests search it.

export interface TimelineEntry { time: number; source: string; text: string }

const LEVELS = ["E", "W", "I", "D", "T"];

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  private listeners: ((e: TimelineEntry) => void)[] = [];
  constructor(private readonly capacity = 200_000) {}

  add(time: number, source: string, text: string): void {
    const e = { time, source, text };
    if (this.entries.length >= this.capacity) this.entries.shift();
    this.entries.push(e);
    for (const l of this.listeners) l(e);
  }

  log(time: number, source: string, level: number, text: string): void {
    this.add(time, source, `${LEVELS[level] ?? "?"} ${text}`);
  }

  onEntry(l: (e: TimelineEntry) => void): void { this.listeners.push(l); }

  find(re: RegExp, source?: string): TimelineEntry | undefined {
    return this.entries.find((e) => (!source || e.source === source) && re.test(e.text));
  }

  static format(e: TimelineEntry): string {
    return `[${(e.time / 1e6).toFixed(6).padStart(13)} s] ${e.source.padEnd(8)} ${e.text}`;
  }
}
