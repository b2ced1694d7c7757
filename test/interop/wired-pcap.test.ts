// tshark checks the Ethernet capture of the default scenario (npm start): well-formed ARP,
// IPv4, ICMP, DHCP and DNS with valid checksums, the board addressed over DHCP, its DNS
// lookups answered, pings answered both ways, wasmnet.local announced by each interface.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { World } from "../../sim/world.ts";
import { scenario } from "../../sim/scenarios/default.ts";
import { haveTshark, tsharkFields, tsharkProblems } from "./tshark.ts";

/** The first address of the scenario's DHCP pool (sim/topologies.ts DHCP_LAN). */
const DEV = "192.168.1.100";
/** The second: the board's Wi-Fi interface, on the AP bridged onto this LAN. */
const DEV_WIFI = "192.168.1.101";

test("tshark finds the default scenario's pcap clean: no malformed packets, no checksum errors", { skip: haveTshark ? false : "tshark is not installed" }, async () => {
  const outDir = mkdtempSync(join(tmpdir(), "wasmnet-default-"));
  const result = await scenario.run(new World(1), { seed: 1, cpu: true, outDir });
  assert.ok(result.ok);
  const file = result.artifacts![0];
  const { problems, packets } = tsharkProblems(file);
  assert.equal(problems, "", "no malformed or bad-checksum packets");
  assert.ok(packets > 20);
  const echoes = tsharkFields(file, "icmp", ["icmp.type", "ip.src", "ip.dst"]);
  assert.ok(echoes.filter(([t, src]) => t === "0" && src === DEV).length >= 4, "the board's echo replies");
  assert.ok(echoes.filter(([t, src, dst]) => t === "8" && src === DEV && dst === "10.0.0.5").length === 3, "the board's off-link echo requests");
  const dhcp = tsharkFields(file, "dhcp", ["dhcp.option.dhcp"]).map(([t]) => t);
  assert.deepEqual(dhcp.slice(0, 4), ["1", "2", "3", "5"], "DISCOVER, OFFER, REQUEST, ACK");
  const dns = tsharkFields(file, "dns.flags.response == 1", ["dns.qry.name", "dns.a"]);
  assert.ok(dns.some(([n, a]) => n === "server.lan" && a === "192.168.1.10"), "server.lan answered");
  assert.ok(dns.some(([n, a]) => n === "app.lan" && a === "192.168.1.10"), "app.lan (a CNAME) answered");
  const mdns = tsharkFields(file, "mdns && dns.flags.response == 1", ["dns.resp.name", "dns.a", "ip.ttl"]);
  assert.ok(mdns.every(([n, a, ttl]) => n === "wasmnet.local" && (a === DEV || a === DEV_WIFI) && ttl === "255"), "mDNS responses: wasmnet.local, one of the board's addresses, TTL 255");
  assert.ok(mdns.filter(([, a]) => a === DEV).length >= 3, "the wired announcements and the answer");
  assert.ok(mdns.some(([, a]) => a === DEV_WIFI), "the Wi-Fi interface's announcements, bridged onto the LAN");
  const arp = tsharkFields(file, `arp.opcode == 1 && arp.src.proto_ipv4 == ${DEV}`, ["arp.dst.proto_ipv4"]).map(([t]) => t);
  assert.ok(arp.includes("192.168.1.1") && !arp.includes("10.0.0.5"), "ARP for the gateway, never for the off-link address");
});
