// Wi-Fi on the whole device (build/stack.counted.wasm): the driver and supplicant as the
// board's second interface next to the ENC28J60, configured from the console and Improv,
// against the simulated radio and an independent WPA2 access point bridged onto the LAN.
import { test } from "node:test";
import assert from "node:assert/strict";
import { World, SECOND, MS } from "../../sim/world.ts";
import { dhcpLan, wifiOnLan, typeLines, WIFI_LAN, DHCP_LAN } from "../../sim/topologies.ts";
import { measureWifiTimes } from "../../bench/wifi-device.ts";
import { ImprovScanner, ImprovType, ImprovState, ImprovCmd, wifiSettingsFrame, parseRpcResult, rpcFrame } from "../../tools/cli/improv.ts";
import { AccessPoint } from "../../sim/wifi/ap.ts";
import { machine as machineReply } from "../support/console.ts";
import type { SimDevice } from "../../sim/device.ts";

const WIFI_BOUND = /net: if1 (\d+\.\d+\.\d+\.\d+)\/24/;

const machine = (world: World, dev: SimDevice, cmd: string, waitUs = 2 * SECOND) => machineReply(world, dev, cmd, waitUs, 7);

function boardOnBoth(seed = 3) {
  const world = new World(seed);
  const lan = dhcpLan(world);
  const wifi = wifiOnLan(world, lan);
  lan.dev.boot();
  world.runUntil(() => !!world.timeline.find(/net: if0 \d/), 10 * SECOND);
  return { world, lan, wifi, dev: lan.dev };
}

test("the board joins a WPA2 network given over the console, gets a second address over DHCP on Wi-Fi, and answers over the air", () => {
  const { world, lan, wifi, dev } = boardOnBoth();
  typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`]);
  world.runUntil(() => !!world.timeline.find(WIFI_BOUND), 20 * SECOND);
  const address = WIFI_BOUND.exec(world.timeline.find(WIFI_BOUND)?.text ?? "")?.[1];
  assert.ok(address, "an address on the Wi-Fi interface");
  assert.equal(wifi.ap.counters.handshakesCompleted, 1);
  // The DHCP server saw a second client (the station MAC) on the same LAN.
  const clients = new Set(lan.dhcp.log.map((m) => m.mac));
  assert.equal(clients.size, 2, "one lease per interface");
  const status = machine(world, dev, "wifi status").data;
  assert.equal(status.state, "connected");
  assert.equal(status.ssid, WIFI_LAN.ssid);
  assert.equal(status.bssid, WIFI_LAN.bssid);
  assert.equal(status.pmk_derivations, 1);
  const over = lan.peer.ping(address!, { count: 3, intervalUs: 200 * MS });
  const rxBefore = wifi.radio.counters.rx;
  world.runFor(2 * SECOND);
  assert.equal(over.received, 3, "pings to the Wi-Fi address answered");
  assert.ok(wifi.radio.counters.rx > rxBefore, "the requests came over the air");
  assert.equal(dev.stats.panics, 0);
});

test("a restart reconnects from the config store: PMK, BSS and lease cached, so no scan, no PBKDF2, DHCP INIT-REBOOT", () => {
  const t = measureWifiTimes(5);
  assert.equal(t.fastScans, 0, "no scan after the restart");
  assert.equal(t.fastPmkDerivations, 0, "the PMK came from the config store");
  assert.deepEqual(t.fastDhcpMessages, ["REQUEST"], "INIT-REBOOT: one REQUEST for the stored lease");
  assert.ok(t.world.timeline.find(/wifi: fast join/), "the fast join is logged");
  // The AP's deauthentication is reported with its reason and the cached BSS rejoined.
  assert.ok(t.world.timeline.find(/wifi: deauthenticated by the AP, reason 1/));
  assert.equal(t.lan.dev.stats.panics, 0);
});

test("a wrong passphrase is reported as such in wifi status and retried with backoff; the wired side carries on", () => {
  const { world, lan, dev } = boardOnBoth(4);
  typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "not the passphrase"`]);
  world.runUntil(() => !!world.timeline.find(/wrong passphrase/), 30 * SECOND);
  assert.ok(world.timeline.find(/4-way handshake failed: wrong passphrase\? \(reason 15\)/));
  const status = machine(world, dev, "wifi status").data;
  assert.equal(status.last_failure, "wrong_passphrase");
  assert.equal(status.last_failure_code, 15);
  assert.ok(status.state === "backoff" || status.state === "scanning" || status.state === "joining", status.state);
  assert.equal(world.timeline.find(WIFI_BOUND), undefined, "no address on Wi-Fi");
  const wired = /net: if0 (\d+\.\d+\.\d+\.\d+)/.exec(world.timeline.find(/net: if0 \d/)!.text)![1];
  const ping = lan.peer.ping(wired, { count: 2, intervalUs: 100 * MS });
  world.runFor(1 * SECOND);
  assert.equal(ping.received, 2, "the wired interface still answers");
});

test("Improv over serial: credentials join the network and the board reports Provisioned once it has an address", () => {
  const { world, dev } = boardOnBoth(6);
  const scanner = new ImprovScanner();
  const packets: { type: number; data: Uint8Array }[] = [];
  dev.onUart((_p, bytes) => packets.push(...scanner.push(bytes).packets));
  dev.uartInput(0, wifiSettingsFrame(WIFI_LAN.ssid, WIFI_LAN.passphrase));
  world.runUntil(() => packets.some((p) => p.type === ImprovType.CurrentState && p.data[0] === ImprovState.Provisioned), 30 * SECOND);
  const states = packets.filter((p) => p.type === ImprovType.CurrentState).map((p) => p.data[0]);
  assert.deepEqual(states, [ImprovState.Provisioning, ImprovState.Provisioned]);
  const result = packets.map((p) => p.type === ImprovType.RpcResult ? parseRpcResult(p.data) : null).find((r) => r?.cmd === ImprovCmd.WifiSettings);
  assert.ok(result, "the RPC result for the Wi-Fi settings");
  assert.ok(world.timeline.find(WIFI_BOUND), "it had an address when it said so");
});

