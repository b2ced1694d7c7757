// The AssemblyScript Wi-Fi driver + supplicant (build/harness/wifi.wasm) against the
// simulated air: sim/wifi/ap.ts (an independent WPA2 authenticator in Node crypto) and the
// ESP32 radio model behind the HAL (sim/wifi/radio.ts). World: bench/wifi.ts WifiWorld.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WifiWorld, Stat, State, Failure, STA_MAC } from "../../bench/wifi.ts";
import { pmkFromPassphrase } from "../../sim/wifi/crypto.ts";
import { rsnIeWpa2Psk, ethernetFrame } from "../../sim/wifi/ieee80211.ts";
import { WifiEvent } from "../../sim/generated/hal.ts";

const STA = "02:aa:bb:cc:dd:01";

async function connected(opts: ConstructorParameters<typeof WifiWorld>[0] = { aps: [{}] }, secret = "correct horse") {
  const w = await WifiWorld.create(opts);
  w.addNetwork("lab", secret);
  w.start();
  return w;
}

test("the right passphrase connects: PMK derived in slices, 4-way done, keys installed, data both ways", async () => {
  const w = await connected();
  const progress: number[] = [];
  assert.ok(w.runUntil(() => { if (w.state === State.DerivingPmk) progress.push(w.ex.pmk_progress()); return w.linkUp; }, 30e6), "link up");
  // The PMK ran as a job over many polls, reporting progress.
  assert.ok(progress.length > 100, `slices: ${progress.length}`);
  assert.ok(progress.some((p) => p > 0 && p < 1000) && progress.every((p, i) => i === 0 || p >= progress[i - 1]));
  assert.equal(w.stat(Stat.pmkDerivations), 1);
  assert.equal(w.ex.sink_ups(), 1);
  w.run(100_000);
  assert.equal(w.ap.counters.handshakesCompleted, 1);
  assert.deepEqual(w.setKeys.map((k) => [k.kind, k.index]), [[0, 0], [1, 1]]);
  assert.ok(w.log.some((l) => l.startsWith("wifi: connected to lab 02:00:00:00:0a:01 ch 6")));
  // Data: up through the AP to the wired side, and down from it.
  const up = ethernetFrame(Buffer.alloc(6, 0xff), STA_MAC, 0x0800, Buffer.from("hello wired"));
  assert.equal(w.transmit(up), true);
  w.run(100_000);
  assert.equal(Buffer.from(w.wired.frames.at(-1)!).subarray(14).toString(), "hello wired");
  w.wired.inject(ethernetFrame(STA_MAC, Buffer.from("020000000099", "hex"), 0x0800, Buffer.from("unicast down")));
  w.wired.inject(ethernetFrame(Buffer.alloc(6, 0xff), Buffer.from("020000000099", "hex"), 0x0806, Buffer.from("broadcast down")));
  w.run(100_000);
  assert.equal(w.ex.sink_frames(), 2);
  assert.equal(Buffer.from(w.mem().slice(w.ex.sink_last() + 14, w.ex.sink_last() + w.ex.sink_last_len())).toString(), "broadcast down");
  // The PMK cache record (what the config store persists) holds the right PMK.
  const size = w.ex.pmk_record_size();
  const rec = Buffer.from(w.mem().slice(w.ex.pmk_record(0), w.ex.pmk_record(0) + size));
  assert.equal(rec[0], 1);
  assert.equal(rec.subarray(2, 2 + rec[1]).toString(), "lab");
  assert.equal(rec.subarray(42, 74).toString("hex"), pmkFromPassphrase("correct horse", "lab").toString("hex"));
  assert.equal(w.ex.pmk_cache_dirty(), 1);
});

test("a wrong passphrase fails as such (AP reason 15) and backs off exponentially; the PMK is derived once", async () => {
  const w = await connected({ aps: [{}] }, "wrong horse!");
  assert.ok(w.runUntil(() => w.failure !== Failure.None, 30e6));
  assert.equal(w.failure, Failure.WrongPassphrase);
  assert.equal(w.failureCode, 15);
  assert.equal(w.state, State.Backoff);
  assert.ok(w.log.some((l) => l.includes("wrong passphrase")));
  assert.equal(w.setKeys.length, 0);
  const firstDelay = Number(w.ex.retry_at()) - w.scheduler.now;
  assert.ok(firstDelay >= 1_000_000 && firstDelay <= 1_500_000, `first backoff ${firstDelay}`);
  // Next attempts: again wrong, with growing delays; no second PBKDF2 (cached PMK, fast join).
  const delays: number[] = [firstDelay];
  for (let i = 0; i < 3; i++) {
    const f = w.stat(Stat.failures);
    assert.ok(w.runUntil(() => w.stat(Stat.failures) > f, 120e6));
    assert.equal(w.failure, Failure.WrongPassphrase);
    delays.push(Number(w.ex.retry_at()) - w.scheduler.now);
  }
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i] > delays[i - 1] * 1.3, `delays ${delays}`);
  assert.equal(w.stat(Stat.pmkDerivations), 1);
  assert.equal(w.ex.link_up(), 0);
});

