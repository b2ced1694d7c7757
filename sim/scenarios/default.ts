// The default scenario (`npm start`): an ESP32-DevKitC with an ENC28J60 on a switched LAN.
// The board boots and takes its address, router and DNS server from the LAN's DHCP server
// (sim/hosts/dhcp-server.ts, with sim/hosts/dns-server.ts on the same host), looks up the
// TCP server's name (`nslookup`, a CNAME too), answers pings from a host, pings that host
// by name and an off-link address through the gateway, and the Ethernet capture is written
// for Wireshark/tshark. Then a person tells it about the Wi-Fi network (a WPA2-PSK access
// point bridged onto the same LAN): it derives the PMK, joins, runs the 4-way handshake,
// takes a second address over DHCP on Wi-Fi, and answers pings sent to that address over
// the air; the air capture (radiotap + 802.11, CCMP as sent) is written next to the wired
// one, and tshark decrypts it with the SSID and passphrase.
import { join } from "node:path";
import type { Scenario } from "../scenario.ts";
import { expect } from "../scenario.ts";
import { MS, SECOND, type World } from "../world.ts";
import type { SimDevice } from "../device.ts";
import { LAN, DHCP_LAN, WIFI_LAN, consoleReply, dhcpLan, typeLines, wifiOnLan } from "../topologies.ts";
import { TcpLayer } from "../hosts/tcp.ts";
import { createHash } from "node:crypto";
import { macString } from "../wifi/ap.ts";

const SERVER_NAME = "server.lan";

