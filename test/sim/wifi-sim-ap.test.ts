// The simulated access point and ESP32 radio, exercised by a small supplicant written here
// in TypeScript (the stack's AssemblyScript supplicant is judged by the same AP elsewhere).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ie } from "../../sim/wifi/ieee80211.ts";
import { ethernetFrame } from "../../sim/wifi/ieee80211.ts";
import { WifiEvent } from "../../sim/generated/hal.ts";
import { STA_MAC, TestSupplicant, wifiWorld } from "../support/wifi.ts";

test("an active scan finds the AP with its RSN IE", () => {
  const { scheduler, radio } = wifiWorld();
  const sup = new TestSupplicant(radio, "x", "lab", Buffer.alloc(6));
  radio.scan(Buffer.of(1, 3, 50, 0, 1, 6, 11));
  scheduler.runUntil(1e6);
  const result = sup.events.find((e) => e.event === WifiEvent.ScanResult)!;
  assert.ok(result, "scan result");
  assert.equal(Buffer.from(result.data.subarray(0, 6)).toString("hex"), "020000000a01");
  assert.equal(result.data[6], 6, "channel");
  const ssidLen = result.data[13];
  assert.equal(Buffer.from(result.data.subarray(14, 14 + ssidLen)).toString(), "lab");
  const ieLen = result.data[14 + ssidLen] | (result.data[15 + ssidLen] << 8);
  assert.equal(result.data[16 + ssidLen], Ie.Rsn);
  assert.ok(ieLen >= 22);
  const done = sup.events.find((e) => e.event === WifiEvent.ScanDone)!;
  assert.equal(done.status, 1);
  assert.ok(scheduler.now >= 150_000, "three 50 ms dwells");
});

test("the right passphrase completes the 4-way handshake and data flows both ways, encrypted", () => {
  const { scheduler, ap, radio, wired } = wifiWorld();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(200_000);
  assert.ok(sup.events.some((e) => e.event === WifiEvent.Associated));
  assert.equal(ap.counters.handshakesCompleted, 1);
  assert.ok(sup.installed.ptk && sup.installed.gtk);
  const frame = ethernetFrame(Buffer.alloc(6, 0xff), STA_MAC, 0x0800, Buffer.from("hello wired"));
  assert.equal(radio.tx(frame), 0);
  scheduler.runUntil(300_000);
  assert.equal(Buffer.from(wired.frames.at(-1)!).subarray(14).toString(), "hello wired");
  const received: Uint8Array[] = [];
  radio.client = { wifiEvent: () => {}, wifiRx: (_k, f) => received.push(f) };
  wired.inject(ethernetFrame(STA_MAC, Buffer.from("020000000099", "hex"), 0x0800, Buffer.from("unicast down")));
  wired.inject(ethernetFrame(Buffer.alloc(6, 0xff), Buffer.from("020000000099", "hex"), 0x0806, Buffer.from("broadcast down")));
  scheduler.runUntil(400_000);
  assert.deepEqual(received.map((f) => Buffer.from(f).subarray(14).toString()), ["unicast down", "broadcast down"]);
});

