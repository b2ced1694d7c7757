// A throw-away network namespace holding one end of a TAP device whose other end is our
// simulator (through socat and sim/tap-bridge.ts). Root only. Cleans up after itself, even
// when a test fails or the process is interrupted.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { TapBridge } from "../../sim/tap-bridge.ts";
import type { RealtimeRunner } from "../../sim/realtime.ts";
import type { World } from "../../sim/world.ts";
import type { SimDevice } from "../../sim/device.ts";
import { Link } from "../../sim/net/link.ts";
import { attachEnc28j60, attachFlash } from "../../sim/parts.ts";
import { TEN_BASE_T } from "../../sim/topologies.ts";

export const KERNEL_IP = "192.168.77.1";
export const PREFIX = 24;

/** The board (esp32-devkitc-enc28j60 with flash) on a 10BASE-T link; plug `link.b` into a
 *  namespace's bridge (`ns.bridge.attach(link.b)`). `cpu`: the wasm3 CPU model on. */
export function boardForTap(world: World, cpu = false): { dev: SimDevice; link: Link } {
  const dev = world.device({ name: "dev0", board: "esp32-devkitc-enc28j60", cpu: cpu ? undefined : null });
  attachFlash(dev, world.rng);
  const link = new Link(world.scheduler, world.rng.fork("tap"), { name: "tap", params: TEN_BASE_T });
  attachEnc28j60(dev, world.rng, link.a);
  return { dev, link };
}

/** Why real-peer tests cannot run here, or null when they can. */
export function interopSkipReason(): string | null {
  if (process.getuid?.() !== 0) return "needs root (TAP devices and network namespaces); run as root, as .ci/run does";
  for (const tool of ["ip", "socat"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed (.ci/run installs iproute2 and socat)`;
  }
  if (spawnSync("ip", ["netns", "list"]).status !== 0) return "network namespaces are not available";
  return null;
}

export class Namespace {
  readonly name: string;
  readonly tap: string;
  private socat: ChildProcess | null = null;
  private daemons: ChildProcess[] = [];
  readonly bridge: TapBridge;
  private cleanups: (() => void)[] = [];

  constructor(runner: RealtimeRunner, tag: string) {
    this.name = `wn-${tag}-${process.pid}`;
    this.tap = `wt${tag.slice(0, 4)}${process.pid % 100000}`.slice(0, 15);
    this.bridge = new TapBridge(runner);
  }

  async up(): Promise<void> {
    const ours = await this.bridge.bind();
    const theirs = await freeUdpPort();
    this.bridge.peerPort = theirs;
    const onExit = () => this.down();
    process.once("exit", onExit);
    this.cleanups.push(() => process.off("exit", onExit));
    this.socat = spawn("socat", [
      `TUN,tun-type=tap,iff-no-pi,iff-up,tun-name=${this.tap}`,
      `UDP4-DATAGRAM:127.0.0.1:${ours},bind=127.0.0.1:${theirs}`,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let socatErr = "";
    this.socat.stderr!.on("data", (d) => { socatErr += d; });
    for (let i = 0; ; i++) {
      if (spawnSync("ip", ["link", "show", this.tap]).status === 0) break;
      if (i > 100 || this.socat.exitCode !== null) throw new Error(`socat did not create ${this.tap}: ${socatErr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    execFileSync("ip", ["netns", "add", this.name]);
    execFileSync("ip", ["link", "set", this.tap, "netns", this.name]);
    this.ip("addr", "add", `${KERNEL_IP}/${PREFIX}`, "dev", this.tap);
    this.ip("link", "set", this.tap, "up");
    this.ip("link", "set", "lo", "up");
  }

  ip(...args: string[]): string {
    return execFileSync("ip", ["-n", this.name, ...args]).toString();
  }

  /** Runs a command inside the namespace and returns its output (throws on failure). */
  exec(cmd: string, args: string[], timeoutMs = 20000): string {
    return execFileSync("ip", ["netns", "exec", this.name, cmd, ...args], { timeout: timeoutMs }).toString();
  }

  /** Starts a long-running command inside the namespace (stopped by down()). */
  spawn(cmd: string, args: string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", this.name, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.daemons.push(child);
    return child;
  }

  /** Runs a command inside the namespace without blocking the event loop (the simulator must keep running). */
  run(cmd: string, args: string[], timeoutMs = 30000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn("ip", ["netns", "exec", this.name, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "", stderr = "";
      child.stdout.on("data", (d) => { stdout += d; });
      child.stderr.on("data", (d) => { stderr += d; });
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    });
  }

  down(): void {
    for (const d of this.daemons) d.kill("SIGKILL");
    this.daemons = [];
    this.socat?.kill("SIGKILL");
    this.socat = null;
    spawnSync("ip", ["netns", "del", this.name]);
    spawnSync("ip", ["link", "del", this.tap]);
    try { this.bridge.close(); } catch { /* already closed */ }
    for (const c of this.cleanups.splice(0)) c();
  }
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
