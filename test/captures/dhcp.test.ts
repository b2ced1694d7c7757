// DHCP capture conformance: every DHCP message listed in <captures>/dhcp/expected.json goes
// through the stack's AssemblyScript parser (test/harness/captures.ts) and must read as
// tshark read it. Adding a capture and its entry adds cases; no code change needed.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readPcap, LINKTYPE_ETHERNET } from "../../tools/pcap-read.ts";
import { transportOf } from "./lib/frames.ts";
import { loadCaptureSet } from "./lib/dir.ts";
import { WireHost, DHCP_TYPES, DHCP_HAS, type DhcpSummary } from "./lib/wire-host.ts";

interface DhcpExpected { frame: number; [key: string]: unknown }
interface DhcpCapture { file: string; packets: DhcpExpected[] }

/** expected.json key -> [presence bit (or 0 when always there), how to read it from our summary]. */
const FIELDS: Record<string, [number, (s: DhcpSummary) => unknown]> = {
  xid: [0, (s) => "0x" + s.xid.toString(16).padStart(8, "0")],
  type: [DHCP_HAS.MessageType, (s) => DHCP_TYPES[s.messageType] ?? String(s.messageType)],
  yiaddr: [0, (s) => s.yiaddr],
  ciaddr: [0, (s) => s.ciaddr],
  siaddr: [0, (s) => s.siaddr],
  giaddr: [0, (s) => s.giaddr],
  serverId: [DHCP_HAS.ServerId, (s) => s.serverId],
  leaseSeconds: [DHCP_HAS.LeaseTime, (s) => s.leaseTime],
  t1Seconds: [DHCP_HAS.RenewalTime, (s) => s.renewalTime],
  t2Seconds: [DHCP_HAS.RebindingTime, (s) => s.rebindingTime],
  subnetMask: [DHCP_HAS.SubnetMask, (s) => s.subnetMask],
  routers: [DHCP_HAS.Routers, (s) => s.routers],
  dnsServers: [DHCP_HAS.DnsServers, (s) => s.dnsServers],
  message: [DHCP_HAS.Message, (s) => s.message],
  hostname: [DHCP_HAS.Hostname, (s) => s.hostname],
  // tshark shows 0.0.0.0 when a client sends no option 50; our summary reads 0 then too.
  requestedIp: [0, (s) => s.requestedIp],
};
/** Options whose absence from an entry means the message must not carry them. */
const ABSENT_MEANS_MISSING = ["serverId", "leaseSeconds", "t1Seconds", "t2Seconds", "subnetMask", "routers", "dnsServers", "message"];

const set = loadCaptureSet<DhcpCapture>("dhcp");
if ("skip" in set) {
  test("dhcp captures", { skip: set.skip }, () => {});
} else {
  let host: WireHost;
  for (const cap of set.captures) {
    describe(`dhcp capture ${cap.file}`, () => {
      const pcap = readPcap(join(set.dir, cap.file));
      test("is an Ethernet capture", async () => {
        host ??= await WireHost.load();
        assert.equal(pcap.linktype, LINKTYPE_ETHERNET);
      });
      for (const exp of cap.packets) {
        test(`frame ${exp.frame} ${exp.type ?? ""}`, async (t) => {
          host ??= await WireHost.load();
          const frame = pcap.packets[exp.frame - 1];
          assert.ok(frame, `frame ${exp.frame} not in the capture`);
          const udp = transportOf(frame.data);
          assert.ok(udp && udp.proto === "udp", "frame is not UDP over IPv4");
          assert.ok([67, 68].includes(udp.sport) && [67, 68].includes(udp.dport), `ports ${udp.sport}->${udp.dport}`);
          const s = host.dhcp(udp.payload);
          assert.ok(s, "the stack's parser rejected the message");
          for (const [key, want] of Object.entries(exp)) {
            if (key === "frame") continue;
            const f = FIELDS[key];
            if (!f) { t.diagnostic(`field '${key}' not checked (unknown to this suite)`); continue; }
            if (f[0]) assert.ok(s.present & f[0], `${key}: option absent, expected ${JSON.stringify(want)}`);
            assert.deepEqual(f[1](s), want, key);
          }
          for (const key of ABSENT_MEANS_MISSING) {
            if (!(key in exp)) assert.ok(!(s.present & FIELDS[key][0]), `${key}: present (${JSON.stringify(FIELDS[key][1](s))}) but the capture's entry has none`);
          }
          assert.equal(s.badLength, 0, "options with impossible lengths");
        });
      }
    });
  }
}