test("a wrong passphrase fails the MIC; the AP retries M1, then deauths with reason 15", () => {
  const { scheduler, ap, radio } = wifiWorld();
  const sup = new TestSupplicant(radio, "wrong horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(10e6);
  assert.ok(ap.counters.micFailures >= 4);
  assert.equal(ap.counters.m1Sent, 4);
  const deauth = sup.events.find((e) => e.event === WifiEvent.Deauthenticated)!;
  assert.equal(deauth.status, 15);
  assert.equal(sup.installed.ptk, false);
});

test("a station with the wrong key gets nothing usable", () => {
  const { scheduler, ap, radio, wired } = wifiWorld();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(200_000);
  radio.setKey(0, 0, Buffer.alloc(16, 1), Buffer.alloc(6));
  const received: Uint8Array[] = [];
  radio.client = { wifiEvent: () => {}, wifiRx: (_k, f) => received.push(f) };
  wired.inject(ethernetFrame(STA_MAC, Buffer.from("020000000099", "hex"), 0x0800, Buffer.from("secret")));
  scheduler.runUntil(300_000);
  assert.equal(received.length, 0);
  assert.equal(radio.counters.decryptFailures, 1);
});

test("the AP rekeys the GTK and the group handshake completes", () => {
  const { scheduler, ap, radio } = wifiWorld({ gtkRekeyUs: 5e6 });
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(200_000);
  const first = sup.installed.gtk!;
  scheduler.runUntil(6e6);
  assert.equal(ap.counters.gtkRekeys, 1);
  assert.notDeepEqual(sup.installed.gtk, first);
  assert.ok(ap.events.some((e) => e.what === "group key handshake complete"));
});

test("a vanished AP is reported as beacon loss", () => {
  const { scheduler, ap, radio } = wifiWorld();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(200_000);
  ap.setPowered(false);
  scheduler.runUntil(5e6);
  const loss = sup.events.find((e) => e.event === WifiEvent.BeaconLoss);
  assert.ok(loss);
  assert.equal(radio.isAssociated, false);
});

test("association to an AP that does not answer fails with no-response after retries", () => {
  const { scheduler, ap, radio } = wifiWorld();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  ap.setPowered(false);
  sup.join(6);
  scheduler.runUntil(2e6);
  const failed = sup.events.find((e) => e.event === WifiEvent.AssocFailed)!;
  assert.equal(failed.status, 0xffff);
});

// RSSI reports (WifiEvent.Rssi): one on association, then from the averaged beacon RSSI.
const BEACON_CHECK_US = 2 * 100 * 1024;
const rssiReports = (sup: TestSupplicant) => sup.events.filter((e) => e.event === WifiEvent.Rssi);

test("the AP's RSSI is reported right after association, then not again while nothing moves", () => {
  const { scheduler, medium, ap, radio } = wifiWorld();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(200_000);
  const assoc = sup.events.findIndex((e) => e.event === WifiEvent.Associated);
  assert.ok(assoc >= 0);
  const first = sup.events[assoc + 1];
  assert.equal(first.event, WifiEvent.Rssi, "the report follows Associated");
  assert.equal(first.data.length, 0);
  assert.ok(Math.abs(first.status - medium.meanRssi(ap, radio)) <= 6, `${first.status} dBm near the mean ${medium.meanRssi(ap, radio).toFixed(1)}`);
  scheduler.runUntil(20e6);
  // Fading alone (2 dB) rarely moves the average 3 dB: at most the first sample's error is corrected.
  assert.ok(rssiReports(sup).length <= 2, `${rssiReports(sup).length} reports while standing still`);
});

test("a station walking away gets falling RSSI reports, one per beacon check at most, and the low threshold is reported", () => {
  const { scheduler, medium, ap, radio } = wifiWorld();
  const sup = new TestSupplicant(radio, "correct horse", "lab", ap.mac);
  sup.join(6);
  scheduler.runUntil(200_000);
  assert.ok(radio.isAssociated);
  const times: number[] = [];
  radio.client = { ...radio.client!, wifiEvent: (event, status, data) => { sup.events.push({ event, status, data }); if (event === WifiEvent.Rssi) times.push(scheduler.now); } };
  // 5 m -> 120 m at 4 m/s (about -41 dBm -> -82 dBm), then stand still for 10 s.
  for (let t = 0; t <= 29e6; t += 100_000) {
    radio.position = { x: 5 + (115 * t) / 29e6, y: 0 };
    scheduler.runUntil(200_000 + t);
  }
  scheduler.runUntil(40e6);
  assert.ok(radio.isAssociated, "still associated at -82 dBm");
  const values = rssiReports(sup).map((e) => e.status);
  assert.ok(values.length >= 8, `reports: ${values}`);
  for (let i = 1; i < values.length; i++) assert.ok(values[i] < values[i - 1], `falling: ${values}`);
  assert.ok(Math.abs(values.at(-1)! - medium.meanRssi(ap, radio)) <= 3, `the last report ${values.at(-1)} tracks the mean ${medium.meanRssi(ap, radio).toFixed(1)}`);
  assert.ok(values.some((v) => v < -75), "below the roaming threshold");
  // No storm: never two reports in one beacon check, and about one per 3 dB fallen.
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= BEACON_CHECK_US, `reports ${times[i - 1]} and ${times[i]} µs`);
  assert.ok(values.length <= (values[0] - values.at(-1)!) / 3 + 3, `${values.length} reports for ${values[0] - values.at(-1)!} dB`);
});
