// Wi-Fi figures, and the harness world the Wi-Fi simulator tests share: build/harness/wifi.wasm
// (drivers/esp32-wifi: driver + supplicant) with its HAL wifi_* imports wired to
// sim/wifi/radio.ts's Esp32WifiRadio on a simulated air with sim/wifi/ap.ts access points;
// other imports from test/assembly/fake-hal.js. Radio events are delivered into the
// harness's on_wifi_event/on_wifi_rx; poll(now) deadlines are scheduled on the simulator's
// virtual clock. A PMK slice (poll returning `now`) costs `sliceUs` of virtual time, the
// device's CPU time for one slice under the CPU model (64 iterations ~ 29 ms).
import { readFileSync } from "node:fs";
import { Scheduler, type EventHandle } from "../sim/core/scheduler.ts";
import { Rng } from "../sim/core/rng.ts";
import { Medium } from "../sim/wifi/medium.ts";
import { AccessPoint, type ApOptions } from "../sim/wifi/ap.ts";
import { Esp32WifiRadio } from "../sim/wifi/radio.ts";
import { HAL_IMPORT_NAMES } from "../sim/generated/hal.ts";
import { STA_MAC, WiredCapture } from "../test/support/wifi.ts";
import { fakeHal } from "../test/assembly/fake-hal.js";
import { buildHarness } from "../tools/build-harness.ts";
import { instrument } from "../tools/instrument.ts";
import { roundTo } from "./round.ts";

// The station MAC and the wired side of the AP are the test support's (one definition).
export { STA_MAC };
const NO_DEADLINE = 0x7fffffffffffffffn;

export interface SetKeyCall { time: number; kind: number; index: number; key: string; rsc: string }

export const Failure = {
  None: 0, ApNotFound: 1, SecurityUnsupported: 2, AssocRejected: 3, NoResponse: 4, WrongPassphrase: 5,
  HandshakeTimeout: 6, ApDeauth: 7, BeaconLoss: 8, RsnMismatch: 9, BadCredentials: 10,
} as const;
export const State = { Idle: 0, Backoff: 1, Scanning: 2, DerivingPmk: 3, Joining: 4, Handshake: 5, Connected: 6 } as const;
export const Stat = {
  connects: 0, roams: 1, fastJoins: 2, pmkDerivations: 3, failures: 4, scans: 5, micFailures: 6, replays: 7,
  malformed: 8, pairwiseInstalls: 9, groupInstalls: 10, m3Retransmits: 11, handshakes: 12,
} as const;

let cachedWasm: Uint8Array | null = null;
let cachedCounted: Uint8Array | null = null;

export interface WorldOptions {
  aps: Partial<ApOptions>[];
  seed?: number;
  sliceUs?: number;
  instrumented?: boolean;
  staPosition?: { x: number; y: number };
}

export class WifiWorld {
  readonly scheduler = new Scheduler();
  readonly rng: Rng;
  readonly medium: Medium;
  readonly aps: AccessPoint[] = [];
  readonly wired = new WiredCapture();
  readonly radio: Esp32WifiRadio;
  ex!: Record<string, any>;
  readonly setKeys: SetKeyCall[] = [];
  readonly eapolTx: Buffer[] = [];
  readonly leaves: number[] = [];
  readonly eapolRx: Buffer[] = [];
  readonly log: string[] = [];
  readonly states: { time: number; state: number }[] = [];
  /** Return true to drop an EAPOL frame the module sends (it never reaches the radio). */
  dropEapolTx: ((frame: Buffer, index: number) => boolean) | null = null;
  private pollHandle: EventHandle | null = null;
  private readonly sliceUs: number;
  private lastState = -1;

  constructor(opts: WorldOptions) {
    this.rng = new Rng(opts.seed ?? 7);
    this.medium = new Medium(this.scheduler, this.rng.fork("air"));
    this.sliceUs = opts.sliceUs ?? 29_000;
    opts.aps.forEach((a, i) => {
      const ap = new AccessPoint(this.scheduler, this.rng.fork(`ap${i}`), this.medium, {
        ssid: "lab", passphrase: "correct horse", channel: 6, bssid: `02:00:00:00:0a:0${i + 1}`, ...a,
      } as ApOptions);
      if (i === 0) ap.attachWired(this.wired);
      this.aps.push(ap);
    });
    this.radio = new Esp32WifiRadio(this.scheduler, this.medium, { mac: STA_MAC, position: opts.staPosition ?? { x: 5, y: 0 } });
  }

