// DNS capture conformance: every DNS message listed in <captures>/dns/expected.json (UDP, or
// TCP reassembled here from the stream and passed with its 2-byte length prefix) goes
// through the stack's AssemblyScript parser and resolve() (test/harness/captures.ts).
// Adding a capture and its entry adds cases; no code change needed.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readPcap, LINKTYPE_ETHERNET } from "../../tools/pcap-read.ts";
import { transportOf, tcpDnsMessages } from "./lib/frames.ts";
import { loadCaptureSet } from "./lib/dir.ts";
import { WireHost, DNS_TYPES, type DnsSummary } from "./lib/wire-host.ts";

interface DnsAnswerExpected { name: string; type: string; ttl: number; data?: string }
interface DnsExpected {
  frame: number; transport: "udp" | "tcp"; id: string; response: boolean;
  question?: { name: string; type: string }; rcode?: number; truncated?: boolean;
  answers?: DnsAnswerExpected[];
  resolved?: { canonicalName: string; addresses: string[]; ttl: number };
  [key: string]: unknown;
}
interface DnsCapture { file: string; packets: DnsExpected[] }

const KNOWN = new Set(["frame", "transport", "id", "response", "question", "rcode", "truncated", "answers", "resolved"]);
const typeName = (n: number) => Object.keys(DNS_TYPES).find((k) => DNS_TYPES[k] === n) ?? `TYPE${n}`;
const lc = (s: string) => s.toLowerCase().replace(/\.$/, "");

function check(t: { diagnostic(m: string): void }, s: DnsSummary, exp: DnsExpected): void {
  for (const key of Object.keys(exp)) if (!KNOWN.has(key)) t.diagnostic(`field '${key}' not checked (unknown to this suite)`);
  assert.equal("0x" + s.id.toString(16).padStart(4, "0"), exp.id.toLowerCase(), "id");
  assert.equal(s.qr, exp.response, "QR");
  if (exp.question) {
    assert.ok(s.question, "no question section");
    assert.equal(lc(s.question.name), lc(exp.question.name), "question name");
    assert.equal(typeName(s.question.type), exp.question.type, "question type");
  }
  if (exp.rcode !== undefined) assert.equal(s.rcode, exp.rcode, "rcode");
  if (exp.truncated !== undefined) assert.equal(s.tc, exp.truncated, "TC");
  if (exp.answers) {
    assert.equal(s.answersDropped, 0, "answer table overflowed");
    assert.equal(s.answers.length, exp.answers.length, "answer count");
    exp.answers.forEach((want, i) => {
      const got = s.answers[i];
      assert.equal(got.name, want.name, `answer ${i} name`);
      assert.equal(typeName(got.type), want.type, `answer ${i} type`);
      assert.equal(got.ttl, want.ttl, `answer ${i} ttl`);
      if (want.data !== undefined) {
        if (got.type === DNS_TYPES.A) assert.equal(got.a, want.data, `answer ${i} address`);
        else if (got.type === DNS_TYPES.CNAME) assert.equal(got.cname, want.data, `answer ${i} CNAME target`);
        else t.diagnostic(`answer ${i}: ${want.type} data not checked`);
      }
    });
  }
  if (exp.resolved) {
    assert.ok(s.resolved, "resolve() did not run (no question)");
    assert.equal(s.resolved.status, 0, "resolve() status");
    assert.equal(lc(s.resolved.canonicalName), lc(exp.resolved.canonicalName), "canonical name");
    assert.deepEqual([...s.resolved.addresses].sort(), [...exp.resolved.addresses].sort(), "addresses");
    assert.equal(s.resolved.ttl, exp.resolved.ttl, "resolved TTL (smallest along the chain)");
  }
}

const set = loadCaptureSet<DnsCapture>("dns");
if ("skip" in set) {
  test("dns captures", { skip: set.skip }, () => {});
} else {
  let host: WireHost;
  for (const cap of set.captures) {
    describe(`dns capture ${cap.file}`, () => {
      const pcap = readPcap(join(set.dir, cap.file));
      const frames = pcap.packets.map((p) => p.data);
      test("is an Ethernet capture", () => assert.equal(pcap.linktype, LINKTYPE_ETHERNET));
      for (const exp of cap.packets) {
        test(`frame ${exp.frame} ${exp.transport} ${exp.response ? "response" : "query"} ${exp.id}`, async (t) => {
          host ??= await WireHost.load();
          let s: DnsSummary | null;
          if (exp.transport === "tcp") {
            const msgs = tcpDnsMessages(frames).filter((m) => m.frame === exp.frame);
            assert.ok(msgs.length, `no complete length-framed DNS message ends in frame ${exp.frame}`);
            const id = parseInt(exp.id, 16);
            const m = msgs.find((x) => ((x.framed[2] << 8) | x.framed[3]) === id) ?? msgs[0];
            s = host.dns(m.framed, true);
          } else {
            const frame = frames[exp.frame - 1];
            assert.ok(frame, `frame ${exp.frame} not in the capture`);
            const udp = transportOf(frame);
            assert.ok(udp && udp.proto === "udp", "frame is not UDP over IPv4");
            assert.ok(udp.sport === 53 || udp.dport === 53, `ports ${udp.sport}->${udp.dport}`);
            s = host.dns(udp.payload, false);
          }
          assert.ok(s, "the stack's parser rejected the message");
          check(t, s, exp);
        });
      }
    });
  }
}
