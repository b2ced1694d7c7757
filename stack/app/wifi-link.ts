// The ESP32 Wi-Fi station as a network interface of the device (drivers/esp32-wifi), fed
// from the config store: the known networks are the wifi.N.{ssid,pass,psk,prio} slots
// (console `wifi join`, Improv), the PMK of each is persisted as `_pmk.N` (so a passphrase is
// stretched once per network, not per boot), and the BSS last joined as `_bss.N` (so a
// reboot or a deep-sleep wake reconnects without a scan). DHCP runs over it like over the
// wired port (stack/app/ipconfig.ts); the route table prefers the wired interface.
//
// Wiring (stack/system.ts): wifiLink.init(net) when the board has Wi-Fi, wifiLink.apply(now)
// after a config commit, wifiLink.poll(now) in System.poll, and the host's Wi-Fi events and
// frames to onEvent/onRx.
import { NO_DEADLINE, BoardKey, MacKind, board_info, factory_mac } from "../../hal/generated/hal";
import { reserve } from "../runtime/memory";
import { configStore } from "../config/store";
import { VType, WIFI_SLOTS } from "../config/schema";
import { wifiKey, wifiKeyPtr, pmkKey, bssKey, slotSsidLen, slotSsidPtr, slotPrio, findSsid } from "../config/wifi";
import { improvSetConnector, improvSetScanner, improvWifiResult, improvScanResult, improvScanDone } from "../console/improv";
import { shell, Args, Reply } from "../console/index";
import { NetStack } from "../net/stack";
import { InterfaceConfig } from "../net/interface";
import { Esp32Wifi, WifiListener, WifiState, WifiFailure, ScanObserver } from "../../drivers/esp32-wifi/wifi";
import { RsnResult } from "../../drivers/esp32-wifi/rsn";
import { PMK_RECORD_SIZE, BSS_RECORD_SIZE } from "../../drivers/esp32-wifi/networks";

const SECRET_MAX: i32 = 64;

export class WifiLink extends WifiListener {
  driver: Esp32Wifi | null = null;
  ifIndex: i32 = -1;
  /** Known-network index in the driver -> config slot. */
  private slotOf: StaticArray<i32> = new StaticArray<i32>(WIFI_SLOTS);
  /** FNV-1a of the wifi.N.* settings last loaded. */
  private settings: u32 = 0;
  private loaded: bool = false;
  /** The driver learnt something worth keeping (a PMK, a BSS) that waits for the store. */
  private saveBss: bool = false;
  /** An Improv provisioning waits for this interface to get an address (or fail). */
  private provisioning: bool = false;
  private net: NetStack | null = null;
  private secret: usize = reserve(SECRET_MAX);
  private record: usize = reserve(max(PMK_RECORD_SIZE, BSS_RECORD_SIZE));

  /** Creates the driver and its interface when the board has Wi-Fi. Call during System.init. */
  init(net: NetStack): void {
    shell.register("wifi status", "wifi status            Wi-Fi state, network, signal, last failure", cmdWifiStatus);
    shell.register("wifi scan", "wifi scan              networks in range: BSSID, channel, RSSI, security, SSID", cmdWifiScan);
    if (board_info(BoardKey.HasWifi) <= 0) return;
    const mac = this.record;
    if (factory_mac(MacKind.WifiStation, mac) != 0) {
      store<u32>(mac, 0x00_00_00_02); store<u16>(mac + 4, 0x0200); // 02:00:00:00:00:02, locally administered
    }
    const wifi = new Esp32Wifi(mac);
    // One ARP queue slot: a station talks mostly to its gateway, resolved once per join.
    const ic = new InterfaceConfig();
    ic.arpQueueSlots = 1;
    const iface = net.addInterface(wifi, ic);
    if (!iface) return;
    wifi.listener = this;
    this.driver = wifi;
    this.ifIndex = iface.index;
    this.net = net;
    improvSetConnector(improvConnect);
    improvSetScanner(improvScan);
  }