test("Improv with a wrong passphrase: 'unable to connect' after the handshake fails, back to Ready", () => {
  const { world, dev } = boardOnBoth(8);
  const scanner = new ImprovScanner();
  const packets: { type: number; data: Uint8Array }[] = [];
  dev.onUart((_p, bytes) => packets.push(...scanner.push(bytes).packets));
  dev.uartInput(0, wifiSettingsFrame(WIFI_LAN.ssid, "definitely wrong"));
  world.runUntil(() => packets.some((p) => p.type === ImprovType.ErrorState && p.data[0] === 3), 40 * SECOND);
  assert.ok(packets.some((p) => p.type === ImprovType.ErrorState && p.data[0] === 3), "error: unable to connect");
  assert.equal(packets.filter((p) => p.type === ImprovType.CurrentState).at(-1)?.data[0], ImprovState.Ready);
});

test("wifi forget leaves the network and takes the interface down; the cached PMK goes with it", () => {
  const { world, wifi, dev } = boardOnBoth(9);
  typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`]);
  world.runUntil(() => !!world.timeline.find(WIFI_BOUND), 20 * SECOND);
  world.runFor(1 * SECOND);
  typeLines(world, dev, [`wifi forget ${WIFI_LAN.ssid}`], 500 * MS);
  assert.equal(machine(world, dev, "wifi status").data.state, "idle");
  typeLines(world, dev, ["ifconfig"]);
  assert.match(dev.uartOutput, /wlan0: mac [0-9a-f:]+ link down/);
  // Joining again derives the PMK anew: nothing of the forgotten network was kept.
  typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`]);
  world.runUntil(() => wifi.ap.counters.handshakesCompleted === 2, 20 * SECOND);
  assert.equal(machine(world, dev, "wifi status").data.pmk_derivations, 2);
  assert.equal(world.timeline.entries.filter((e) => /wifi: deriving the PMK/.test(e.text)).length, 2);
});

test("wifi scan lists every network in range (known or not, with its security); Improv's scan gets the same", () => {
  const { world, wifi, dev } = boardOnBoth(10);
  // A second network, open, next to the lab's WPA2 AP.
  new AccessPoint(world.scheduler, world.rng.fork("cafe"), wifi.medium, { ssid: "Cafe Free", passphrase: null, channel: 1, bssid: "02:00:00:00:0b:01", position: { x: 10, y: 0 } });
  const reply = machine(world, dev, "wifi scan");
  assert.ok(reply?.ok, JSON.stringify(reply));
  assert.match(reply.data["02:00:00:00:0a:01"], /^ch 6 rssi -\d+ wpa2-psk wasmnet-lab$/);
  assert.match(reply.data["02:00:00:00:0b:01"], /^ch 1 rssi -\d+ open Cafe Free$/);
  const scanner = new ImprovScanner();
  const packets: { type: number; data: Uint8Array }[] = [];
  dev.onUart((_p, bytes) => packets.push(...scanner.push(bytes).packets));
  dev.uartInput(0, rpcFrame(ImprovCmd.Scan));
  world.runFor(2 * SECOND);
  const results = packets.filter((p) => p.type === ImprovType.RpcResult).map((p) => parseRpcResult(p.data)!);
  assert.deepEqual(results.at(-1), { cmd: ImprovCmd.Scan, strings: [] }, "the empty result ends the list");
  const names = results.slice(0, -1).map((r) => r.strings[0]).sort();
  assert.deepEqual(names, ["Cafe Free", "wasmnet-lab"]);
  assert.deepEqual(results.find((r) => r.strings[0] === "Cafe Free")!.strings[2], "NO");
});

test("static addressing on Wi-Fi (if1.*, interface 1 next to the wired port): the configured address when it joins, no DHCP for it, answers there; back to DHCP on request", () => {
  const { world, lan, dev } = boardOnBoth(5);
  typeLines(world, dev, ["config set if1.mode static", "config set if1.addr 192.168.1.77", "config set if1.mask 255.255.255.0",
    "config set if1.gw 192.168.1.1", `config set if1.dns ${DHCP_LAN.server}`, "config commit",
    `wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`]);
  world.runUntil(() => !!world.timeline.find(/wifi: connected/), 20 * SECOND);
  world.runFor(3 * SECOND);
  assert.ok(world.timeline.find(/net: if1 192\.168\.1\.77\/24 gw 192\.168\.1\.1/), "the configured address");
  assert.equal(new Set(lan.dhcp.log.map((m) => m.mac)).size, 1, "DHCP for the wired port only");
  const ping = lan.peer.ping("192.168.1.77", { count: 3, intervalUs: 200 * MS });
  world.runFor(2 * SECOND);
  assert.equal(ping.received, 3);
  typeLines(world, dev, ["config set if1.mode dhcp", "config commit"]);
  const leased = () => world.timeline.entries.some((e) => WIFI_BOUND.test(e.text) && !e.text.includes("192.168.1.77"));
  world.runUntil(leased, 10 * SECOND);
  assert.ok(leased(), "a DHCP address on Wi-Fi after if1.mode dhcp");
  assert.equal(new Set(lan.dhcp.log.map((m) => m.mac)).size, 2, "the Wi-Fi MAC asked the DHCP server");
  assert.equal(dev.stats.panics, 0);
});
