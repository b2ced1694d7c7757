// Wire views and the Internet checksum: valid, truncated, oversize, inconsistent input.
import { get16, get32, put16, put32, macFromIpv4Multicast, macEquals, macIsBroadcast, BROADCAST_MAC } from "../../stack/wire/bytes";
import { softwareSum, inetSum, inetChecksum, inetChecksumValid, pseudoHeaderSum, checksumAdjust, sumAdd } from "../../stack/wire/checksum";
import { EthernetFrame, emitEthernetHeader, EtherType } from "../../stack/wire/ethernet";
import { ArpPacket, emitArp, ArpOp } from "../../stack/wire/arp";
import { Ipv4Packet, emitIpv4Header, prefixMask } from "../../stack/wire/ipv4";
import { IcmpPacket, emitIcmpEcho, emitIcmpError, IcmpType } from "../../stack/wire/icmp";

const buf = memory.data(2048);
const buf2 = memory.data(2048);

function setBytes(p: usize, bytes: u8[]): void {
  for (let i = 0; i < bytes.length; i++) store<u8>(p + <usize>i, bytes[i]);
}

/** The obvious RFC 1071 loop: big-endian 16-bit words, carries folded at the end. */
function referenceSum(p: usize, len: i32): u32 {
  let s: u64 = 0;
  for (let i = 0; i + 1 < len; i += 2) s += (<u64>load<u8>(p + <usize>i) << 8) | <u64>load<u8>(p + <usize>i + 1);
  if (len & 1) s += <u64>load<u8>(p + <usize>len - 1) << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return <u32>s;
}

let rngState: u32 = 0x2545f491;
function nextRandom(): u32 {
  rngState ^= rngState << 13; rngState ^= rngState >> 17; rngState ^= rngState << 5;
  return rngState;
}

describe("bytes", () => {
  it("reads and writes big-endian fields", () => {
    put16(buf, 0x1234); put32(buf + 2, 0xc0a80101);
    expect(load<u8>(buf)).toBe(0x12);
    expect(load<u8>(buf + 2)).toBe(0xc0);
    expect(get16(buf)).toBe(0x1234);
    expect(get32(buf + 2)).toBe(0xc0a80101);
  });
  it("maps an IPv4 group to its MAC (RFC 1112 §6.4)", () => {
    macFromIpv4Multicast(buf, 0xe0ff0afb); // 224.255.10.251: the 24th bit is dropped
    setBytes(buf2, [0x01, 0x00, 0x5e, 0x7f, 0x0a, 0xfb]);
    expect(macEquals(buf, buf2)).toBe(true);
    expect(macIsBroadcast(BROADCAST_MAC)).toBe(true);
    expect(macIsBroadcast(buf)).toBe(false);
  });
});