  static async create(opts: WorldOptions): Promise<WifiWorld> {
    const w = new WifiWorld(opts);
    await w.load(opts.instrumented ?? false);
    return w;
  }

  get ap(): AccessPoint { return this.aps[0]; }
  get now(): bigint { return BigInt(Math.floor(this.scheduler.now)); }
  mem(): Uint8Array { return new Uint8Array(this.ex.memory.buffer); }
  private bytes(p: number, n: number): Buffer { return Buffer.from(this.mem().slice(p, p + n)); }

  private async load(instrumented: boolean): Promise<void> {
    if (!cachedWasm) cachedWasm = readFileSync(buildHarness("wifi"));
    let wasm = cachedWasm;
    if (instrumented) wasm = cachedCounted ??= instrument(cachedWasm);
    let instance!: WebAssembly.Instance;
    const base: Record<string, any> = fakeHal(() => (instance.exports as any).memory);
    const rnd = this.rng.fork("sta-random");
    const radio = this.radio;
    const impl: Record<string, any> = {
      log: (level: number, msg: number, len: number) => {
        const line = this.bytes(msg, len).toString("latin1");
        this.log.push(line);
        if (process.env.WIFI_LOG) process.stderr.write(`[${(this.scheduler.now / 1e6).toFixed(3)} s] ${line}\n`);
      },
      random_fill: (buf: number, len: number) => { this.mem().set(rnd.bytes(len), buf); },
      wifi_scan: (p: number, len: number) => radio.scan(this.bytes(p, len)),
      wifi_join: (p: number, len: number) => radio.join(this.bytes(p, len)),
      wifi_leave: (reason: number) => { this.leaves.push(reason); return radio.leave(reason); },
      wifi_tx: (p: number, len: number) => radio.tx(this.bytes(p, len)),
      wifi_eapol_tx: (p: number, len: number) => {
        const f = this.bytes(p, len);
        this.eapolTx.push(f);
        if (this.dropEapolTx?.(f, this.eapolTx.length - 1)) return 0;
        return radio.eapolTx(f);
      },
      wifi_set_key: (kind: number, index: number, key: number, keyLen: number, rsc: number) => {
        this.setKeys.push({ time: this.scheduler.now, kind, index, key: this.bytes(key, keyLen).toString("hex"), rsc: this.bytes(rsc, 6).toString("hex") });
        return radio.setKey(kind, index, this.bytes(key, keyLen), this.bytes(rsc, 6));
      },
      wifi_clear_keys: () => radio.clearKeys(),
      wifi_set_power_save: (m: number, l: number) => radio.setPowerSave(m, l),
    };
    const hal: Record<string, any> = {};
    for (const name of HAL_IMPORT_NAMES) hal[name] = impl[name] ?? base[name] ?? (() => -5);
    ({ instance } = (await WebAssembly.instantiate(wasm, { hal })) as any);
    this.ex = instance.exports as any;
    this.ex._start();
    this.mem().set(STA_MAC, this.ex.input_buffer());
    this.ex.set_mac(this.ex.input_buffer());
    radio.client = {
      wifiEvent: (event, status, data) => this.call(() => {
        this.mem().set(data, this.ex.event_buffer());
        this.ex.on_wifi_event(event, status, data.length, this.now);
      }),
      wifiRx: (kind, frame) => this.call(() => {
        if (kind === 1) this.eapolRx.push(Buffer.from(frame));
        this.mem().set(frame, this.ex.rx_buffer());
        this.ex.on_wifi_rx(kind, frame.length, this.now);
      }),
    };
  }

  /** Runs fn (a call into the module), then re-arms the poll deadline. */
  call<T>(fn: () => T): T {
    const r = fn();
    this.rearm();
    return r;
  }

  private rearm(): void {
    this.scheduler.cancel(this.pollHandle);
    const d: bigint = this.ex.poll(this.now);
    this.noteState();
    if (d === NO_DEADLINE) { this.pollHandle = null; return; }
    const now = this.scheduler.now;
    const at = Number(d) <= now ? now + this.sliceUs : Number(d);
    this.pollHandle = this.scheduler.at(at, () => this.rearm(), "wifi poll");
  }

  private noteState(): void {
    const s = this.ex.state();
    if (s !== this.lastState) { this.lastState = s; this.states.push({ time: this.scheduler.now, state: s }); }
  }