test("the AP vanishes (beacon loss) then reappears: reported, rescanned, reconnected without a new PMK", async () => {
  const w = await connected();
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  w.ap.setPowered(false);
  assert.ok(w.runUntil(() => w.failure === Failure.BeaconLoss, 10e6), "beacon loss reported");
  assert.equal(w.ex.sink_downs(), 1);
  assert.ok(w.runUntil(() => w.failure === Failure.ApNotFound, 10e6), "then not found");
  w.run(20e6);
  assert.ok(w.stat(Stat.scans) >= 3, "keeps scanning with backoff");
  w.ap.setPowered(true);
  assert.ok(w.runUntil(() => w.linkUp, 120e6), "reconnected");
  assert.equal(w.stat(Stat.connects), 2);
  assert.equal(w.stat(Stat.pmkDerivations), 1);
});

test("roaming within one SSID: on beacon loss to the other AP, and on weak RSSI to a stronger one", async () => {
  const w = await connected({ aps: [{ channel: 1, position: { x: 0, y: 0 } }, { channel: 11, position: { x: 40, y: 0 } }], staPosition: { x: 5, y: 0 } });
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  assert.equal(w.bssid(), "02:00:00:00:0a:01", "the nearer AP");
  w.aps[0].setPowered(false);
  assert.ok(w.runUntil(() => w.failure === Failure.BeaconLoss, 10e6));
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  assert.equal(w.bssid(), "02:00:00:00:0a:02");
  assert.equal(w.aps[1].counters.handshakesCompleted >= 0, true);
  // AP 1 comes back; we walk to it; the radio reports a weak RSSI -> roam scan -> roam.
  w.aps[0].setPowered(true);
  w.radio.position = { x: 2, y: 0 };
  w.event(WifiEvent.Rssi, -82);
  assert.ok(w.runUntil(() => w.stat(Stat.roams) === 1 && w.linkUp, 30e6), "roamed");
  assert.equal(w.bssid(), "02:00:00:00:0a:01");
  assert.equal(w.stat(Stat.pmkDerivations), 1);
  // A second weak report inside the hold-off does not scan again.
  const scans = w.stat(Stat.scans);
  w.event(WifiEvent.Rssi, -85);
  w.run(2e6);
  assert.equal(w.stat(Stat.scans), scans);
  // Walk away from both APs and stay there: the signal is weak and flat (the radio reports
  // only changes), no BSS is better, and the driver keeps looking once per hold-off.
  w.radio.position = { x: -95, y: 0 };
  w.run(3e6);
  const weakScans = w.stat(Stat.scans);
  w.run(65e6);
  assert.ok(w.linkUp, "still connected");
  assert.ok(w.stat(Stat.scans) - weakScans >= 2, `roam scans while weak: ${w.stat(Stat.scans) - weakScans}`);
});

test("GTK rekey: group key handshake answered, the new GTK installed with its RSC, broadcast still flows", async () => {
  const w = await connected();
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  w.run(100_000);
  const before = w.setKeys.length;
  w.ap.rekeyGtk();
  w.run(200_000);
  assert.ok(w.ap.events.some((e) => e.what === "group key handshake complete"));
  const added = w.setKeys.slice(before);
  assert.equal(added.length, 1);
  assert.equal(added[0].kind, 1);
  assert.equal(added[0].index, 2);
  assert.equal(w.stat(Stat.groupInstalls), 2);
  w.wired.inject(ethernetFrame(Buffer.alloc(6, 0xff), Buffer.from("020000000099", "hex"), 0x0806, Buffer.from("after rekey")));
  w.run(100_000);
  assert.equal(Buffer.from(w.mem().slice(w.ex.sink_last() + 14, w.ex.sink_last() + w.ex.sink_last_len())).toString(), "after rekey");
  // Replaying the group message 1 (same replay counter) is dropped: no G2, no reinstall.
  const g1 = w.eapolRx.at(-1)!;
  const tx = w.eapolTx.length;
  w.rx(1, g1);
  assert.equal(w.setKeys.length, before + 1);
  assert.equal(w.eapolTx.length, tx);
  assert.equal(w.stat(Stat.replays), 1);
});

