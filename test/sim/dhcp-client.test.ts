// The wasm DHCP client (stack/dhcp) against the simulated server (sim/hosts/dhcp-server.ts)
// over SimHost/Switch networking in virtual time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadWasm, DhcpRig, DhcpEvent, DhcpState, AcdMode } from "../../bench/dhcp-dns.ts";
import { parseIp } from "../../sim/hosts/wire.ts";

const MAC = "02:00:00:00:00:10";
async function rig(seed = 1) { return new DhcpRig(await loadWasm("dhcpclient"), seed, 100); }

test("DORA: bound with the server's options; DISCOVER from 0.0.0.0 to broadcast; hostname and client id sent; announce", async () => {
  const r = await rig();
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", dns: ["10.0.0.53", "10.0.0.54"], router: "10.0.0.254", leaseSecs: 3600, delayUs: 2000 });
  const d = r.device(MAC, { hostname: "esp-kitchen" });
  d.start();
  r.sched.runUntil(5e6);
  assert.equal(d.state, DhcpState.Bound);
  const l = d.lease();
  assert.equal(l.address, parseIp("10.0.0.100"));
  assert.equal(l.mask, parseIp("255.255.255.0"));
  assert.equal(l.router, parseIp("10.0.0.254"));
  assert.deepEqual(l.dns, [parseIp("10.0.0.53"), parseIp("10.0.0.54")]);
  assert.equal(l.leaseSecs, 3600); assert.equal(l.t1Secs, 1800); assert.equal(l.t2Secs, 3150);
  assert.equal(d.events.filter((e) => e.bits & DhcpEvent.Bound).length, 1);
  assert.deepEqual(s.log.map((e) => [e.type, e.srcIp, e.hostname, e.clientId]), [
    ["DISCOVER", 0, "esp-kitchen", "01020000000010"], ["REQUEST", 0, "esp-kitchen", "01020000000010"],
  ]);
  assert.ok(s.log[0].prl.includes(6) && s.log[0].prl.includes(3));
  assert.equal(s.log[0].time <= 50_000 + 1000, true, "initial delay within 0-50 ms");
  assert.deepEqual(d.sentArp.map((a) => a.kind), ["announce", "announce"]);
  assert.equal(s.leaseOf(MAC)!.hostname, "esp-kitchen");
});

test("renew at T1 (unicast), rebind at T2 (broadcast), expiry drops the address, then rediscovery", async () => {
  const r = await rig(2);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", leaseSecs: 1000, t1Secs: 400, t2Secs: 800 });
  const d = r.device(MAC);
  d.start();
  r.sched.runUntil(1e6);
  const bound = d.eventTimes(DhcpEvent.Bound)[0];
  r.sched.runUntil(450e6);
  const renew = s.log.find((e) => e.type === "REQUEST" && e.ciaddr !== 0)!;
  assert.ok(Math.abs(renew.time - bound - 400e6) < 10e3, `renew at ${renew.time}`);
  assert.equal(renew.srcIp, parseIp("10.0.0.100"));
  assert.equal(renew.broadcast, false);
  assert.equal(d.eventTimes(DhcpEvent.Renewed).length, 1);
  s.silent = true;
  const t1 = Number(d.t1());
  r.sched.runUntil(t1 + 1e6);
  r.sched.runUntil(t1 + 1200e6);
  const after = s.log.filter((e) => e.time > t1 - 1);
  // RENEWING sends unicast (to 10.0.0.1); REBINDING from T2 broadcasts; then the lease expires.
  const rebinds = after.filter((e) => e.ciaddr !== 0 && e.time >= t1 + 400e6 - 1e3);
  assert.ok(after.filter((e) => e.ciaddr !== 0 && e.time < t1 + 400e6).length >= 2, "renew retransmitted before T2");
  assert.ok(rebinds.length >= 2, "rebind retransmitted");
  const lost = d.eventTimes(DhcpEvent.Lost);
  assert.equal(lost.length, 1);
  assert.ok(Math.abs(lost[0] - (t1 - 400e6 + 1000e6)) < 10e3, `expired at ${lost[0]}`);
  assert.ok(after.some((e) => e.type === "DISCOVER" && e.time > lost[0]), "rediscovers");
  s.silent = false;
  r.sched.runUntil(r.sched.now + 200e6);
  assert.equal(d.state, DhcpState.Bound);
  assert.equal(d.lease().address, parseIp("10.0.0.100"), "asks for its old address again");
});

test("DISCOVER retransmission backs off 4, 8, 16, 32, 64, 64 s, each within +-1 s", async () => {
  const r = await rig(3);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110" });
  s.silent = true;
  const d = r.device(MAC);
  d.start();
  r.sched.runUntil(250e6);
  const times = s.messages("DISCOVER").map((e) => e.time);
  const gaps = times.slice(1).map((t, i) => (t - times[i]) / 1e6);
  const want = [4, 8, 16, 32, 64, 64];
  want.forEach((w, i) => assert.ok(Math.abs(gaps[i] - w) <= 1.001, `gap ${i}: ${gaps[i]} vs ${w}`));
  assert.equal(new Set(s.messages("DISCOVER").map((e) => e.xid)).size, 1, "same xid on retransmission");
  assert.ok(s.messages("DISCOVER").at(-1)!.time > 0);
});

