// tshark as an outside judge of every pcap we write: no malformed packets, no bad IP, ICMP,
// UDP or TCP checksums, no expert errors.
import { spawnSync } from "node:child_process";

export const haveTshark = spawnSync("sh", ["-c", "command -v tshark"]).status === 0;

const CHECKSUM_PREFS = ["ip.check_checksum:TRUE", "udp.check_checksum:TRUE", "tcp.check_checksum:TRUE"].flatMap((p) => ["-o", p]);
// Linux writes a TCP checksum that folds to zero as 0xFFFF (skb_checksum_help's CSUM_MANGLED_0).
// In one's complement both encode zero and the receiver's sum still verifies, yet tshark calls
// it "Bad" (its expert item tcp.checksum.ffff, RFC 1624); excuse exactly that case. Our encoder
// cannot write 0xFFFF: an end-around-carry sum is zero only over all-zero data, and the
// pseudo-header holds protocol 6.
const TCP_BAD = "(tcp.checksum.status == \"Bad\" && !tcp.checksum.ffff)";
const BAD = `_ws.malformed || _ws.expert.severity == error || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || udp.checksum.status == "Bad" || ${TCP_BAD}`;

/** Lines tshark prints for bad packets (empty when the capture is clean), and the packet count. */
export function tsharkProblems(file: string, extraPrefs: string[] = []): { problems: string; packets: number } {
  const run = (args: string[]) => {
    const r = spawnSync("tshark", ["-n", "-r", file, ...CHECKSUM_PREFS, ...extraPrefs, ...args], { encoding: "utf8", maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
    return r.stdout;
  };
  const problems = run(["-Y", BAD]).trim();
  const packets = run(["-T", "fields", "-e", "frame.number"]).trim().split("\n").filter(Boolean).length;
  return { problems, packets };
}

export function tsharkFields(file: string, filter: string, fields: string[], extraPrefs: string[] = []): string[][] {
  const r = spawnSync("tshark", ["-n", "-r", file, ...extraPrefs, "-Y", filter, "-T", "fields", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.trim().split("\n").filter(Boolean).map((l) => l.split("\t"));
}