export const scenario: Scenario = {
  name: "default",
  description: "ESP32 + ENC28J60 on a switched LAN: boot, DHCP, DNS lookup of the server, ping both ways (by name), default TCP app with keep-alive; then joins a WPA2 access point on the same LAN and gets a second address over Wi-Fi",
  run(world, opts) {
    const lan = dhcpLan(world, {
      cpu: opts.cpu,
      records: [
        { name: SERVER_NAME, type: "A", value: LAN.peer, ttl: 300 },
        { name: "app.lan", type: "CNAME", value: SERVER_NAME, ttl: 120 },
        { name: "gw.lan", type: "A", value: LAN.gateway, ttl: 300 },
      ],
    });
    const { dev, peer, gateway, dhcp, dns } = lan;
    const wifi = wifiOnLan(world, lan);
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

    world.note(`power on; the board asks the DHCP server at ${DHCP_LAN.server} for an address (if.mode dhcp, the default)`);
    dev.boot();
    const bound = /net: if0 (\d+\.\d+\.\d+\.\d+)\/24 gw (\d+\.\d+\.\d+\.\d+)/;
    world.runUntil(() => !!world.timeline.find(bound), 10 * SECOND);
    const lease = world.timeline.find(bound);
    expect(!!lease, "the board was given an address over DHCP");
    const [, device, router] = bound.exec(lease!.text)!;
    expect(router === LAN.gateway, `the lease's router is the gateway (${router})`);
    world.runFor(500 * MS);

    world.note(`the board looks up ${SERVER_NAME} and app.lan (a CNAME) at the DNS server from its lease`);
    typeLines(world, dev, [`nslookup ${SERVER_NAME}`], SECOND);
    const looked = consoleReply(world, dev, "nslookup app.lan");
    const serverIp = String(looked?.data?.addresses ?? "").split(" ")[0];
    expect(serverIp === LAN.peer, `app.lan -> ${SERVER_NAME} -> ${serverIp}`);

    world.runUntil(() => !!world.timeline.find(/mdns: wasmnet\.local is/), 5 * SECOND); // probed and announced
    world.note(`host ${LAN.peer} asks for wasmnet.local over mDNS (224.0.0.251:5353)`);
    let mdnsAnswer = "";
    const mdns = peer.udp.bind(5353, (d, from) => {
      if (from.ip !== peer.ip && (d[2] & 0x80) && d.length >= 4) mdnsAnswer = [...d.subarray(d.length - 4)].join(".");
    });
    const qname = [7, ...Buffer.from("wasmnet"), 5, ...Buffer.from("local"), 0];
    mdns.sendTo("224.0.0.251", 5353, new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...qname, 0, 1, 0, 1]),
      { dstMac: new Uint8Array([1, 0, 0x5e, 0, 0, 0xfb]), ttl: 255 });
    world.runFor(200 * MS);
    mdns.close();
    expect(mdnsAnswer === device, `the board answered for wasmnet.local: ${mdnsAnswer}`);

    world.note(`host ${LAN.peer} pings the board at its leased address ${device}`);
    const fromPeer = peer.ping(device, { count: 4, intervalUs: 250 * MS });
    world.runFor(2 * SECOND);
    expect(fromPeer.received === 4, `the board answered ${fromPeer.received}/4 pings`);

    world.note(`the board pings ${SERVER_NAME} by name, then ${LAN.offLink} beyond the gateway`);
    typeLines(world, dev, [`ping ${SERVER_NAME} 3`], 4 * SECOND);
    typeLines(world, dev, [`ping ${LAN.offLink} 3`], 4 * SECOND);
    typeLines(world, dev, ["arp", "route"], 200 * MS);
    expect(gateway.forwarded.length === 3, "off-link pings went through the gateway");

    // The default application: a TCP client with keep-alive to a server on the LAN.
    world.note(`the default app connects to a TCP server at ${serverIp}:7000, the address of ${SERVER_NAME} (heartbeat every 5 s, keep-alive 60/10/3)`);
    const server = new TcpLayer(peer);
    let heartbeats = 0;
    server.listen(7000, (c) => { c.onData = (d) => { heartbeats += Buffer.from(d).toString().split("\n").length - 1; }; });
    typeLines(world, dev, [`config set app.server ${serverIp}`, "config set app.port 7000", "config set app.period 5", "config commit"]);
    world.runFor(12 * SECOND);
    expect(heartbeats >= 2, `the server heard the board (${heartbeats} lines)`);
    world.note("a host pushes 64 KiB into the board's sink service (port 5001) and checks the SHA-1 it answers");
    const payload = Buffer.from(world.rng.fork("payload").bytes(64 * 1024));
    const upload = server.connect(device, 5001);
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

    world.note(`a person tells the board about the Wi-Fi network: wifi join ${WIFI_LAN.ssid} (WPA2-PSK, AP ${WIFI_LAN.bssid} on channel ${WIFI_LAN.channel}, bridged onto this LAN)`);
    const joinAt = world.scheduler.now;
    typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`], 10 * MS);
    const wifiBound = /net: if1 (\d+\.\d+\.\d+\.\d+)\/24/;
    world.runUntil(() => !!world.timeline.find(wifiBound), 20 * SECOND);
    const wifiLease = world.timeline.find(wifiBound);
    expect(!!wifiLease, "the board joined the access point and got an address over DHCP on Wi-Fi");
    const wifiAddress = wifiBound.exec(wifiLease!.text)![1];
    const joinMs = (wifiLease!.time - joinAt) / 1000;
    expect(wifi.ap.counters.handshakesCompleted === 1, "the 4-way handshake completed once");
    world.note(`host ${LAN.peer} pings the board's Wi-Fi address ${wifiAddress} (the requests cross the air, CCMP-encrypted)`);
    const overAir = peer.ping(wifiAddress, { count: 3, intervalUs: 250 * MS });
    world.runFor(2 * SECOND);
    expect(overAir.received === 3, `the board answered ${overAir.received}/3 pings at its Wi-Fi address`);
    typeLines(world, dev, ["wifi status", "ifconfig"], 200 * MS);

    const pcapPath = join(opts.outDir, "wired.pcap");
    lan.pcap.writeFile(pcapPath);
    const airPath = join(opts.outDir, "air.pcap");
    wifi.airPcap.writeFile(airPath);
    const rtts = fromPeer.rttsUs.map((t) => (t / 1000).toFixed(2));
    return {
      ok: true,
      summary: [
        `DHCP: ${device}/24 router ${router} DNS ${DHCP_LAN.server} (${dhcp.log.filter((m) => m.mac !== macString(dev.baseMac)).map((m) => m.type).join(", ")}); DNS: app.lan -> ${SERVER_NAME} -> ${serverIp} (${dns.queries().length} queries); mDNS: wasmnet.local -> ${mdnsAnswer}`,
        `host -> board ping: ${fromPeer.received}/${fromPeer.sent} replies, RTT ${rtts.join(", ")} ms (10 Mbit/s link, SPI 20 MHz, wasm3 CPU model ${opts.cpu ? "on" : "off"})`,
        `board -> host and off-link pings: see the console lines above`,
        `default app: ${heartbeats} heartbeat lines before the server went silent; upload SHA-1 ${digest.slice(0, 12)}... matches; keep-alive failure reported`,
        `Wi-Fi: joined ${WIFI_LAN.ssid} and got ${wifiAddress} over DHCP ${joinMs.toFixed(0)} ms after 'wifi join' (PMK derivation included), DHCP on Wi-Fi: ${dhcp.log.filter((m) => m.mac === macString(dev.baseMac)).map((m) => m.type).join(", ")}; ${overAir.received}/3 pings over the air; decrypt air.pcap in Wireshark with wpa-pwd ${WIFI_LAN.passphrase}:${WIFI_LAN.ssid}`,
        `device CPU busy ${(dev.stats.cpuBusyUs / 1000).toFixed(1)} ms, ${dev.stats.instructions} wasm instructions, ${dev.stats.spiTransactions} SPI transactions`,
      ],
      artifacts: [pcapPath, airPath],
      console: dev,
    };
  },
};
