// Wi-Fi time to IP on the whole device (build/stack.counted.wasm under the CPU model), a
// Wi-Fi-only board (esp32-devkitc-wifi) and a WPA2-PSK access point bridged to a LAN with
// a DHCP server (sim/topologies.ts wifiOnlyLan):
//  - cold: a freshly booted board with an empty flash is given the network (`wifi join`):
//    full scan, PMK derivation, join, 4-way handshake, DHCP (DISCOVER..ACK). The PMK is
//    reported apart, as the issue asks; its log lines bound it.
//  - fast reconnect: the same board restarts (a reboot or a deep-sleep wake) with the PMK,
//    the BSS and the lease in its config store: no scan, no PBKDF2, DHCP INIT-REBOOT.
//    Measured from the restart (module init included) to the address.
//  - after a deauth: the AP drops the board; the driver rejoins the cached BSS at once.
import { World, SECOND, MS } from "../sim/world.ts";
import { typeLines, wifiOnlyLan, WIFI_LAN, type WifiOnlyLan } from "../sim/topologies.ts";
import type { TimelineEntry } from "../sim/timeline.ts";
import { macString } from "../sim/wifi/ap.ts";
import { roundTo } from "./round.ts";

const BOUND = /net: if0 \d+\.\d+\.\d+\.\d+\/\d+/;

export interface WifiTimes {
  lan: WifiOnlyLan;
  world: World;
  coldMs: number;
  pmkMs: number;
  scanMs: number;
  joinMs: number;
  dhcpMs: number;
  fastMs: number;
  fastScans: number;
  fastPmkDerivations: number;
  fastDhcpMessages: string[];
  deauthMs: number;
}

/** Runs the three connects; throws when one does not reach an address. */
export function measureWifiTimes(seed = 11): WifiTimes {
  const world = new World(seed);
  const lan = wifiOnlyLan(world);
  const { dev } = lan;
  const after = (t: number, re: RegExp): TimelineEntry | undefined => world.timeline.entries.find((e) => e.time >= t && re.test(e.text));
  const waitFor = (t: number, re: RegExp, what: string, limitUs = 30 * SECOND): number => {
    world.runUntil(() => !!after(t, re), limitUs);
    const e = after(t, re);
    if (!e) throw new Error(`bench wifi-device: no ${what}`);
    return e.time;
  };
  dev.boot();
  world.runFor(200 * MS);

  // Cold.
  const t0 = world.scheduler.now;
  typeLines(world, dev, [`wifi join ${WIFI_LAN.ssid} "${WIFI_LAN.passphrase}"`], 1 * MS);
  const boundAt = waitFor(t0, BOUND, "address after the cold connect");
  const pmkStart = waitFor(t0, /wifi: deriving the PMK/, "PMK start");
  const pmkEnd = waitFor(t0, /wifi: PMK ready/, "PMK end");
  const joining = waitFor(t0, /wifi: joining/, "join");
  const connected = waitFor(t0, /wifi: connected/, "connection");
  const pmkMs = (pmkEnd - pmkStart) / 1000;

  // Let the lease, PMK and BSS reach the config store, then restart.
  world.runFor(3 * SECOND);
  const scansBefore = lan.radio.counters.scans;
  const dhcpBefore = lan.dhcp.log.length;
  const t1 = world.scheduler.now;
  dev.boot();
  const fastAt = waitFor(t1, BOUND, "address after the restart");
  const fastPmk = after(t1, /wifi: deriving the PMK/) ? 1 : 0;
  const fastScans = lan.radio.counters.scans - scansBefore;
  const fastDhcpMessages = lan.dhcp.log.slice(dhcpBefore).map((m) => m.type);

  // After a while connected, the AP deauthenticates the board; it rejoins the cached BSS at
  // once (a connection dropped within Esp32WifiConfig.stableConnectionUs backs off instead).
  world.runFor(15 * SECOND);
  const t2 = world.scheduler.now;
  lan.ap.deauth(Buffer.from(dev.baseMac).toString("hex").replace(/(..)(?!$)/g, "$1:"), 1);
  const downAt = waitFor(t2, /net: if0 0\.0\.0\.0|wifi: deauthenticated/, "link loss");
  const backAt = waitFor(downAt, BOUND, "address after the deauth");

  return {
    lan, world,
    coldMs: (boundAt - t0) / 1000 - pmkMs,
    pmkMs,
    scanMs: (pmkStart - t0) / 1000,
    joinMs: (connected - joining) / 1000,
    dhcpMs: (boundAt - connected) / 1000,
    fastMs: (fastAt - t1) / 1000,
    fastScans,
    fastPmkDerivations: fastPmk,
    fastDhcpMessages,
    deauthMs: (backAt - t2) / 1000,
  };
}

export async function benchWifiDevice(): Promise<Record<string, number>> {
  const t = measureWifiTimes();
  return {
    wifi_cold_connect_to_ip_virtual_ms: roundTo(t.coldMs, 1),
    wifi_cold_connect_pmk_virtual_ms: roundTo(t.pmkMs, 1),
    wifi_cold_connect_scan_virtual_ms: roundTo(t.scanMs, 1),
    wifi_cold_connect_join_4way_virtual_ms: roundTo(t.joinMs, 1),
    wifi_cold_connect_dhcp_virtual_ms: roundTo(t.dhcpMs, 1),
    wifi_fast_reconnect_to_ip_virtual_ms: roundTo(t.fastMs, 1),
    wifi_reconnect_after_deauth_to_ip_virtual_ms: roundTo(t.deauthMs, 1),
  };
}