test("NAK on renewal: the address is dropped at once and DISCOVER restarts", async () => {
  const r = await rig(4);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", leaseSecs: 100 });
  const d = r.device(MAC);
  d.start();
  r.sched.runUntil(1e6);
  s.nakAll = true;
  r.sched.runUntil(60e6);
  assert.ok(d.eventTimes(DhcpEvent.Nak).length >= 1);
  const lost = d.eventTimes(DhcpEvent.Lost)[0];
  assert.ok(lost >= 50e6 && lost < 51e6);
  assert.equal(d.host.ip, 0);
  s.nakAll = false;
  r.sched.runUntil(200e6);
  assert.equal(d.state, DhcpState.Bound);
});

test("two competing servers: the offer with router and DNS wins over a faster bare one", async () => {
  const r = await rig(5);
  const fast = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", router: null, dns: [], delayUs: 500 });
  const good = r.server("10.0.0.2", { poolStart: "10.0.0.200", poolEnd: "10.0.0.210", delayUs: 20_000 });
  const d = r.device(MAC);
  d.start();
  r.sched.runUntil(5e6);
  assert.equal(d.state, DhcpState.Bound);
  assert.equal(d.lease().address, parseIp("10.0.0.200"));
  assert.equal(d.lease().serverId, parseIp("10.0.0.2"));
  assert.equal(fast.table.length, 0, "the other server saw our REQUEST and dropped its offer");
  assert.equal(good.leaseOf(MAC)!.ip, parseIp("10.0.0.200"));
});

test("ACD announce+defend: a host already using the offered address -> DECLINE, wait, new address", async () => {
  const r = await rig(6);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110" });
  r.host("squatter", "02:00:00:00:00:99", "10.0.0.100");
  const d = r.device(MAC);
  d.start();
  r.sched.runUntil(5e6);
  assert.ok(d.eventTimes(DhcpEvent.Conflict).length === 1);
  assert.equal(s.messages("DECLINE").length, 1);
  assert.equal(s.messages("DECLINE")[0].requestedIp, parseIp("10.0.0.100"));
  assert.ok(s.isDeclined("10.0.0.100"));
  r.sched.runUntil(30e6);
  assert.equal(d.state, DhcpState.Bound);
  assert.equal(d.lease().address, parseIp("10.0.0.101"));
  const rediscover = s.messages("DISCOVER")[1].time - s.messages("DECLINE")[0].time;
  assert.ok(rediscover >= 10e6, "waits 10 s after DECLINE (RFC 2131 3.1.5)");
});

test("ACD full probe: 3 probes, the answered probe never binds the address", async () => {
  const r = await rig(7);
  r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110" });
  r.host("squatter", "02:00:00:00:00:99", "10.0.0.100");
  const d = r.device(MAC, { acdMode: AcdMode.Probe });
  d.start();
  r.sched.runUntil(40e6);
  assert.equal(d.state, DhcpState.Bound);
  assert.equal(d.lease().address, parseIp("10.0.0.101"));
  const boundTimes = d.eventTimes(DhcpEvent.Bound);
  assert.equal(boundTimes.length, 1, "never bound to the taken address");
  const probes = d.sentArp.filter((a) => a.kind === "probe" && a.addr === parseIp("10.0.0.101"));
  assert.equal(probes.length, 3);
  const gaps = probes.slice(1).map((p, i) => p.t - probes[i].t);
  assert.ok(gaps.every((g) => g >= 1e6 && g <= 2e6), `probe gaps ${gaps}`);
  assert.ok(boundTimes[0] - probes[2].t >= 2e6, "ANNOUNCE_WAIT after the last probe");
});

