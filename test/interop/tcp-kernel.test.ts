// The Linux kernel's TCP as the peer of the device's TCP, over the TAP bridge: 1 MiB each
// way with SHA-1 checks, clean closes, a reset, and Linux's keep-alive probes answered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { World, SECOND, MS } from "../../sim/world.ts";
import { RealtimeRunner } from "../../sim/realtime.ts";
import { configureStatic } from "../../sim/topologies.ts";
import { PcapWriter } from "../../sim/net/pcap.ts";
import { Namespace, interopSkipReason, boardForTap, KERNEL_IP } from "./netns.ts";
import { haveTshark, tsharkProblems } from "./tshark.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const skip = interopSkipReason() ?? false;
const DEVICE_IP = "192.168.77.2";
const MIB = 1 << 20;

// The kernel side, as a small Python program run inside the namespace (python3 is on every
// machine of this kind; it talks to the kernel's sockets, nothing of ours).
const CLIENT = String.raw`
import socket, sys, hashlib, struct, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.create_connection((host, port), timeout=60)
if mode == "sink":
    data = bytes((i * 131 + (i >> 9)) & 0xff for i in range(int(sys.argv[4])))
    s.sendall(b"S" + data)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while len(reply) < 28:
        chunk = s.recv(64)
        if not chunk: break
        reply += chunk
    end = s.recv(1)
    print("sent", hashlib.sha1(data).hexdigest(), "reply", reply.hex(), "eof", end == b"")
elif mode == "generate":
    n = int(sys.argv[4])
    s.sendall(b"G" + struct.pack(">I", n))
    h = hashlib.sha1(); total = 0
    while True:
        chunk = s.recv(65536)
        if not chunk: break
        h.update(chunk); total += len(chunk)
    s.close()
    print("got", total, h.hexdigest())
elif mode == "keepalive":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 2)
    s.sendall(b"S")
    time.sleep(6)  # idle: Linux probes every second; unanswered, it would drop us after ~3 s
    s.sendall(b"still here")
    s.shutdown(socket.SHUT_WR)
    reply = s.recv(64)
    print("alive", len(reply) == 28)
elif mode == "reset":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.sendall(b"S" + b"x" * 1000)
    time.sleep(0.5)
    s.close()
    print("reset sent")
`;

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + (i >> 9)) & 0xff;
  return b;
}

function devicePattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (Math.imul(i, 31) + (i >>> 11)) & 0xff;
  return b;
}

test("the Linux kernel and the device: ping both ways, 1 MiB each way, impaired transfers, clean close, reset, keep-alive", { skip, timeout: 300_000 }, async () => {
  const world = new World(41);
  const runner = new RealtimeRunner(world);
  const ns = new Namespace(runner, "tcp");
  const { dev, link } = boardForTap(world);
  const pcap = new PcapWriter();
  pcap.tapLink(link, "rx");
  try {
    await ns.up();
    ns.bridge.attach(link.b);
    dev.boot();
    world.runFor(100 * MS);
    configureStatic(world, dev, DEVICE_IP, KERNEL_IP);
    const py = async (...args: string[]) => {
      let done = false, out = { code: null as number | null, stdout: "", stderr: "" };
      ns.run("python3", ["-c", CLIENT, ...args], 120_000).then((r) => { out = r; done = true; });
      assert.ok(await runner.run(() => done, 150_000), `python ${args[0]} finished`);
      assert.equal(out.code, 0, out.stderr);
      return out.stdout.trim();
    };

    // ICMP both ways: the kernel pings the device, the device pings the kernel (console).
    let pinged = false, pingOut = { code: null as number | null, stdout: "", stderr: "" };
    ns.run("ping", ["-c", "3", "-i", "0.2", "-W", "2", DEVICE_IP]).then((r) => { pingOut = r; pinged = true; });
    assert.ok(await runner.run(() => pinged, 20_000));
    assert.equal(pingOut.code, 0, pingOut.stdout + pingOut.stderr);
    assert.match(pingOut.stdout, /3 received/);
    const before = dev.uartOutput.length;
    dev.uartInput(0, `@5 ping ${KERNEL_IP} 3\r`);
    await runner.run(() => /"id":5,/.test(dev.uartOutput.slice(before)) && /\*[0-9a-f]{8}/.test(dev.uartOutput.slice(before)), 15_000);
    assert.match(dev.uartOutput.slice(before), /"received":3/, "the device's pings to the kernel were answered");

    const sink = (await py("sink", DEVICE_IP, "5001", String(MIB))).split(" ");
    const reply = Buffer.from(sink[3], "hex");
    assert.equal(reply.readBigUInt64BE(0), BigInt(MIB), "the device counted every byte");
    assert.equal(reply.subarray(8).toString("hex"), sink[1], "the device's SHA-1 matches Linux's");
    assert.equal(sink[5], "True", "the device closed cleanly after its reply");
    assert.equal(sink[1], createHash("sha1").update(pattern(MIB)).digest("hex"));

    const gen = (await py("generate", DEVICE_IP, "5001", String(MIB))).split(" ");
    assert.equal(Number(gen[1]), MIB);
    assert.equal(gen[2], createHash("sha1").update(devicePattern(MIB)).digest("hex"), "Linux received the device's pattern intact");

    assert.equal(await py("keepalive", DEVICE_IP, "5001"), "alive True", "Linux's keep-alive probes were answered");

    // Impairments inside the bridge (no netem here): loss, reordering and duplication both ways.
    link.set({ loss: 0.03, reorder: 0.05, reorderDelayUs: 3000, duplicate: 0.02 });
    const lossy = (await py("sink", DEVICE_IP, "5001", String(256 * 1024))).split(" ");
    assert.equal(Buffer.from(lossy[3], "hex").subarray(8).toString("hex"), lossy[1], "intact through an impaired link");
    const lossyGen = (await py("generate", DEVICE_IP, "5001", String(256 * 1024))).split(" ");
    assert.equal(lossyGen[2], createHash("sha1").update(devicePattern(256 * 1024)).digest("hex"));
    link.set({ loss: 0, reorder: 0, duplicate: 0 });

    assert.equal(await py("reset", DEVICE_IP, "5001"), "reset sent");
    await runner.run(() => !!world.timeline.find(/transfer ended with error 2/), 5000);
    assert.ok(world.timeline.find(/transfer ended with error 2/), "the device's application heard the reset as a reset");
    assert.equal(dev.stats.panics, 0);

    if (haveTshark) {
      const file = join(mkdtempSync(join(tmpdir(), "wasmnet-tcp-")), "tcp.pcap");
      pcap.writeFile(file);
      assert.equal(tsharkProblems(file).problems, "", "tshark: no malformed segments, no TCP checksum errors");
    }
  } finally {
    ns.down();
  }
});
