// The route table and the ICMP error token bucket, in isolation.
import { RouteTable, NO_ROUTE } from "../../stack/net/route";
import { RateLimiter } from "../../stack/net/icmp";

const LAN: u32 = 0xc0a80100; // 192.168.1.0
const GW: u32 = 0xc0a80101;
const WIFI_GW: u32 = 0x0a000001;

describe("RouteTable", () => {
  it("prefers the longest prefix, then the lowest metric", () => {
    const t = new RouteTable(4);
    expect(t.add(0, 0, GW, 0, 0)).toBe(true);
    expect(t.add(LAN, 24, 0, 0, 0)).toBe(true);
    expect(t.add(0xc0a80180, 25, 0xc0a801fe, 0, 5)).toBe(true);
    const host = t.lookup(0xc0a80114);
    expect(t.nextHop(host, 0xc0a80114)).toBe(0xc0a80114);
    const sub = t.lookup(0xc0a80190);
    expect(t.nextHop(sub, 0xc0a80190)).toBe(0xc0a801fe);
    const far = t.lookup(0x08080808);
    expect(t.nextHop(far, 0x08080808)).toBe(GW);
  });
  it("fails over to a higher-metric default route when an interface goes down", () => {
    const t = new RouteTable(4);
    t.add(0, 0, GW, 0, 0);
    t.add(0, 0, WIFI_GW, 1, 10);
    expect(t.interfaceOf(t.lookup(0x08080808))).toBe(0);
    t.setInterfaceUp(0, false);
    const r = t.lookup(0x08080808);
    expect(t.interfaceOf(r)).toBe(1);
    expect(t.gatewayOf(r)).toBe(WIFI_GW);
    t.setInterfaceUp(1, false);
    expect(t.lookup(0x08080808)).toBe(NO_ROUTE);
    t.setInterfaceUp(0, true);
    expect(t.interfaceOf(t.lookup(0x08080808))).toBe(0);
  });
  it("replaces a route with the same prefix and interface, and is bounded", () => {
    const t = new RouteTable(2);
    expect(t.add(0, 0, GW, 0, 0)).toBe(true);
    expect(t.add(0, 0, GW + 1, 0, 0)).toBe(true);
    expect(t.gatewayOf(t.lookup(1))).toBe(GW + 1);
    expect(t.add(LAN, 24, 0, 0, 0)).toBe(true);
    expect(t.add(0x0a000000, 8, 0, 1, 0)).toBe(false);
    expect(t.add(LAN, 33, 0, 0, 0)).toBe(false);
    t.removeInterface(0);
    expect(t.lookup(0xc0a80114)).toBe(NO_ROUTE);
    expect(t.add(0x0a000000, 8, 0, 1, 0)).toBe(true);
  });
  it("masks the destination it stores", () => {
    const t = new RouteTable(2);
    t.add(0xc0a80177, 24, 0, 0, 0);
    expect(t.lookup(0xc0a80105)).not.toBe(NO_ROUTE);
  });
});

describe("RateLimiter", () => {
  it("allows a burst, then one per interval", () => {
    const r = new RateLimiter(3, 1000);
    const t0: i64 = 5_000_000;
    expect(r.allow(t0)).toBe(true);
    expect(r.allow(t0)).toBe(true);
    expect(r.allow(t0)).toBe(true);
    expect(r.allow(t0)).toBe(false);
    expect(r.allow(t0 + 999)).toBe(false);
    expect(r.allow(t0 + 1000)).toBe(true);
    expect(r.allow(t0 + 1000)).toBe(false);
    // A long pause refills to the burst, never beyond.
    let allowed = 0;
    for (let i = 0; i < 10; i++) if (r.allow(t0 + 1_000_000)) allowed++;
    expect(allowed).toBe(3);
  });
});