test("INIT-REBOOT: a remembered lease is confirmed in one round trip; a foreign one is NAKed and DISCOVER follows", async () => {
  const r = await rig(8);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", delayUs: 2000 });
  const a = r.device(MAC, { networkTag: 42 });
  a.start();
  r.sched.runUntil(1e6);
  const saved = a.lease().raw;
  assert.equal(a.lease().networkTag, 42);
  r.w.ex.dhcp_stop(0);
  a.host.port!.attach({ receive: () => {} });
  const b = r.device(MAC, { networkTag: 42 });
  assert.ok(b.remember(saved));
  const t0 = r.sched.now;
  b.start();
  r.sched.runUntil(t0 + 1e6);
  assert.equal(b.state, DhcpState.Bound);
  assert.equal(b.lease().address, parseIp("10.0.0.100"));
  const reboot = s.log.filter((e) => e.time >= t0);
  assert.deepEqual(reboot.map((e) => [e.type, e.serverId, e.ciaddr, e.requestedIp]), [["REQUEST", null, 0, parseIp("10.0.0.100")]]);
  assert.ok(b.eventTimes(DhcpEvent.Bound)[0] - t0 < 3000);

  // Same record on another network: NAK, then a fresh DISCOVER.
  const r2 = await rig(9);
  const s2 = r2.server("192.168.5.1", { poolStart: "192.168.5.10", poolEnd: "192.168.5.20" });
  const c = r2.device(MAC, { networkTag: 42 });
  c.remember(saved);
  c.start();
  r2.sched.runUntil(2e6);
  assert.deepEqual(s2.log.map((e) => [e.type, e.reply]), [["REQUEST", "NAK"], ["DISCOVER", "OFFER"], ["REQUEST", "ACK"]]);
  assert.equal(c.lease().address, parseIp("192.168.5.10"));

  // Silent servers for unknown INIT-REBOOT: fall back to DISCOVER after 2 tries.
  const r3 = await rig(10);
  const s3 = r3.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", rebootUnknown: "silent" });
  const e = r3.device(MAC, { networkTag: 42 });
  e.remember(saved);
  e.start();
  r3.sched.runUntil(20e6);
  assert.deepEqual(s3.log.map((x) => x.type).slice(0, 3), ["REQUEST", "REQUEST", "DISCOVER"]);
  assert.equal(e.state, DhcpState.Bound);
  assert.equal(e.lease().address, parseIp("10.0.0.100"), "DISCOVER asks for the remembered address");

  // Different network tag: no INIT-REBOOT at all.
  const r4 = await rig(11);
  const s4 = r4.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110" });
  const f = r4.device(MAC, { networkTag: 43 });
  f.remember(saved);
  f.start();
  r4.sched.runUntil(2e6);
  assert.equal(s4.log[0].type, "DISCOVER");
});

test("lease times: infinite (no timers), tiny (2 s, keeps renewing), T1/T2 defaults", async () => {
  const r = await rig(12);
  r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.100", leaseSecs: 0xffffffff });
  const d = r.device(MAC, { acdMode: AcdMode.Off });
  d.start();
  r.sched.runUntil(1e6);
  assert.equal(d.state, DhcpState.Bound);
  assert.equal(d.t1(), 0x7fffffffffffffffn);
  assert.equal(d.expiry(), 0x7fffffffffffffffn);
  r.sched.runUntil(1e9);
  assert.equal(d.events.length, 1);

  const r2 = await rig(13);
  const s2 = r2.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.100", leaseSecs: 2 });
  const e = r2.device(MAC);
  e.start();
  r2.sched.runUntil(60e6);
  assert.equal(e.state === DhcpState.Bound || e.state === DhcpState.Renewing, true);
  assert.ok(e.eventTimes(DhcpEvent.Renewed).length >= 50, `renewed ${e.eventTimes(DhcpEvent.Renewed).length}`);
  assert.equal(e.eventTimes(DhcpEvent.Lost).length, 0);
  assert.ok(s2.messages("REQUEST").length < 80);
});

test("RELEASE frees the lease at the server and reports Lost", async () => {
  const r = await rig(14);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110" });
  const d = r.device(MAC);
  d.start();
  r.sched.runUntil(1e6);
  d.release();
  r.sched.runUntil(2e6);
  assert.equal(s.messages("RELEASE").length, 1);
  assert.equal(s.leaseOf(MAC), undefined);
  assert.equal(d.eventTimes(DhcpEvent.Lost).length, 1);
  assert.equal(d.state, DhcpState.Stopped);
});

test("link-local fallback: 169.254/16 after probing when no server answers; yields when a server appears", async () => {
  const r = await rig(15);
  const s = r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110" });
  s.silent = true;
  const d = r.device(MAC, { linkLocal: true, linkLocalAfterUs: 5e6 });
  d.start();
  r.sched.runUntil(20e6);
  const up = d.eventTimes(DhcpEvent.LinkLocalUp);
  assert.equal(up.length, 1);
  assert.ok(up[0] >= 5e6 + 2e6 + 2e6, "after 3 probes and ANNOUNCE_WAIT");
  const ll = d.host.ip;
  assert.equal(ll >>> 16, 0xa9fe);
  assert.ok((ll & 0xffff) >= 0x100 && (ll & 0xffff) <= 0xfeff);
  s.silent = false;
  r.sched.runUntil(120e6);
  assert.equal(d.state, DhcpState.Bound);
  assert.equal(d.eventTimes(DhcpEvent.LinkLocalDown).length, 1);
  assert.equal(d.host.ip, parseIp("10.0.0.100"));
});

test("two interfaces keep separate leases, gateways and DNS servers", async () => {
  const r = await rig(16);
  r.server("10.0.0.1", { poolStart: "10.0.0.100", poolEnd: "10.0.0.110", router: "10.0.0.1", dns: ["10.0.0.53"] });
  const a = r.device("02:00:00:00:00:10", { hostname: "if0" });
  const b = r.device("02:00:00:00:00:11", { hostname: "if1", clientIdMode: 2 });
  a.start(); b.start();
  r.sched.runUntil(2e6);
  assert.notEqual(a.lease().address, b.lease().address);
  assert.equal(a.state, DhcpState.Bound);
  assert.equal(b.state, DhcpState.Bound);
  const cids = r.servers[0].table.map((l) => l.clientId);
  assert.ok(cids.some((c) => c!.startsWith("ff")), "RFC 4361 client id on the second interface");
});
