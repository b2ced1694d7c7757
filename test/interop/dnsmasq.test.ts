// The device's DHCP client and DNS resolver against a real server: Debian's dnsmasq inside a
// network namespace, serving DHCP and DNS on the TAP device whose other end is the simulated
// board (real build/stack.wasm, ENC28J60 model) running in real time. Root only.
//
// dnsmasq's shortest lease is 2 minutes, so renewal is tested with a faked T1 of 20 s
// (option 58). The lease file and the --log-dhcp log are the independent record: our client
// id and hostname, the renewal, and an INIT-REBOOT (a REQUEST without a DISCOVER) after a
// console `reboot`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { World } from "../../sim/world.ts";
import { RealtimeRunner } from "../../sim/realtime.ts";
import type { SimDevice } from "../../sim/device.ts";
import { Namespace, interopSkipReason, boardForTap, KERNEL_IP } from "./netns.ts";

const skip = interopSkipReason() ??
  (spawnSync("sh", ["-c", "command -v dnsmasq"]).status !== 0 ? "dnsmasq is not installed (apt-get install dnsmasq-base)" : false);

const POOL = ["192.168.77.100", "192.168.77.150"];

async function machine(runner: RealtimeRunner, dev: SimDevice, cmd: string, timeoutMs = 15000): Promise<any> {
  const id = 91;
  const before = dev.uartOutput.length;
  dev.uartInput(0, `@${id} ${cmd}\r`);
  const line = () => dev.uartOutput.slice(before).split("\r\n").find((l) => l.startsWith(`{"id":${id},`) && /\*[0-9a-f]{8}$/.test(l));
  assert.ok(await runner.run(() => line() !== undefined, timeoutMs), `no reply to '${cmd}': ${dev.uartOutput.slice(before)}`);
  const l = line()!;
  return JSON.parse(l.slice(0, l.lastIndexOf("*")));
}

async function address(runner: RealtimeRunner, dev: SimDevice): Promise<string> {
  const r = await machine(runner, dev, "ifconfig");
  return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.data.eth0)![1];
}

test("dnsmasq: lease with our client id and hostname, renewal at T1, INIT-REBOOT after a reboot, A/CNAME/NXDOMAIN lookups", { skip, timeout: 120000 }, async () => {
  const world = new World(21);
  const runner = new RealtimeRunner(world);
  const ns = new Namespace(runner, "dnsm");
  const dir = mkdtempSync(join(tmpdir(), "wasmnet-dnsmasq-"));
  const log = join(dir, "dnsmasq.log"), leases = join(dir, "leases");
  try {
    await ns.up();
    const daemon = ns.spawn("dnsmasq", [
      "--keep-in-foreground", "--user=root", "--group=root", `--pid-file=${join(dir, "pid")}`,
      `--interface=${ns.tap}`, "--bind-interfaces", "--except-interface=lo", "--port=53", "--no-resolv", "--no-hosts",
      `--dhcp-range=${POOL[0]},${POOL[1]},255.255.255.0,2m`, `--dhcp-leasefile=${leases}`, "--dhcp-authoritative",
      `--dhcp-option=option:router,${KERNEL_IP}`, `--dhcp-option=option:dns-server,${KERNEL_IP}`, "--dhcp-option=58,20",
      "--local=/test/", "--domain=test",
      "--host-record=peer.test,192.168.77.10", "--host-record=gw.test,192.168.77.1", "--cname=www.test,peer.test",
      "--log-dhcp", "--log-queries", `--log-facility=${log}`,
    ]);
    let daemonErr = "";
    daemon.stderr!.on("data", (d) => { daemonErr += d; });
    const dnsmasqLog = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
    assert.ok(await runner.run(() => /started, version/.test(dnsmasqLog()) || daemon.exitCode !== null, 5000), "dnsmasq started");
    assert.equal(daemon.exitCode, null, `dnsmasq exited: ${daemonErr}${dnsmasqLog()}`);

    const { dev, link } = boardForTap(world, true);
    ns.bridge.attach(link.b);
    dev.boot();

    // DORA.
    assert.ok(await runner.run(() => /DHCPACK\(\S+\) 192\.168\.77\.\d+/.test(dnsmasqLog()), 20000), `no DHCPACK:\n${dnsmasqLog()}`);
    await runner.run(() => false, 300);
    const addr = await address(runner, dev);
    assert.match(addr, /^192\.168\.77\.1[0-4]\d$/);
    const text = dnsmasqLog();
    assert.match(text, /DHCPDISCOVER/);
    assert.match(text, /client provides name: wasmnet/);
    // The lease file: expiry, MAC, address, hostname, client id (type 1 + MAC).
    const line = readFileSync(leases, "utf8").trim().split("\n").find((l) => l.includes(` ${addr} `));
    assert.ok(line, `lease file: ${readFileSync(leases, "utf8")}`);
    const [, mac, leased, host, clientId] = line!.split(" ");
    assert.equal(leased, addr);
    assert.equal(host, "wasmnet");
    assert.equal(clientId, `01:${mac}`);

    // DNS through the server from the lease.
    const a = await machine(runner, dev, "nslookup peer.test");
    assert.equal(a.data.addresses, "192.168.77.10");
    const c = await machine(runner, dev, "nslookup www.test");
    assert.equal(c.data.addresses, "192.168.77.10", "CNAME followed");
    const nx = await machine(runner, dev, "nslookup nope.test");
    assert.equal(nx.err, "nxdomain");
    assert.match(dnsmasqLog(), /query\[A\] www\.test from 192\.168\.77\.1\d\d/);

    // Renewal at T1 = 20 s: a unicast REQUEST from our address, ACKed.
    const acks = () => (dnsmasqLog().match(new RegExp(`DHCPACK\\(\\S+\\) ${addr.replace(/\./g, "\\.")}`, "g")) ?? []).length;
    const before = acks();
    assert.ok(await runner.run(() => acks() > before, 30000), "renewed at T1");
    assert.equal(await address(runner, dev), addr);

    // Reboot: INIT-REBOOT gets the address back in one round trip (no DISCOVER).
    const discovers = (dnsmasqLog().match(/DHCPDISCOVER/g) ?? []).length;
    const acksBefore = acks();
    dev.uartInput(0, "reboot\r");
    assert.ok(await runner.run(() => acks() > acksBefore, 15000), "ACK after the reboot");
    await runner.run(() => false, 300);
    assert.equal((dnsmasqLog().match(/DHCPDISCOVER/g) ?? []).length, discovers, "no DISCOVER: INIT-REBOOT");
    assert.equal(await address(runner, dev), addr);
    const again = await machine(runner, dev, "nslookup gw.test");
    assert.equal(again.data.addresses, "192.168.77.1");
  } finally {
    ns.down();
    rmSync(dir, { recursive: true, force: true });
  }
});
