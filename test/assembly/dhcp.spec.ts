// Unit tests of stack/wire/dhcp.ts: the options walker's edge cases and the emitter.
import {
  DhcpView, DhcpOptions, DhcpHas, DhcpClientParams, DhcpMessageType, parseDhcpOptions, dhcpEmit,
  dhcpClientIdFromMac, DHCP_OFF_OPTIONS, DHCP_OFF_FILE, DHCP_OFF_SNAME, BOOTP_MIN_LEN,
} from "../../stack/wire/dhcp";

const buf = memory.data(1024);
const mac = memory.data<u8>([2, 0, 0x5e, 1, 2, 3]);
const view = new DhcpView();
const opts = new DhcpOptions(2, 2);

// A reply skeleton with the cookie; options written by the test at 240.
function reply(options: u8[]): i32 {
  memory.fill(buf, 0, 1024);
  store<u8>(buf, 2); store<u8>(buf + 1, 1); store<u8>(buf + 2, 6);
  store<u8>(buf + 236, 0x63); store<u8>(buf + 237, 0x82); store<u8>(buf + 238, 0x53); store<u8>(buf + 239, 0x63);
  for (let i = 0; i < options.length; i++) store<u8>(buf + DHCP_OFF_OPTIONS + i, options[i]);
  return DHCP_OFF_OPTIONS + options.length;
}
function parse(len: i32): bool { return parseDhcpOptions(view.wrap(buf, len), opts); }

describe("DhcpView", () => {
  it("rejects short messages, a bad cookie and a bad op", () => {
    const n = reply([53, 1, 2, 255]);
    expect(parse(239)).toBe(false);
    expect(parse(n)).toBe(true);
    store<u8>(buf + 236, 0);
    expect(parse(n)).toBe(false);
    reply([255]); store<u8>(buf, 3);
    expect(parse(n)).toBe(false);
  });
});

describe("options walker", () => {
  it("skips pads, stops at End and ignores what follows", () => {
    const n = reply([0, 0, 53, 1, 5, 0, 255, 54, 4, 1, 2, 3, 4, 0x11, 0x22]);
    expect(parse(n)).toBe(true);
    expect(opts.messageType).toBe(DhcpMessageType.Ack);
    expect(opts.has(DhcpHas.ServerId)).toBe(false);
    expect(opts.has(DhcpHas.End)).toBe(true);
  });
  it("accepts an options area that ends without End", () => {
    expect(parse(reply([53, 1, 2, 51, 4, 0, 0, 0x0e, 0x10]))).toBe(true);
    expect(opts.leaseTime).toBe(3600);
  });
  it("rejects an option whose length runs past the message, or a missing length byte", () => {
    expect(parse(reply([53, 1, 2, 3, 8, 10, 0, 0, 1]))).toBe(false);
    expect(parse(reply([53, 1, 2, 3]))).toBe(false);
  });
  it("ignores and counts fixed-size options with impossible lengths", () => {
    expect(parse(reply([53, 2, 2, 2, 54, 3, 1, 2, 3, 1, 4, 255, 255, 255, 0, 255]))).toBe(true);
    expect(opts.has(DhcpHas.MessageType)).toBe(false);
    expect(opts.has(DhcpHas.ServerId)).toBe(false);
    expect(opts.badLength).toBe(2);
    expect(opts.subnetMask).toBe(0xffffff00);
  });
  it("keeps the first of repeated scalars and appends repeated lists up to capacity", () => {
    expect(parse(reply([53, 1, 2, 53, 1, 5, 3, 4, 10, 0, 0, 1, 3, 8, 10, 0, 0, 2, 10, 0, 0, 3, 255]))).toBe(true);
    expect(opts.messageType).toBe(DhcpMessageType.Offer);
    expect(opts.repeated).toBe(1);
    expect(opts.routerCount).toBe(2);
    expect(opts.routers[1]).toBe(0x0a000002);
    expect(opts.listOverflow).toBe(1);
  });
  it("follows option overload into file, then sname", () => {
    const n = reply([53, 1, 5, 52, 1, 3, 255]);
    const f = buf + DHCP_OFF_FILE, s = buf + DHCP_OFF_SNAME;
    store<u8>(f, 54); store<u8>(f + 1, 4); store<u32>(f + 2, bswap<u32>(0xc0a80001)); store<u8>(f + 6, 255);
    store<u8>(s, 0); store<u8>(s + 1, 58); store<u8>(s + 2, 4); store<u32>(s + 3, bswap<u32>(1800));
    expect(parse(n)).toBe(true);
    expect(opts.serverId).toBe(0xc0a80001);
    expect(opts.renewalTime).toBe(1800);
  });
  it("does not honour overload from inside an overloaded field, nor values outside 1..3", () => {
    const n = reply([53, 1, 5, 52, 1, 1, 255]);
    store<u8>(buf + DHCP_OFF_FILE, 52); store<u8>(buf + DHCP_OFF_FILE + 1, 1); store<u8>(buf + DHCP_OFF_FILE + 2, 2);
    store<u8>(buf + DHCP_OFF_SNAME, 3); store<u8>(buf + DHCP_OFF_SNAME + 1, 200); // would be truncated
    expect(parse(n)).toBe(true);
    expect(opts.overload).toBe(1);
    expect(parse(reply([53, 1, 5, 52, 1, 9, 255]))).toBe(true);
    expect(opts.overload).toBe(0);
  });
  it("rejects a truncated option inside an overloaded field", () => {
    const n = reply([53, 1, 5, 52, 1, 2, 255]);
    store<u8>(buf + DHCP_OFF_SNAME + 62, 6); store<u8>(buf + DHCP_OFF_SNAME + 63, 8);
    expect(parse(n)).toBe(false);
  });
});

describe("emitter", () => {
  it("builds a DISCOVER padded to the BOOTP minimum that parses back", () => {
    const p = new DhcpClientParams();
    const cid = memory.data(16);
    p.mac = mac; p.xid = 0x11223344; p.broadcast = true;
    p.clientIdPtr = cid; p.clientIdLen = dhcpClientIdFromMac(cid, mac);
    p.serverId = 0x0a000001; // not allowed in DISCOVER: left out
    const out = memory.data(400);
    const n = dhcpEmit(out, 400, DhcpMessageType.Discover, p);
    expect(n).toBe(BOOTP_MIN_LEN);
    expect(parseDhcpOptions(view.wrap(out, n), opts)).toBe(true);
    expect(view.op()).toBe(1);
    expect(view.xid()).toBe(0x11223344);
    expect(view.broadcast()).toBe(true);
    expect(view.chaddrIs(mac)).toBe(true);
    expect(opts.messageType).toBe(DhcpMessageType.Discover);
    expect(opts.clientIdLen).toBe(7);
    expect(opts.has(DhcpHas.ServerId)).toBe(false);
  });
  it("refuses non-client types and too-small buffers", () => {
    const p = new DhcpClientParams();
    p.mac = mac;
    const out = memory.data(400);
    expect(dhcpEmit(out, 400, DhcpMessageType.Offer, p)).toBe(0);
    expect(dhcpEmit(out, 299, DhcpMessageType.Discover, p)).toBe(0);
  });
});
