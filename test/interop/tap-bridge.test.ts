// The TAP bridge itself, judged with an independent simulated host (sim/hosts): the Linux
// kernel and the simulated host ping each other through socat and a network namespace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { World } from "../../sim/world.ts";
import { RealtimeRunner } from "../../sim/realtime.ts";
import { Link } from "../../sim/net/link.ts";
import { SimHost } from "../../sim/hosts/host.ts";
import { Namespace, interopSkipReason, KERNEL_IP } from "./netns.ts";

const skip = interopSkipReason() ?? false;

test("kernel and a simulated host ping each other over the TAP bridge", { skip, timeout: 60000 }, async () => {
  const world = new World(3);
  const runner = new RealtimeRunner(world);
  const ns = new Namespace(runner, "brdg");
  try {
    await ns.up();
    const link = new Link(world.scheduler, world.rng.fork("link"), { name: "tap" });
    const host = new SimHost(world.scheduler, world.rng.fork("host"), { name: "simhost", mac: "02:00:00:00:00:22", ip: "192.168.77.2", prefix: 24 });
    host.attach(link.a);
    ns.bridge.attach(link.b);
    const kernelPing = ns.run("ping", ["-c", "3", "-i", "0.2", "-W", "2", "192.168.77.2"]);
    let done = false;
    let out = { code: null as number | null, stdout: "", stderr: "" };
    kernelPing.then((r) => { out = r; done = true; });
    assert.ok(await runner.run(() => done, 20000), "kernel ping finished");
    assert.equal(out.code, 0, `kernel ping: ${out.stdout}${out.stderr}`);
    assert.match(out.stdout, /3 received/);

    const result = host.ping(KERNEL_IP, { count: 3, intervalUs: 200_000 });
    assert.ok(await runner.run(() => result.done, 20000), "host ping finished");
    assert.equal(result.received, 3);
  } finally {
    ns.down();
  }
});
