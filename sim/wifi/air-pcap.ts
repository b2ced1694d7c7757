// An 802.11 capture of the simulated air (radiotap + 802.11), as a monitor-mode sniffer
// would record it. tshark decrypts it given the SSID and passphrase (wpa-pwd), which checks
// the handshake and CCMP from outside our code.
import { LINKTYPE_IEEE802_11_RADIOTAP, PcapWriter, radiotapHeader } from "../net/pcap.ts";
import { channelMHz } from "./ieee80211.ts";
import type { Medium } from "./medium.ts";

export function captureAir(medium: Medium): PcapWriter {
  const pcap = new PcapWriter(LINKTYPE_IEEE802_11_RADIOTAP);
  medium.tap((time, frame, channel, rssi, rateMbps) => {
    pcap.add(time, Buffer.concat([radiotapHeader({ rateMbps, channelMHz: channelMHz(channel), signalDbm: rssi }), frame]));
  });
  return pcap;
}