test("KRACK: a replayed M3 is dropped; an AP-retransmitted M3 gets M4 again but nothing is reinstalled", async () => {
  const w = await connected();
  let m4Dropped = false;
  // Drop our first M4 so the AP retransmits M3 (with a higher replay counter).
  w.dropEapolTx = (_f, i) => { if (i === 1 && !m4Dropped) { m4Dropped = true; return true; } return false; };
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  assert.ok(w.runUntil(() => w.ap.counters.handshakesCompleted === 1, 5e6), "AP completes after its M3 retry");
  assert.equal(w.ap.counters.m3Sent, 2);
  assert.equal(w.stat(Stat.m3Retransmits), 1);
  assert.equal(w.eapolTx.length, 3, "M2, M4 (dropped), M4 again");
  assert.deepEqual(w.setKeys.map((k) => [k.kind, k.index]), [[0, 0], [1, 1]], "TK and GTK installed once");
  // An attacker replays the last M3 verbatim: same replay counter -> dropped, no M4, no install.
  const m3 = w.eapolRx.filter((f) => (f[14 + 6] & 0x40) !== 0).at(-1)!;
  w.rx(1, m3);
  assert.equal(w.eapolTx.length, 3);
  assert.equal(w.setKeys.length, 2);
  assert.equal(w.stat(Stat.replays), 1);
  // The link keeps working (the radio's PN state was never reset).
  assert.equal(w.transmit(ethernetFrame(Buffer.alloc(6, 0xff), STA_MAC, 0x0800, Buffer.from("still up"))), true);
  w.run(100_000);
  assert.equal(Buffer.from(w.wired.frames.at(-1)!).subarray(14).toString(), "still up");
});

test("a downgraded RSN element in M3 is refused: deauth reason 17, no keys, reported", async () => {
  const tkip = Buffer.from([1, 0, 0x00, 0x0f, 0xac, 2, 1, 0, 0x00, 0x0f, 0xac, 2, 1, 0, 0x00, 0x0f, 0xac, 2, 0, 0]);
  const w = await connected({ aps: [{ m3RsnIe: tkip }] });
  assert.ok(w.runUntil(() => w.failure !== Failure.None, 30e6));
  assert.equal(w.failure, Failure.RsnMismatch);
  assert.equal(w.failureCode, 17);
  assert.deepEqual(w.leaves, [17]);
  assert.equal(w.setKeys.length, 0);
  assert.equal(w.eapolTx.length, 1, "only M2: no M4 for a mismatched M3");
  w.run(100_000);
  assert.ok(w.ap.events.some((e) => e.what === "station left, reason 17"));
  // Even a capability-only difference counts (byte-for-byte comparison).
  const w2 = await connected({ aps: [{ m3RsnIe: rsnIeWpa2Psk(0x000c) }] });
  assert.ok(w2.runUntil(() => w2.failure !== Failure.None, 30e6));
  assert.equal(w2.failure, Failure.RsnMismatch);
});

test("the AP retransmits M1 when our first M2 is lost; the handshake completes with the second", async () => {
  const w = await connected();
  w.dropEapolTx = (_f, i) => i === 0;
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  w.run(100_000);
  assert.equal(w.ap.counters.m1Sent, 2);
  assert.equal(w.ap.counters.handshakesCompleted, 1);
  assert.equal(w.stat(Stat.pairwiseInstalls), 1);
});

test("fast reconnect after an AP deauth: reported with its reason, cached BSS joined without a scan", async () => {
  const w = await connected();
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  const scans = w.stat(Stat.scans);
  w.ap.deauth(STA, 4);
  assert.ok(w.runUntil(() => w.failure === Failure.ApDeauth, 1e6));
  assert.equal(w.failureCode, 4);
  assert.ok(w.runUntil(() => w.linkUp, 10e6));
  assert.equal(w.stat(Stat.scans), scans, "no scan");
  assert.equal(w.stat(Stat.fastJoins), 1);
  assert.equal(w.stat(Stat.pmkDerivations), 1);
  assert.ok(w.log.some((l) => l.startsWith("wifi: fast join lab")));
});

