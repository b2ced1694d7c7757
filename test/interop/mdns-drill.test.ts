// The device's mDNS responder asked by an independent implementation: ldns's drill, inside a
// network namespace, sends a one-shot query for wasmnet.local to 224.0.0.251:5353 from an
// ephemeral port, which RFC 6762 6.7 answers by legacy unicast. (BIND's dig cannot take
// part: its UDP socket is connected to the group address, so the kernel refuses the unicast
// answer with a port unreachable.) The board is the real build/stack.wasm on the ENC28J60
// model behind the TAP bridge, in real time. Root only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { World, MS } from "../../sim/world.ts";
import { RealtimeRunner } from "../../sim/realtime.ts";
import { configureStatic } from "../../sim/topologies.ts";
import { Namespace, interopSkipReason, boardForTap, KERNEL_IP } from "./netns.ts";

const skip = interopSkipReason() ??
  (spawnSync("sh", ["-c", "command -v drill"]).status !== 0 ? "drill is not installed (apt-get install ldnsutils)" : false);
const DEVICE_IP = "192.168.77.2";

test("drill asks for wasmnet.local over mDNS (legacy unicast query) and gets the board's address; other names stay unanswered", { skip, timeout: 60_000 }, async () => {
  const world = new World(43);
  const runner = new RealtimeRunner(world);
  const ns = new Namespace(runner, "mdns");
  const { dev, link } = boardForTap(world);
  try {
    await ns.up();
    ns.bridge.attach(link.b);
    ns.ip("route", "add", "224.0.0.0/4", "dev", ns.tap); // the namespace has no default route
    dev.boot();
    world.runFor(100 * MS);
    configureStatic(world, dev, DEVICE_IP, KERNEL_IP);
    // Probing and announcing take about 2.5 s of the board's time.
    assert.ok(await runner.run(() => !!world.timeline.find(/mdns: wasmnet\.local is 192\.168\.77\.2/), 15_000), "the board announced its name");

    const drill = async (name: string) => {
      let done = false, out = { code: null as number | null, stdout: "", stderr: "" };
      ns.run("drill", ["-p", "5353", name, "A", "@224.0.0.251"], 20_000).then((r) => { out = r; done = true; });
      assert.ok(await runner.run(() => done, 25_000), `drill ${name} finished`);
      return out;
    };
    const ours = await drill("wasmnet.local");
    assert.equal(ours.code, 0, ours.stdout + ours.stderr);
    assert.match(ours.stdout, /rcode: NOERROR/);
    assert.match(ours.stdout, /flags: qr aa rd ;/, "an authoritative answer, RD copied from the query");
    assert.match(ours.stdout, /QUESTION SECTION:\n;; wasmnet\.local\.\s+IN\s+A/, "the question repeated");
    assert.match(ours.stdout, /^wasmnet\.local\.\s+10\s+IN\s+A\s+192\.168\.77\.2$/m, `the board's address with a 10 s TTL:\n${ours.stdout}`);

    const other = await drill("someone-else.local");
    assert.doesNotMatch(other.stdout, /ANSWER: [1-9]/, `no answer for a name that is not ours:\n${other.stdout}${other.stderr}`);
  } finally {
    ns.down();
  }
});