  /** After a config commit: reloads the known networks when the wifi.N.* keys changed. */
  apply(now: i64): void {
    const wifi = this.driver;
    if (!wifi) return;
    const fp = wifiFingerprint();
    if (this.loaded && fp == this.settings) return;
    this.loaded = true;
    this.settings = fp;
    wifi.stop(now);
    wifi.known.clear();
    wifi.pmkCache.clear(); // the config store is the truth: a forgotten network's PMK goes too
    for (let s = 0; s < WIFI_SLOTS; s++) {
      const n = slotSsidLen(s);
      if (n == 0) continue;
      const k = this.addSlot(wifi, s, n);
      if (k < 0) continue;
      unchecked(this.slotOf[k] = s);
      this.restore(wifi, s, k);
    }
    if (wifi.known.count > 0) wifi.start(now);
  }

  poll(now: i64): i64 {
    const wifi = this.driver;
    if (!wifi) return NO_DEADLINE;
    if (this.provisioning) {
      const iface = this.net!.iface(this.ifIndex)!;
      if (iface.address != 0 && wifi.state == WifiState.Connected) { this.provisioning = false; improvWifiResult(true, now); }
    }
    // The user's uncommitted `config set` changes must not ride along with our commit.
    if ((wifi.pmkCache.dirty || this.saveBss) && configStore.pending == 0) this.persist();
    return NO_DEADLINE; // the driver's deadlines come through NetStack.poll
  }

  onWifiStatus(state: WifiState, failure: WifiFailure, code: i32, now: i64): void {
    if (state == WifiState.Connected) this.saveBss = true;
    if (this.provisioning && state == WifiState.Backoff && failure != WifiFailure.None) {
      this.provisioning = false;
      improvWifiResult(false, now);
    }
  }

  startProvisioning(): void { this.provisioning = this.driver != null; }

  private addSlot(wifi: Esp32Wifi, s: i32, ssidLen: i32): i32 {
    const ssid = slotSsidPtr(s);
    const psk = configStore.findBytes(wifiKeyPtr(), wifiKey(s, "psk"));
    if (psk >= 0 && !configStore.isDeleted(psk) && configStore.valueLen(psk) == 32) {
      return wifi.addNetworkPsk(ssid, ssidLen, configStore.valuePtr(psk), slotPrio(s));
    }
    const pass = configStore.findBytes(wifiKeyPtr(), wifiKey(s, "pass"));
    const n = pass >= 0 && !configStore.isDeleted(pass) ? min(configStore.valueLen(pass), SECRET_MAX) : 0;
    if (n > 0) memory.copy(this.secret, configStore.valuePtr(pass), <usize>n);
    const k = wifi.addNetwork(ssid, ssidLen, this.secret, n, slotPrio(s));
    memory.fill(this.secret, 0, SECRET_MAX);
    return k;
  }

  /** The slot's persisted PMK and BSS into the driver's caches. */
  private restore(wifi: Esp32Wifi, s: i32, k: i32): void {
    let i = configStore.findBytes(wifiKeyPtr(), pmkKey(s));
    if (i >= 0 && !configStore.isDeleted(i)) wifi.pmkCache.load(s, configStore.valuePtr(i), configStore.valueLen(i));
    wifi.pmkFromCache(k); // a fast join needs the PMK at hand
    i = configStore.findBytes(wifiKeyPtr(), bssKey(s));
    if (i >= 0 && !configStore.isDeleted(i)) wifi.known.loadBss(k, configStore.valuePtr(i), configStore.valueLen(i));
  }

