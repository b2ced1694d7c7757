// Unit tests of stack/wire/dns.ts: name reading, text conversion, queries, resolve().
import {
  dnsReadName, dnsLastNameLen, dnsNameFromText, dnsNameToText, dnsNameEquals, dnsBuildQuery,
  DnsMessage, DnsResolved, DnsResolveStatus, DnsType,
} from "../../stack/wire/dns";

const msg = memory.data(600);
const name = memory.data(256);
const name2 = memory.data(256);
const text = memory.data(300);
const m = new DnsMessage(4);
const res = new DnsResolved(2);

function put(bytes: u8[]): i32 {
  memory.fill(msg, 0, 600);
  for (let i = 0; i < bytes.length; i++) store<u8>(msg + i, bytes[i]);
  return bytes.length;
}
function fromText(s: string, out: usize): i32 {
  for (let i = 0; i < s.length; i++) store<u8>(text + i, <u8>s.charCodeAt(i));
  return dnsNameFromText(text, s.length, out, 256);
}

describe("names", () => {
  it("reads compressed names and returns the offset after the pointer", () => {
    // header(12) | 3 foo 3 com 0 | 3 www C0 0C
    const n = put([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 102, 111, 111, 3, 99, 111, 109, 0, 3, 119, 119, 119, 0xc0, 12]);
    expect(dnsReadName(msg, n, 21, name, 256)).toBe(27);
    expect(dnsLastNameLen()).toBe(13);
    expect(dnsNameToText(name, text, 300)).toBe(11);
    fromText("WWW.Foo.com.", name2);
    expect(dnsNameEquals(name, name2)).toBe(true);
  });
  it("rejects self, forward and header pointers, and truncation", () => {
    const hdr: u8[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let n = put(hdr.concat([0xc0, 12]));
    expect(dnsReadName(msg, n, 12, name, 256)).toBe(-1);
    n = put(hdr.concat([1, 97, 0xc0, 16, 0]));
    expect(dnsReadName(msg, n, 12, name, 256)).toBe(-1);
    n = put(hdr.concat([0xc0, 3]));
    expect(dnsReadName(msg, n, 12, name, 256)).toBe(-1);
    n = put(hdr.concat([5, 97, 97]));
    expect(dnsReadName(msg, n, 12, name, 256)).toBe(-1);
  });
  it("rejects a two-pointer loop", () => {
    // at 12: label a, pointer to 16; at 16: label b, pointer to 12 (backwards, but into the run that led here)
    const n = put([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 97, 0xc0, 16, 1, 98, 0xc0, 12]);
    expect(dnsReadName(msg, n, 16, name, 256)).toBe(-1);
  });
  it("rejects extended label types and over-long labels in text", () => {
    const n = put([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 97, 0]);
    expect(dnsReadName(msg, n, 12, name, 256)).toBe(-1);
    expect(fromText("a..b", name)).toBe(-1);
    expect(fromText("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", name)).toBe(-1); // 64
  });
});

describe("messages", () => {
  it("builds a query, parses it back, and a response resolves through a CNAME", () => {
    fromText("a.example", name);
    const q = dnsBuildQuery(msg, 600, 0x1234, name, DnsType.A, true, false);
    expect(q).toBe(12 + 11 + 4);
    expect(m.parse(msg, q)).toBe(true);
    expect(m.questionMatches(name, DnsType.A)).toBe(true);
    expect(m.header.qr()).toBe(false);
    // turn it into a response: a CNAME b.example (ttl 50), b.example A 10.1.2.3 (ttl 70)
    store<u16>(msg + 2, bswap<u16>(0x8180));
    store<u16>(msg + 6, bswap<u16>(2));
    const ans: u8[] = [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 50, 0, 4, 1, 98, 0xc0, 14,
                       0xc0, 39, 0, 1, 0, 1, 0, 0, 0, 70, 0, 4, 10, 1, 2, 3];
    for (let i = 0; i < ans.length; i++) store<u8>(msg + q + i, ans[i]);
    expect(m.parse(msg, q + ans.length)).toBe(true);
    expect(m.answerCount).toBe(2);
    expect(m.resolve(name, DnsType.A, res)).toBe(DnsResolveStatus.Ok);
    expect(res.count).toBe(1);
    expect(res.addrs[0]).toBe(0x0a010203);
    expect(res.ttl).toBe(50);
    fromText("B.EXAMPLE", name2);
    expect(dnsNameEquals(res.name, name2)).toBe(true);
    // truncated by one byte: malformed
    expect(m.parse(msg, q + ans.length - 1)).toBe(false);
  });
  it("parses TCP framing and reports an incomplete frame", () => {
    fromText("x", name);
    const n = dnsBuildQuery(msg, 600, 9, name, DnsType.AAAA, true, true);
    expect(load<u8>(msg + 1)).toBe(<u8>(n - 2));
    expect(m.parseTcp(msg, n)).toBe(n);
    expect(m.qType).toBe(DnsType.AAAA);
    expect(m.parseTcp(msg, n - 1)).toBe(0);
  });
});
