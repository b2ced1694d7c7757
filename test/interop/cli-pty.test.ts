// The host CLI configures a simulated board through a real pseudo-terminal (socat), using
// the `serialport` package exactly as it would on /dev/ttyUSB0. The board applies the
// settings, and they survive a reboot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { World, SECOND } from "../../sim/world.ts";
import { RealtimeRunner } from "../../sim/realtime.ts";
import { UartServer } from "../../sim/uart-server.ts";
import { LAN, wiredLan } from "../../sim/topologies.ts";

const root = resolve(import.meta.dirname, "../..");
const haveSocat = spawnSync("sh", ["-c", "command -v socat"]).status === 0;

function cli(runner: RealtimeRunner, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(root, "tools/cli/bin.mjs"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    let finished = false;
    child.on("close", (code) => { finished = true; done({ code, out }); });
    void runner.run(() => finished, 30_000);
  });
}

test("the host CLI configures a board over a real pty; settings apply and survive a reboot", { skip: haveSocat ? false : "socat is not installed", timeout: 120_000 }, async () => {
  const world = new World(21);
  const lan = wiredLan(world, { cpu: false });
  lan.dev.boot();
  world.runFor(SECOND);
  const runner = new RealtimeRunner(world);
  const uart = new UartServer(lan.dev, runner);
  await uart.listen();
  const pty = await uart.openPty(join(mkdtempSync(join(tmpdir(), "wasmnet-pty-")), "dev0"));
  assert.ok(pty, "socat made a pty");
  try {
    const port = ["--port", pty!];
    for (const [key, value] of [["if.mode", "static"], ["if.addr", LAN.device], ["if.gw", LAN.gateway], ["hostname", "bench-7"]]) {
      const r = await cli(runner, [...port, "config", "set", key, value]);
      assert.equal(r.code, 0, `config set ${key}: ${r.out}`);
    }
    const join_ = await cli(runner, [...port, "join", "lab", "correct horse"]);
    assert.equal(join_.code, 0, join_.out);
    // Improv Wi-Fi serial (the protocol ESP Web Tools speaks), over the same pty. With no
    // radio attached the board stores the credentials and then reports it cannot connect.
    const improv = await cli(runner, [...port, "join", "guest-net", "guest pass 1", "--improv"]);
    assert.match(improv.out, /improv/i, improv.out);
    const slot = await cli(runner, [...port, "config", "get", "wifi.1.ssid"]);
    assert.match(slot.out, /guest-net/, "Improv RPC 1 stored the network");
    const bad = await cli(runner, [...port, "config", "set", "no.such.key", "1"]);
    assert.equal(bad.code, 3, "unknown key exits 3");

    // Applied: the board answers pings at its new address.
    const ping = lan.peer.ping(LAN.device, { count: 2, intervalUs: 200_000 });
    assert.ok(await runner.run(() => ping.done, 10_000));
    assert.equal(ping.received, 2);

    // Survives a reboot (the flash model keeps its contents across re-instantiation).
    const status = await cli(runner, [...port, "status"]);
    assert.equal(status.code, 0, status.out);
    lan.dev.uartInput(0, "reboot\r");
    await runner.run(() => false, 1500);
    const after = await cli(runner, [...port, "config", "get", "if.addr"]);
    assert.match(after.out, /192\.168\.1\.50/);
    const ssid = await cli(runner, [...port, "config", "get", "wifi.0.ssid"]);
    assert.match(ssid.out, /lab/);
    const pass = await cli(runner, [...port, "config", "get", "wifi.0.pass"]);
    assert.doesNotMatch(pass.out, /correct horse/, "secrets are masked");
    const ping2 = lan.peer.ping(LAN.device, { count: 2, intervalUs: 200_000 });
    assert.ok(await runner.run(() => ping2.done, 10_000));
    assert.equal(ping2.received, 2);
    assert.ok(lan.dev.stats.boots >= 2);
  } finally {
    uart.close();
  }
});
