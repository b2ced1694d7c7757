// The default scenario (`npm start`): an ESP32-DevKitC with an ENC28J60 on a switched LAN.
// The board boots, is given a static address over its serial console as a person would,
// answers pings from a host, pings that host and an off-link address through the gateway,
// and the Ethernet capture is written for Wireshark/tshark.
import { join } from "node:path";
import type { Scenario } from "../scenario.ts";
import { expect } from "../scenario.ts";
import { MS, SECOND } from "../world.ts";
import { LAN, configureStatic, typeLines, wiredLan } from "../topologies.ts";
import { TcpLayer } from "../hosts/tcp.ts";
import { createHash } from "node:crypto";

export const scenario: Scenario = {
  name: "default",
  description: "ESP32 + ENC28J60 on a switched LAN: boot, configure over serial, ping both ways, default TCP app with keep-alive",
  run(world, opts) {
    const lan = wiredLan(world, { cpu: opts.cpu });
    const { dev, peer, gateway } = lan;
    let consoleText = "";
    dev.onUart((_port, bytes, time) => {
      consoleText += Buffer.from(bytes).toString("latin1");
      let nl: number;
      while ((nl = consoleText.indexOf("\n")) >= 0) {
        const line = consoleText.slice(0, nl).replace(/\r/g, "");
        consoleText = consoleText.slice(nl + 1);
        if (line.trim()) world.timeline.add(time, "console", line);
      }
    });

    world.note("power on");
    dev.boot();
    world.runFor(200 * MS);
    world.note("configure a static address over the serial console");
    configureStatic(world, dev);
    world.runFor(500 * MS);

    world.note(`host ${LAN.peer} pings the board`);
    const fromPeer = peer.ping(LAN.device, { count: 4, intervalUs: 250 * MS });
    world.runFor(2 * SECOND);
    expect(fromPeer.received === 4, `the board answered ${fromPeer.received}/4 pings`);

    world.note(`the board pings ${LAN.peer}, then ${LAN.offLink} beyond the gateway`);
    typeLines(world, dev, [`ping ${LAN.peer} 3`], 4 * SECOND);
    typeLines(world, dev, [`ping ${LAN.offLink} 3`], 4 * SECOND);
    typeLines(world, dev, ["arp", "route"], 200 * MS);
    expect(gateway.forwarded.length === 3, "off-link pings went through the gateway");

    // The default application: a TCP client with keep-alive to a server on the LAN.
    world.note(`the default app connects to a TCP server at ${LAN.peer}:7000 (heartbeat every 5 s, keep-alive 60/10/3)`);
    const server = new TcpLayer(peer);
    let heartbeats = 0;
    server.listen(7000, (c) => { c.onData = (d) => { heartbeats += Buffer.from(d).toString().split("\n").length - 1; }; });
    typeLines(world, dev, [`config set app.server ${LAN.peer}`, "config set app.port 7000", "config set app.period 5", "config commit"]);
    world.runFor(12 * SECOND);
    expect(heartbeats >= 2, `the server heard the board (${heartbeats} lines)`);
    world.note("a host pushes 64 KiB into the board's sink service (port 5001) and checks the SHA-1 it answers");
    const payload = Buffer.from(world.rng.fork("payload").bytes(64 * 1024));
    const upload = server.connect(LAN.device, 5001);
    const answer: Buffer[] = [];
    upload.onEstablished = () => { upload.send(Buffer.concat([Buffer.from("S"), payload])); upload.close(); };
    upload.onData = (d) => answer.push(Buffer.from(d));
    world.runUntil(() => Buffer.concat(answer).length >= 28, 30 * SECOND);
    const digest = Buffer.concat(answer).subarray(8, 28).toString("hex");
    expect(digest === createHash("sha1").update(payload).digest("hex"), "the board's SHA-1 of the upload matches");
    world.note("the server host goes silent (its frames are dropped): keep-alive must notice");
    typeLines(world, dev, ["config set app.period 0", "config commit"]);
    lan.link.set({ loss: 1 }, "ba");
    world.runUntil(() => !!world.timeline.find(/keep-alive failed/), 200 * SECOND);
    expect(!!world.timeline.find(/keep-alive failed/), "the application heard 'keep-alive failed'");
    lan.link.set({ loss: 0 }, "ba");
    world.runFor(5 * SECOND);

    const pcapPath = join(opts.outDir, "wired.pcap");
    lan.pcap.writeFile(pcapPath);
    const rtts = fromPeer.rttsUs.map((t) => (t / 1000).toFixed(2));
    return {
      ok: true,
      summary: [
        `host -> board ping: ${fromPeer.received}/${fromPeer.sent} replies, RTT ${rtts.join(", ")} ms (10 Mbit/s link, SPI 20 MHz, wasm3 CPU model ${opts.cpu ? "on" : "off"})`,
        `board -> host and off-link pings: see the console lines above`,
        `default app: ${heartbeats} heartbeat lines before the server went silent; upload SHA-1 ${digest.slice(0, 12)}... matches; keep-alive failure reported`,
        `device CPU busy ${(dev.stats.cpuBusyUs / 1000).toFixed(1)} ms, ${dev.stats.instructions} wasm instructions, ${dev.stats.spiTransactions} SPI transactions`,
      ],
      artifacts: [pcapPath],
      console: dev,
    };
  },
};