test("a fast join to a BSS that is gone falls back to a scan and finds the network elsewhere", async () => {
  const w = await connected({ aps: [{ channel: 1 }, { channel: 11, position: { x: 10, y: 0 } }] });
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  const first = w.bssid();
  const idx = first.endsWith("01") ? 0 : 1;
  w.aps[idx].deauth(STA, 1);
  w.aps[idx].setPowered(false);
  assert.ok(w.runUntil(() => w.stat(Stat.connects) === 2, 30e6));
  assert.notEqual(w.bssid(), first);
  assert.ok(w.log.some((l) => l.startsWith("wifi: fast join failed")));
});

test("security we refuse is reported distinctly: TKIP-only, PSK-SHA256 only, PMF required; not found; rejected", async () => {
  const cases: [Buffer, number][] = [
    [Buffer.from([1, 0, 0x00, 0x0f, 0xac, 2, 1, 0, 0x00, 0x0f, 0xac, 2, 1, 0, 0x00, 0x0f, 0xac, 2, 0, 0]), 4], // TKIP group
    [Buffer.from([1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 2, 1, 0, 0x00, 0x0f, 0xac, 2, 0, 0]), 5], // TKIP pairwise
    [rsnIeWpa2Psk(0, 6), 6],
    [rsnIeWpa2Psk(0x00c0), 7],
  ];
  for (const [rsnIe, code] of cases) {
    const w = await connected({ aps: [{ rsnIe }] });
    assert.ok(w.runUntil(() => w.failure !== Failure.None, 10e6));
    assert.equal(w.failure, Failure.SecurityUnsupported);
    assert.equal(w.failureCode, code);
    assert.equal(w.stat(Stat.pmkDerivations), 0, "no PMK work for a refused network");
  }
  const nf = await connected({ aps: [{ ssid: "other" }] });
  assert.ok(nf.runUntil(() => nf.failure !== Failure.None, 10e6));
  assert.equal(nf.failure, Failure.ApNotFound);
  const full = await connected({ aps: [{ maxStations: 0 }] });
  assert.ok(full.runUntil(() => full.failure !== Failure.None, 30e6));
  assert.equal(full.failure, Failure.AssocRejected);
  assert.equal(full.failureCode, 17);
});

test("network selection: priority beats a few dB, open networks only when configured open", async () => {
  const w = await WifiWorld.create({ aps: [
    { ssid: "home", channel: 1, position: { x: 0, y: 0 } },
    { ssid: "lab", channel: 6, position: { x: 8, y: 0 } },
    { ssid: "cafe", passphrase: null, channel: 11, position: { x: 3, y: 0 } },
  ], staPosition: { x: 5, y: 0 } });
  w.addNetwork("home", "correct horse", 1);
  w.addNetwork("lab", "correct horse", 5);
  w.addNetwork("cafe", "", 0);
  w.start();
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  assert.equal(w.bssid(), "02:00:00:00:0a:02", "lab has the higher priority");
  // An open network is joined when it is configured as open (and lab is gone).
  w.aps[1].setPowered(false);
  w.aps[0].setPowered(false);
  assert.ok(w.runUntil(() => w.stat(Stat.connects) === 2, 60e6));
  assert.equal(w.bssid(), "02:00:00:00:0a:03");
  assert.equal(w.setKeys.length, 2, "no keys for the open network");
});

test("an open AP advertising a protected network's SSID is refused (no downgrade to open)", async () => {
  const w = await WifiWorld.create({ aps: [{ passphrase: null }] });
  w.addNetwork("lab", "correct horse");
  w.start();
  assert.ok(w.runUntil(() => w.failure !== Failure.None, 10e6));
  assert.equal(w.failure, Failure.SecurityUnsupported);
  assert.equal(w.linkUp, false);
});

test("the driver's memory is bounded and nothing is allocated while running", async () => {
  const w = await connected();
  const top0 = w.ex.heap_top();
  assert.ok(w.runUntil(() => w.linkUp, 30e6));
  w.ap.rekeyGtk();
  w.ap.deauth(STA, 1);
  assert.ok(w.runUntil(() => w.stat(Stat.connects) === 2, 20e6));
  // heap_top itself allocates a zero-sized block (a few bytes) per probe.
  assert.ok(w.ex.heap_top() - top0 <= 32, `heap grew by ${w.ex.heap_top() - top0}`);
  assert.ok(w.ex.driver_bytes() < 4096, `driver reserves ${w.ex.driver_bytes()} bytes`);
});
