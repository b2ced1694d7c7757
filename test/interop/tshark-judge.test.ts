// The judge itself: tshark must still flag a wrong TCP checksum, and must accept Linux's 0xFFFF
// encoding of a zero checksum (CSUM_MANGLED_0), which verifies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PcapWriter } from "../../sim/net/pcap.ts";
import { haveTshark, tsharkProblems } from "./tshark.ts";

function onesSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** An Ethernet/IPv4/TCP ACK whose checksum field is `checksum(correct)`. */
function ack(checksum: (correct: number) => number): Uint8Array {
  const f = new Uint8Array(54);
  const v = new DataView(f.buffer);
  f.fill(2, 0, 6); f.fill(4, 6, 12); v.setUint16(12, 0x0800);
  f.set([0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 192, 168, 77, 1, 192, 168, 77, 2], 14);
  v.setUint16(24, ~onesSum(f.subarray(14, 34)) & 0xffff);
  v.setUint16(34, 41088); v.setUint16(36, 5001); v.setUint32(38, 6); v.setUint32(42, 410625);
  f[46] = 0x50; f[47] = 0x10; v.setUint16(48, 65535);
  const pseudo = new Uint8Array([192, 168, 77, 1, 192, 168, 77, 2, 0, 6, 0, 20]);
  // Pick the urgent pointer so the segment sums to 0xFFFF: its correct checksum is then 0x0000.
  const partial = onesSum(new Uint8Array([...pseudo, ...f.subarray(34)]));
  v.setUint16(52, (0xffff - partial) & 0xffff);
  v.setUint16(50, checksum(~onesSum(new Uint8Array([...pseudo, ...f.subarray(34)])) & 0xffff));
  return f;
}

function problemsOf(frame: Uint8Array): string {
  const pcap = new PcapWriter();
  pcap.add(0, frame);
  const file = join(mkdtempSync(join(tmpdir(), "wasmnet-judge-")), "one.pcap");
  pcap.writeFile(file);
  return tsharkProblems(file).problems;
}

test("the tshark judge accepts 0xFFFF for a zero TCP checksum and flags a wrong one", { skip: haveTshark ? false : "tshark is not installed" }, () => {
  assert.equal(problemsOf(ack((correct) => correct)), "", "the correct 0x0000 passes");
  assert.equal(problemsOf(ack(() => 0xffff)), "", "Linux's 0xFFFF passes");
  assert.match(problemsOf(ack(() => 0x1234)), /TCP/, "a wrong checksum is flagged");
});