  setCfg(c: { backoffBaseUs?: number; backoffMaxUs?: number; pmkSlice?: number; roamRssi?: number; handshakeTimeoutUs?: number }): void {
    this.ex.set_cfg(BigInt(c.backoffBaseUs ?? 1_000_000), BigInt(c.backoffMaxUs ?? 60_000_000), c.pmkSlice ?? 64, c.roamRssi ?? -75, BigInt(c.handshakeTimeoutUs ?? 8_000_000));
  }

  addNetwork(ssid: string, secret: string, prio = 1): number {
    const s = Buffer.from(ssid), k = Buffer.from(secret);
    const p = this.ex.input_buffer();
    this.mem().set(s, p);
    this.mem().set(k, p + 64);
    return this.ex.add_network(p, s.length, p + 64, k.length, prio);
  }

  start(): void { this.call(() => this.ex.start(this.now)); }
  /** Delivers an event as the radio would (e.g. an Rssi report). */
  event(event: number, status: number, data: Uint8Array = new Uint8Array(0)): void {
    this.call(() => { this.mem().set(data, this.ex.event_buffer()); this.ex.on_wifi_event(event, status, data.length, this.now); });
  }
  rx(kind: number, frame: Uint8Array): void {
    this.call(() => { this.mem().set(frame, this.ex.rx_buffer()); this.ex.on_wifi_rx(kind, frame.length, this.now); });
  }
  transmit(frame: Uint8Array): boolean {
    return this.call(() => { const p = this.ex.input_buffer(); this.mem().set(frame, p); return !!this.ex.transmit(p, frame.length, this.now); });
  }

  runUntil(cond: () => boolean, limitUs: number): boolean {
    return this.scheduler.runUntilCondition(cond, this.scheduler.now + limitUs);
  }
  run(us: number): void { this.scheduler.runUntil(this.scheduler.now + us); }

  get state(): number { return this.ex.state(); }
  get linkUp(): boolean { return !!this.ex.link_up(); }
  get failure(): number { return this.ex.last_failure(); }
  get failureCode(): number { return this.ex.failure_code(); }
  stat(i: number): number { return this.ex.stat(i) >>> 0; }
  bssid(): string { return [...this.bytes(this.ex.current_bssid(), 6)].map((b) => b.toString(16).padStart(2, "0")).join(":"); }
  instructions(): bigint { return this.ex.__instr_count.value as bigint; }
}

/** Figures: the 4-way handshake's wasm cost with the PMK cached (M1 in to M4 out). */
export async function benchWifi(): Promise<Record<string, number>> {
  const w = await WifiWorld.create({ aps: [{}], instrumented: true });
  w.addNetwork("lab", "correct horse");
  w.start();
  if (!w.runUntil(() => w.linkUp, 30e6)) throw new Error("bench: first connect failed");
  const pmkInstr = w.instructions();
  // Reconnect with the PMK cached (fast join, no scan, no PBKDF2); count M1 -> M4.
  let atM1 = -1n, atM4 = -1n;
  const origRx = w.radio.client!;
  w.radio.client = {
    wifiEvent: origRx.wifiEvent,
    wifiRx: (kind, frame) => {
      if (kind === 1 && atM1 < 0n) atM1 = w.instructions();
      origRx.wifiRx(kind, frame);
    },
  };
  const txBefore = w.eapolTx.length;
  w.dropEapolTx = (_f, i) => {
    if (i === txBefore + 1 && atM4 < 0n) atM4 = w.instructions();
    return false;
  };
  const connectsBefore = w.stat(Stat.connects);
  w.ap.deauth("02:aa:bb:cc:dd:01", 1);
  if (!w.runUntil(() => w.stat(Stat.connects) > connectsBefore, 30e6)) throw new Error("bench: reconnect failed");
  if (atM1 < 0n || atM4 < 0n) throw new Error("bench: M1/M4 not seen");
  const handshake = Number(atM4 - atM1);
  // PMK derivation cost in the first connect (dominates a cold connect).
  return {
    wpa2_handshake_wasm_instructions: handshake,
    wpa2_handshake_device_ms_est: roundTo(handshake * 90e-6, 1),
    wifi_first_connect_wasm_instructions: Number(pmkInstr),
    wifi_driver_reserved_bytes: w.ex.driver_bytes(),
  };
}
