// A minimal WPA2 supplicant in TypeScript and a one-AP world, for testing the simulated AP,
// radio and air capture (the stack's own supplicant is AssemblyScript, judged separately).
import { Scheduler } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Medium } from "../../sim/wifi/medium.ts";
import { AccessPoint } from "../../sim/wifi/ap.ts";
import { Esp32WifiRadio } from "../../sim/wifi/radio.ts";
import { derivePtk, pmkFromPassphrase } from "../../sim/wifi/crypto.ts";
import { ETHERTYPE_EAPOL, KeyInfo, buildEapolKey, micValid, parseEapolKey, unwrapKeyData } from "../../sim/wifi/eapol.ts";
import { Ie, ethernetFrame, ie, parseIes, rsnIeWpa2Psk } from "../../sim/wifi/ieee80211.ts";
import type { FrameEndpoint, Port } from "../../sim/net/port.ts";

export const STA_MAC = Buffer.from("02aabbccdd01", "hex");

export class WiredCapture implements Port {
  frames: Uint8Array[] = [];
  private ep: FrameEndpoint | null = null;
  attach(ep: FrameEndpoint): void { this.ep = ep; }
  send(frame: Uint8Array): void { this.frames.push(frame); }
  get up(): boolean { return true; }
  onLinkChange(): () => void { return () => {}; }
  inject(frame: Uint8Array): void { this.ep?.receive(frame); }
}

export function wifiWorld(apOpts: Partial<ConstructorParameters<typeof AccessPoint>[3]> = {}) {
  const scheduler = new Scheduler();
  const rng = new Rng(11);
  const medium = new Medium(scheduler, rng.fork("air"));
  const ap = new AccessPoint(scheduler, rng.fork("ap"), medium, { ssid: "lab", passphrase: "correct horse", channel: 6, bssid: "02:00:00:00:0a:01", ...apOpts });
  const wired = new WiredCapture();
  ap.attachWired(wired);
  const radio = new Esp32WifiRadio(scheduler, medium, { mac: STA_MAC });
  return { scheduler, medium, ap, radio, wired };
}

/** A minimal supplicant: enough to drive the AP through the 4-way and group handshakes. */
export class TestSupplicant {
  events: { event: number; status: number; data: Uint8Array }[] = [];
  installed = { ptk: false, gtk: null as Buffer | null };
  m3Seen = 0;
  private ptk: ReturnType<typeof derivePtk> | null = null;
  private snonce = Buffer.alloc(32, 7);
  constructor(private radio: Esp32WifiRadio, private passphrase: string, private ssid: string, private bssid: Buffer) {
    radio.client = {
      wifiEvent: (event, status, data) => this.events.push({ event, status, data }),
      wifiRx: (kind, frame) => { if (kind === 1) this.onEapol(Buffer.from(frame)); },
    };
  }
  join(channel: number): void {
    const rsn = ie(Ie.Rsn, rsnIeWpa2Psk());
    const ssid = Buffer.from(this.ssid);
    this.radio.join(Buffer.concat([this.bssid, Buffer.of(channel, ssid.length), ssid, Buffer.of(3, 0, rsn.length), rsn]));
  }
  private onEapol(frame: Buffer): void {
    const eapol = frame.subarray(14);
    const key = parseEapolKey(eapol);
    if (!key) return;
    const send = (k: Parameters<typeof buildEapolKey>[0]) => {
      this.radio.eapolTx(ethernetFrame(this.bssid, STA_MAC, ETHERTYPE_EAPOL, buildEapolKey(k, this.ptk!.kck)));
    };
    const pairwise = (key.keyInfo & KeyInfo.Pairwise) !== 0;
    if (pairwise && !(key.keyInfo & KeyInfo.Mic)) {
      this.ptk = derivePtk(pmkFromPassphrase(this.passphrase, this.ssid), this.bssid, STA_MAC, key.nonce, this.snonce);
      send({ keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Mic, keyLength: 0, replayCounter: key.replayCounter, nonce: this.snonce, rsc: Buffer.alloc(8), mic: Buffer.alloc(16), keyData: ie(Ie.Rsn, rsnIeWpa2Psk()) });
    } else if (pairwise && this.ptk && micValid(eapol, this.ptk.kck)) {
      this.m3Seen++;
      const data = unwrapKeyData(this.ptk.kek, key.keyData)!;
      const kde = parseIes(data).get(Ie.Vendor)!.find((b) => b[3] === 1)!;
      send({ keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Mic | KeyInfo.Secure, keyLength: 0, replayCounter: key.replayCounter, nonce: Buffer.alloc(32), rsc: Buffer.alloc(8), mic: Buffer.alloc(16), keyData: Buffer.alloc(0) });
      this.radio.setKey(0, 0, this.ptk.tk, Buffer.alloc(6));
      this.radio.setKey(1, kde[4] & 3, kde.subarray(6, 22), key.rsc.subarray(0, 6));
      this.installed = { ptk: true, gtk: Buffer.from(kde.subarray(6, 22)) };
    } else if (!pairwise && this.ptk && micValid(eapol, this.ptk.kck)) {
      const kde = parseIes(unwrapKeyData(this.ptk.kek, key.keyData)!).get(Ie.Vendor)!.find((b) => b[3] === 1)!;
      send({ keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Mic | KeyInfo.Secure, keyLength: 0, replayCounter: key.replayCounter, nonce: Buffer.alloc(32), rsc: Buffer.alloc(8), mic: Buffer.alloc(16), keyData: Buffer.alloc(0) });
      this.radio.setKey(1, kde[4] & 3, kde.subarray(6, 22), key.rsc.subarray(0, 6));
      this.installed.gtk = Buffer.from(kde.subarray(6, 22));
    }
  }
}