describe("checksum", () => {
  it("matches the RFC 1071 §3 example", () => {
    setBytes(buf, [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(softwareSum(buf, 8, 0)).toBe(0xddf2);
    expect(inetChecksum(buf, 8)).toBe(0x220d);
  });
  it("validates a known IPv4 header and rejects a corrupted one", () => {
    setBytes(buf, [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
      0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7]);
    expect(inetChecksumValid(buf, 20)).toBe(true);
    store<u8>(buf + 10, 0);
    store<u8>(buf + 11, 0);
    expect(inetChecksum(buf, 20)).toBe(0xb861);
    store<u8>(buf + 19, 0xc8);
    expect(inetChecksumValid(buf, 20)).toBe(false);
  });
  it("handles odd lengths, a zero length and the last byte alone", () => {
    setBytes(buf, [0x01, 0x02, 0x03]);
    expect(softwareSum(buf, 3, 0)).toBe(0x0402);
    expect(softwareSum(buf, 1, 0)).toBe(0x0100);
    expect(softwareSum(buf, 0, 0x1234)).toBe(0x1234);
  });
  it("agrees with the reference for random lengths and unaligned starts", () => {
    for (let i = 0; i < 1600; i++) store<u8>(buf + <usize>i, <u8>nextRandom());
    for (let trial = 0; trial < 400; trial++) {
      const offset = <i32>(nextRandom() % 8);
      const len = <i32>(nextRandom() % 1500);
      expect(softwareSum(buf + <usize>offset, len, 0)).toBe(referenceSum(buf + <usize>offset, len));
    }
  });
  it("does not lose carries over a full frame of 0xff bytes", () => {
    memory.fill(buf, 0xff, 1600);
    expect(softwareSum(buf, 1500, 0)).toBe(0xffff);
    expect(softwareSum(buf, 1501, 0xffff)).toBe(referenceSum(buf, 1501));
  });
  it("continues from a seed like one sum over the concatenation (even split)", () => {
    for (let i = 0; i < 300; i++) store<u8>(buf + <usize>i, <u8>nextRandom());
    const first = inetSum(buf, 100, 0);
    expect(inetSum(buf + 100, 199, first)).toBe(referenceSum(buf, 299));
    expect(sumAdd(inetSum(buf, 100, 0), inetSum(buf + 100, 200, 0))).toBe(referenceSum(buf, 300));
  });
  it("computes the pseudo-header sum (RFC 768)", () => {
    setBytes(buf, [0xc0, 0xa8, 0x01, 0x0a, 0x08, 0x08, 0x08, 0x08, 0x00, 0x11, 0x00, 0x1c]);
    expect(pseudoHeaderSum(0xc0a8010a, 0x08080808, 17, 28)).toBe(referenceSum(buf, 12));
  });
  it("adjusts a checksum incrementally like a recomputation (RFC 1624)", () => {
    for (let i = 0; i < 64; i++) store<u8>(buf + <usize>i, <u8>nextRandom());
    store<u16>(buf + 2, 0);
    put16(buf + 2, inetChecksum(buf, 64));
    const old = get16(buf);
    put16(buf, 0x0000);
    const adjusted = checksumAdjust(get16(buf + 2), old, 0x0000);
    put16(buf + 2, adjusted);
    expect(inetChecksumValid(buf, 64)).toBe(true);
  });
});

describe("Ethernet", () => {
  it("checks the length range", () => {
    const f = new EthernetFrame();
    expect(f.wrap(buf, 13).check()).toBe(false);
    expect(f.wrap(buf, 14).check()).toBe(true);
    expect(f.wrap(buf, 1514).check()).toBe(true);
    expect(f.wrap(buf, 1515).check()).toBe(false);
    expect(f.wrap(buf, -1).check()).toBe(false);
  });
  it("emits and parses a header", () => {
    setBytes(buf2, [2, 0, 0, 0, 0, 1]);
    expect(emitEthernetHeader(buf, BROADCAST_MAC, buf2, EtherType.Arp)).toBe(14);
    const f = new EthernetFrame().wrap(buf, 60);
    expect(f.check()).toBe(true);
    expect(macIsBroadcast(f.dst)).toBe(true);
    expect(macEquals(f.src, buf2)).toBe(true);
    expect(f.etherType).toBe(0x0806);
    expect(f.payloadLen).toBe(46);
  });
});

describe("ARP", () => {
  it("round-trips a packet", () => {
    setBytes(buf2, [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]);
    expect(emitArp(buf, ArpOp.Reply, buf2, 0xc0a8010a, buf2 + 6, 0xc0a80114)).toBe(28);
    const a = new ArpPacket().wrap(buf, 28);
    expect(a.check()).toBe(true);
    expect(a.op).toBe(ArpOp.Reply);
    expect(macEquals(a.senderMac, buf2)).toBe(true);
    expect(a.senderIp).toBe(0xc0a8010a);
    expect(macEquals(a.targetMac, buf2 + 6)).toBe(true);
    expect(a.targetIp).toBe(0xc0a80114);
    expect(new ArpPacket().wrap(buf, 46).check()).toBe(true); // padded
  });
  it("rejects truncated packets, other types and unknown operations", () => {
    const a = new ArpPacket();
    emitArp(buf, ArpOp.Request, buf2, 1, buf2, 2);
    expect(a.wrap(buf, 27).check()).toBe(false);
    const fields: i32[] = [1, 2, 4, 5, 7];
    for (let i = 0; i < fields.length; i++) {
      emitArp(buf, ArpOp.Request, buf2, 1, buf2, 2);
      store<u8>(buf + <usize>fields[i], load<u8>(buf + <usize>fields[i]) ^ 0x40);
      expect(a.wrap(buf, 28).check()).toBe(false);
    }
  });
});

function header(payloadLen: i32): void {
  emitIpv4Header(buf, 0xc0a80114, 0xc0a8010a, 17, payloadLen, 64, 0x1234, true);
}

describe("IPv4", () => {
  it("emits a valid header and parses it back", () => {
    header(8);
    const p = new Ipv4Packet().wrap(buf, 28);
    expect(p.check()).toBe(true);
    expect(p.checksumValid()).toBe(true);
    expect(p.headerLen).toBe(20);
    expect(p.totalLen).toBe(28);
    expect(p.ident).toBe(0x1234);
    expect(p.dontFragment).toBe(true);
    expect(p.isFragment).toBe(false);
    expect(p.ttl).toBe(64);
    expect(p.protocol).toBe(17);
    expect(p.src).toBe(0xc0a80114);
    expect(p.dst).toBe(0xc0a8010a);
    expect(p.payloadLen).toBe(8);
    expect(p.payload).toBe(buf + 20);
  });
  it("accepts trailing link padding but not a total length beyond the buffer", () => {
    header(8);
    const p = new Ipv4Packet();
    expect(p.wrap(buf, 46).check()).toBe(true);
    expect(p.wrap(buf, 27).check()).toBe(false);
    expect(p.wrap(buf, 19).check()).toBe(false);
  });
  it("rejects a bad version and bad IHL", () => {
    const p = new Ipv4Packet();
    header(8); store<u8>(buf, 0x65);
    expect(p.wrap(buf, 28).check()).toBe(false);
    header(8); store<u8>(buf, 0x44);
    expect(p.wrap(buf, 28).check()).toBe(false);
    header(8); store<u8>(buf, 0x48); // 32-byte header in a 28-byte datagram
    expect(p.wrap(buf, 28).check()).toBe(false);
    header(8); store<u8>(buf, 0x4f); // 60-byte header, total 28
    expect(p.wrap(buf, 100).check()).toBe(false);
  });
  it("rejects a total length below the header", () => {
    header(8); put16(buf + 2, 19);
    expect(new Ipv4Packet().wrap(buf, 28).check()).toBe(false);
  });
  it("detects a bad checksum", () => {
    header(8); store<u8>(buf + 8, 63);
    const p = new Ipv4Packet().wrap(buf, 28);
    expect(p.check()).toBe(true);
    expect(p.checksumValid()).toBe(false);
  });
  it("recognises fragments", () => {
    const p = new Ipv4Packet();
    header(8); put16(buf + 6, 0x2000);
    expect(p.wrap(buf, 28).isFragment).toBe(true);
    put16(buf + 6, 0x0001);
    expect(p.isFragment).toBe(true);
    expect(p.fragmentOffset).toBe(8);
    put16(buf + 6, 0x4000);
    expect(p.isFragment).toBe(false);
  });
  it("builds prefix masks", () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(24)).toBe(0xffffff00);
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(prefixMask(33)).toBe(0xffffffff);
  });
});