  /** Writes changed PMK and BSS records (only those that differ: flash wear) in one commit. */
  private persist(): void {
    const wifi = this.driver!;
    wifi.pmkCache.dirty = false;
    this.saveBss = false;
    let changed = false;
    for (let c = 0; c < WIFI_SLOTS; c++) {
      if (!wifi.pmkCache.valid(c)) continue;
      const r = wifi.pmkCache.record(c);
      const s = findSsid(r + 2, <i32>load<u8>(r + 1));
      if (s >= 0) changed = writeIfChanged(pmkKey(s), r, PMK_RECORD_SIZE) || changed;
    }
    for (let k = 0; k < wifi.known.count; k++) {
      const n = wifi.known.saveBss(k, this.record);
      if (n > 0) changed = writeIfChanged(bssKey(unchecked(this.slotOf[k])), this.record, n) || changed;
    }
    if (changed) configStore.commit();
  }
}


/** Stages key (in wifiKeyPtr(), keyLen bytes) = bytes unless it already holds them. */
function writeIfChanged(keyLen: i32, p: usize, n: i32): bool {
  const i = configStore.findBytes(wifiKeyPtr(), keyLen);
  if (i >= 0 && !configStore.isDeleted(i) && configStore.valueLen(i) == n && memory.compare(configStore.valuePtr(i), p, <usize>n) == 0) return false;
  return configStore.setRaw(wifiKeyPtr(), keyLen, VType.Bytes, p, n) == 0;
}

/** FNV-1a over every wifi.N.* value. */
function wifiFingerprint(): u32 {
  let h: u32 = 0x811c9dc5;
  for (let s = 0; s < WIFI_SLOTS; s++) {
    h = mixKey(h, wifiKey(s, "ssid"));
    h = mixKey(h, wifiKey(s, "pass"));
    h = mixKey(h, wifiKey(s, "psk"));
    h = mixKey(h, wifiKey(s, "prio"));
  }
  return h;
}

function mixKey(h: u32, keyLen: i32): u32 {
  const i = configStore.findBytes(wifiKeyPtr(), keyLen);
  h = (h ^ 0xff) * 16777619; // a separator, so moving bytes between keys changes the hash
  if (i < 0 || configStore.isDeleted(i)) return h;
  const p = configStore.valuePtr(i);
  for (let j = 0, n = configStore.valueLen(i); j < n; j++) h = (h ^ <u32>load<u8>(p + j)) * 16777619;
  return h;
}

export const wifiLink = new WifiLink();

/** A user's scan goes to whoever asked: the console (a deferred reply, a line per BSS) and/or Improv. */
class ScanToUsers extends ScanObserver {
  console: bool = false;
  improv: bool = false;

  onBss(bssid: usize, ssid: usize, ssidLen: i32, channel: i32, rssi: i32, security: i32, open: bool, now: i64): void {
    if (this.improv) improvScanResult(ssid, ssidLen, rssi, !open);
    if (!this.console) return;
    const r = shell.reply;
    // "ch 6 rssi -45 wpa2-psk <ssid>": the SSID last, so one with spaces still parses.
    r.fieldStartMac(bssid);
    r.quote();
    r.part("ch "); r.partU32(channel); r.part(" rssi ");
    if (rssi < 0) { r.part("-"); r.partU32(-rssi); } else r.partU32(rssi);
    if (security != RsnResult.Ok) r.part(security == RsnResult.Wpa1Only ? " wpa1 " : " unsupported ");
    else r.part(open ? " open " : " wpa2-psk ");
    r.partBytes(ssid, ssidLen);
    r.quote();
    r.endField();
  }

  onScanDone(now: i64): void {
    if (this.improv) { this.improv = false; improvScanDone(); }
    if (this.console) { this.console = false; shell.finishDeferred(); }
  }
}

const scanUsers = new ScanToUsers();

function cmdWifiScan(a: Args, r: Reply, now: i64): void {
  const wifi = wifiLink.driver;
  if (!wifi) { r.fail("unsupported", "this board has no Wi-Fi"); return; }
  if (!scanUsers.console && !scanUsers.improv && !wifi.scanFor(scanUsers, now)) { r.fail("busy", "busy joining a network; try again"); return; }
  scanUsers.console = true;
  r.deferred = true;
  shell.onCancel(cancelConsoleScan);
}

