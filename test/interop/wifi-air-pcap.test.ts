// The air capture of a WPA2 connect plus traffic decrypts with tshark given only the SSID
// and passphrase: the handshake, the CCMP frames and the pcap format are right by a judge
// that is not ours. First with the TypeScript test supplicant, then with the board itself
// (its AssemblyScript supplicant and DHCP over Wi-Fi) in the default scenario (npm start).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureAir } from "../../sim/wifi/air-pcap.ts";
import { ethernetFrame } from "../../sim/wifi/ieee80211.ts";
import { STA_MAC, TestSupplicant, wifiWorld } from "../support/wifi.ts";
import { World } from "../../sim/world.ts";
import { scenario } from "../../sim/scenarios/default.ts";
import { WIFI_LAN } from "../../sim/topologies.ts";

const haveTshark = spawnSync("sh", ["-c", "command -v tshark"]).status === 0;

test("tshark decrypts the air capture of a WPA2 connect with traffic", { skip: haveTshark ? false : "tshark is not installed" }, () => {
  const { scheduler, medium, ap, radio, wired } = wifiWorld();
  const pcap = captureAir(medium);
  ap.refreshBeacons();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(300_000);
  assert.equal(ap.counters.handshakesCompleted, 1);
  // An ARP request up, and one down.
  const arp = Buffer.from("0001080006040001" + "02aabbccdd01" + "c0a80132" + "000000000000" + "c0a80101", "hex");
  radio.tx(ethernetFrame(Buffer.alloc(6, 0xff), STA_MAC, 0x0806, arp));
  wired.inject(ethernetFrame(STA_MAC, Buffer.from("020000000099", "hex"), 0x0806, arp));
  scheduler.runUntil(600_000);
  const file = join(mkdtempSync(join(tmpdir(), "wasmnet-air-")), "air.pcap");
  pcap.writeFile(file);
  const tshark = (...args: string[]) => {
    const r = spawnSync("tshark", ["-n", "-r", file, "-o", "wlan.enable_decryption:TRUE", "-o", `uat:80211_keys:"wpa-pwd","correct horse:lab"`, ...args], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const eapol = tshark("-Y", "eapol", "-T", "fields", "-e", "wlan_rsna_eapol.keydes.msgnr").trim().split("\n");
  assert.deepEqual(eapol, ["1", "2", "3", "4"], "the full 4-way handshake");
  const arpLines = tshark("-Y", "arp", "-T", "fields", "-e", "arp.opcode").trim().split("\n").filter(Boolean);
  assert.equal(arpLines.length, 2, "both CCMP-protected ARP frames decrypt to valid ARP");
  assert.doesNotMatch(tshark("-Y", "_ws.malformed || _ws.expert.severity >= error"), /\S/);
  assert.ok(Number(tshark("-Y", "wlan.fc.type_subtype == 8", "-T", "fields", "-e", "frame.number").trim().split("\n").length) > 2, "beacons");
});

test("tshark decrypts the default scenario's air capture: the board's 4-way handshake, its DHCP over Wi-Fi, pings to it", { skip: haveTshark ? false : "tshark is not installed" }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), "wasmnet-default-air-"));
  const result = await scenario.run(new World(1), { seed: 1, cpu: true, outDir });
  assert.ok(result.ok);
  const file = result.artifacts!.find((a) => a.endsWith("air.pcap"))!;
  const tshark = (...args: string[]) => {
    const r = spawnSync("tshark", ["-n", "-r", file, "-o", "wlan.enable_decryption:TRUE",
      "-o", `uat:80211_keys:"wpa-pwd","${WIFI_LAN.passphrase}:${WIFI_LAN.ssid}"`, "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", ...args], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const fields = (filter: string, ...names: string[]) => tshark("-Y", filter, "-T", "fields", ...names.flatMap((n) => ["-e", n])).split("\n").filter(Boolean).map((l) => l.split("\t"));
  assert.deepEqual(fields("eapol", "wlan_rsna_eapol.keydes.msgnr").map(([m]) => m), ["1", "2", "3", "4"], "one complete 4-way handshake");
  const station = fields("eapol && wlan_rsna_eapol.keydes.msgnr == 2", "wlan.sa")[0][0];
  const dhcp = fields(`dhcp.hw.mac_addr == ${station}`, "dhcp.option.dhcp").map(([t]) => t);
  assert.deepEqual(dhcp, ["1", "2", "3", "5"], "DISCOVER, OFFER, REQUEST, ACK decrypted from CCMP");
  const requests = fields("icmp.type == 8", "ip.dst");
  assert.ok(requests.length >= 3 && requests.every(([d]) => d === requests[0][0]), "the pings to the board's Wi-Fi address");
  assert.equal(tshark("-Y", "_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\""), "", "nothing malformed, no bad checksums");
});
