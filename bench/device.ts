// Whole-device figures: the real module (instruction-counting build, wasm3 CPU model on)
// driving the ENC28J60 model on a 10 Mbit/s switched LAN. The board's host offers what our
// firmware offers (the checksum, SHA-1 and AES accelerators, sim/accelerators.ts); the
// `_without_accelerators` figures run the stack's own AssemblyScript code instead.
import { World, SECOND, MS } from "../sim/world.ts";
import { LAN, configureStatic, wiredLan } from "../sim/topologies.ts";
import { TcpLayer } from "../sim/hosts/tcp.ts";
import { transmitDurationUs } from "../sim/devices/enc28j60.ts";

function bootedLan(seed: number, accelerators?: number) {
  const world = new World(seed);
  const lan = wiredLan(world, { cpu: true, accelerators });
  lan.dev.boot();
  world.runFor(100 * MS);
  configureStatic(world, lan.dev);
  world.runFor(500 * MS);
  return { world, ...lan };
}

/** Instructions the device executes to answer one 64-byte ICMP echo (ARP resolved): the
 *  calls from the request's interrupt until the reply is handed to the chip (receive over
 *  SPI, Ethernet/IP/ICMP, reply, transmit over SPI). The transmit-complete interrupt and
 *  the driver's later ring re-checks are reported separately. */
function icmpEcho(accelerators?: number): { answer: number; total: number; rttUs: number } {
  const { world, dev, peer, link } = bootedLan(51, accelerators);
  const warm = peer.ping(LAN.device, { count: 2, intervalUs: 100 * MS, size: 56 });
  world.runFor(SECOND);
  if (warm.received !== 2) throw new Error("warm-up ping failed");
  world.runFor(100 * MS);
  let requestAt = 0, replyAt = 0;
  const off = link.onFrame((ev) => {
    const f = ev.frame;
    if (f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 1) return;
    if (ev.dir === "ba" && ev.at === "rx") requestAt = ev.time;
    // The link gets the frame when the chip has sent it: the chip started it that much earlier.
    if (ev.dir === "ab" && ev.at === "tx" && !replyAt) replyAt = ev.time - transmitDurationUs(f.length);
  });
  dev.callTrace = [];
  const r = peer.ping(LAN.device, { count: 1, size: 56 });
  world.runFor(50 * MS);
  off();
  const trace = dev.callTrace;
  dev.callTrace = null;
  if (r.received !== 1) throw new Error("measured ping failed");
  // The reply leaves the chip after its wire time; the answering calls started before it.
  const answer = trace.filter((c) => c.start >= requestAt && c.start < replyAt).reduce((n, c) => n + c.instructions, 0);
  const total = trace.filter((c) => c.start >= requestAt).reduce((n, c) => n + c.instructions, 0);
  const many = peer.ping(LAN.device, { count: 11, intervalUs: 100 * MS, size: 56 });
  world.runFor(2 * SECOND);
  const rtts = [...many.rttsUs].sort((a, b) => a - b);
  return { answer, total, rttUs: rtts[Math.floor(rtts.length / 2)] };
}

/** Bulk receive: 1 MiB from a host into the device's discard service over TCP. */
function tcpGoodput(accelerators?: number): number {
  const { world, peer } = bootedLan(52, accelerators);
  const tcp = new TcpLayer(peer);
  const data = Buffer.alloc(1 << 20, 0x5a);
  const c = tcp.connect(LAN.device, 5001);
  let firstData = 0, reply = 0;
  c.onEstablished = () => { firstData = world.now; c.send(Buffer.concat([Buffer.from("D"), data])); c.close(); };
  c.onData = (d) => { reply += d.length; };
  world.runUntil(() => reply >= 28, 120 * SECOND);
  if (reply < 28) throw new Error("goodput transfer did not finish");
  return Math.round((data.length * 8) / ((world.now - firstData) / 1e6) / 1000);
}

/** Bulk send: the device's transfer service generates 1 MiB ('G') to a host over TCP. The
 *  large socket's 1 KiB send buffer (stack/system.ts) bounds what is in flight. */
function tcpTxGoodput(accelerators?: number): number {
  const { world, peer } = bootedLan(53, accelerators);
  const tcp = new TcpLayer(peer);
  const size = 1 << 20;
  const c = tcp.connect(LAN.device, 5001);
  let firstData = 0, received = 0;
  c.onEstablished = () => { c.send(Buffer.from([0x47, size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255])); };
  c.onData = (d) => { if (!firstData) firstData = world.now; received += d.length; };
  world.runUntil(() => received >= size, 120 * SECOND);
  if (received !== size) throw new Error(`generate transfer delivered ${received} of ${size} bytes`);
  return Math.round((size * 8) / ((world.now - firstData) / 1e6) / 1000);
}

export async function benchDevice(): Promise<Record<string, number>> {
  const echo = icmpEcho();
  const plain = icmpEcho(0);
  return {
    icmp_echo_wasm_instructions: echo.answer,
    icmp_echo_wasm_instructions_without_accelerators: plain.answer,
    icmp_echo_with_tx_completion_wasm_instructions: echo.total,
    wired_ping_rtt_virtual_us: Math.round(echo.rttUs),
    tcp_goodput_enc28j60_kbps: tcpGoodput(),
    tcp_goodput_enc28j60_kbps_without_accelerators: tcpGoodput(0),
    tcp_tx_goodput_enc28j60_kbps: tcpTxGoodput(),
  };
}

if (process.argv[1]?.endsWith("device.ts")) benchDevice().then((r) => console.log(JSON.stringify(r)));