function cancelConsoleScan(): void { scanUsers.console = false; }

function improvScan(now: i64): bool {
  const wifi = wifiLink.driver;
  if (!wifi) return false;
  if (!scanUsers.console && !scanUsers.improv && !wifi.scanFor(scanUsers, now)) return false;
  scanUsers.improv = true;
  return true;
}

/** Improv stored the credentials (and committed): the reload after that commit joins them. */
function improvConnect(slot: i32, now: i64): void {
  wifiLink.startProvisioning();
}

function cmdWifiStatus(a: Args, r: Reply, now: i64): void {
  const wifi = wifiLink.driver;
  if (!wifi) { r.fail("unsupported", "this board has no Wi-Fi"); return; }
  stateField(r, wifi.state);
  const k = wifi.currentNetwork();
  if (wifi.state >= WifiState.Joining && k >= 0) {
    r.fieldBytes("ssid", wifi.known.ssid(k), wifi.known.ssidLen(k));
    r.field("bssid"); r.quote(); r.partMac(wifi.currentBssid()); r.quote(); r.endField();
    r.fieldU32("channel", wifi.currentChannel());
  }
  if (wifi.state == WifiState.Connected) r.fieldI64("rssi", wifi.lastRssi());
  if (wifi.state == WifiState.DerivingPmk) r.fieldU32("pmk_permille", wifi.pmkProgress());
  failureField(r, wifi.lastFailure());
  r.fieldU32("last_failure_code", wifi.failureCode());
  r.fieldU32("connects", wifi.connects);
  r.fieldU32("fast_joins", wifi.fastJoins);
  r.fieldU32("roams", wifi.roams);
  r.fieldU32("failures", wifi.failures);
  r.fieldU32("pmk_derivations", wifi.pmkDerivations);
}


// Names as stable machine codes (one field call each: console text costs RAM as strings).
function stateField(r: Reply, s: WifiState): void {
  switch (s) {
    case WifiState.Backoff: r.fieldStr("state", "backoff"); break;
    case WifiState.Scanning: r.fieldStr("state", "scanning"); break;
    case WifiState.DerivingPmk: r.fieldStr("state", "deriving_pmk"); break;
    case WifiState.Joining: r.fieldStr("state", "joining"); break;
    case WifiState.Handshake: r.fieldStr("state", "handshake"); break;
    case WifiState.Connected: r.fieldStr("state", "connected"); break;
    default: r.fieldStr("state", "idle"); break;
  }
}

function failureField(r: Reply, f: WifiFailure): void {
  switch (f) {
    case WifiFailure.ApNotFound: r.fieldStr("last_failure", "ap_not_found"); break;
    case WifiFailure.SecurityUnsupported: r.fieldStr("last_failure", "security_unsupported"); break;
    case WifiFailure.AssocRejected: r.fieldStr("last_failure", "assoc_rejected"); break;
    case WifiFailure.NoResponse: r.fieldStr("last_failure", "no_response"); break;
    case WifiFailure.WrongPassphrase: r.fieldStr("last_failure", "wrong_passphrase"); break;
    case WifiFailure.HandshakeTimeout: r.fieldStr("last_failure", "handshake_timeout"); break;
    case WifiFailure.ApDeauth: r.fieldStr("last_failure", "ap_deauth"); break;
    case WifiFailure.BeaconLoss: r.fieldStr("last_failure", "beacon_loss"); break;
    case WifiFailure.RsnMismatch: r.fieldStr("last_failure", "rsn_mismatch"); break;
    case WifiFailure.BadCredentials: r.fieldStr("last_failure", "bad_credentials"); break;
    default: r.fieldStr("last_failure", "none"); break;
  }
}
