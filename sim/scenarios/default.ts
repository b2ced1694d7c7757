// The default scenario (`npm start`): an ESP32-DevKitC with an ENC28J60 on a switched LAN.
// The board boots, is given a static address over its serial console as a person would,
// answers pings from a host, pings that host and an off-link address through the gateway,
// and the Ethernet capture is written for Wireshark/tshark.
import { join } from "node:path";
import type { Scenario } from "../scenario.ts";
import { expect } from "../scenario.ts";
import { MS, SECOND } from "../world.ts";
import { LAN, configureStatic, typeLines, wiredLan } from "../topologies.ts";

export const scenario: Scenario = {
  name: "default",
  description: "ESP32 + ENC28J60 on a switched LAN: boot, configure over serial, ping both ways",
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

    const pcapPath = join(opts.outDir, "wired.pcap");
    lan.pcap.writeFile(pcapPath);
    const rtts = fromPeer.rttsUs.map((t) => (t / 1000).toFixed(2));
    return {
      ok: true,
      summary: [
        `host -> board ping: ${fromPeer.received}/${fromPeer.sent} replies, RTT ${rtts.join(", ")} ms (10 Mbit/s link, SPI 20 MHz, wasm3 CPU model ${opts.cpu ? "on" : "off"})`,
        `board -> host and off-link pings: see the console lines above`,
        `device CPU busy ${(dev.stats.cpuBusyUs / 1000).toFixed(1)} ms, ${dev.stats.instructions} wasm instructions, ${dev.stats.spiTransactions} SPI transactions`,
      ],
      artifacts: [pcapPath],
      console: dev,
    };
  },
};