describe("ICMP", () => {
  it("emits an echo with an odd data length and a valid checksum", () => {
    for (let i = 0; i < 33; i++) store<u8>(buf + 8 + <usize>i, <u8>(i * 5));
    const len = emitIcmpEcho(buf, IcmpType.EchoRequest, 0xbeef, 3, 33);
    expect(len).toBe(41);
    const m = new IcmpPacket().wrap(buf, len);
    expect(m.check()).toBe(true);
    expect(m.checksumValid()).toBe(true);
    expect(m.type).toBe(8);
    expect(m.echoIdent).toBe(0xbeef);
    expect(m.echoSeq).toBe(3);
    expect(m.bodyLen).toBe(33);
    store<u8>(buf + 20, 1);
    expect(m.checksumValid()).toBe(false);
  });
  it("rejects messages shorter than the header", () => {
    expect(new IcmpPacket().wrap(buf, 7).check()).toBe(false);
    expect(new IcmpPacket().wrap(buf, 8).check()).toBe(true);
  });
  it("emits an error quoting a datagram", () => {
    emitIpv4Header(buf + 8, 1, 2, 17, 8, 64, 1, true);
    const len = emitIcmpError(buf, IcmpType.DestUnreachable, 3, 0, 28);
    const m = new IcmpPacket().wrap(buf, len);
    expect(m.checksumValid()).toBe(true);
    expect(m.isError).toBe(true);
    expect(m.code).toBe(3);
    expect(new Ipv4Packet().wrap(m.body, m.bodyLen).check()).toBe(true);
  });
});
