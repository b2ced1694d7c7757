// The host CLI against a harness-run console served on a TCP port (the same transport the
// simulator's UART server offers): real subprocesses, exit codes, import/export.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HarnessBoard, serveTcp } from "../../tools/cli/harness-board.ts";
import { fromYaml, toYaml, checkValue, parseSchema } from "../../tools/cli/main.ts";

const board = new HarnessBoard({ fakeWifi: true });
const server = await serveTcp(board);
const port = `tcp://127.0.0.1:${server.port}`;
after(() => server.close());
const dir = mkdtempSync(join(tmpdir(), "wasmnet-cli-"));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "tools/cli/main.ts", ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as any).code === "number" ? (err as any).code : 99) : 0, stdout, stderr });
    });
  });
}

test("status, config set/get/export/import over tcp://", async () => {
  let r = await cli("--port", port, "status", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).firmware, "wasmnet");

  r = await cli("--port", port, "config", "set", "hostname", "lab-bench");
  assert.equal(r.code, 0, r.stderr);
  r = await cli("--port", port, "config", "get", "hostname");
  assert.equal(r.stdout.trim(), "lab-bench");

  r = await cli("--port", port, "join", "Lab Wi-Fi", "pass phrase 1");
  assert.equal(r.code, 0, r.stderr);
  const yamlFile = join(dir, "cfg.yaml");
  r = await cli("--port", port, "config", "export", yamlFile);
  assert.equal(r.code, 0, r.stderr);
  const exported = fromYaml(readFileSync(yamlFile, "utf8"));
  assert.deepEqual(exported, { "wifi.0.ssid": "Lab Wi-Fi", "wifi.0.pass": "********", "wifi.0.prio": 1, hostname: "lab-bench" });

  const jsonFile = join(dir, "in.json");
  writeFileSync(jsonFile, JSON.stringify({ "if.mode": "static", "if.addr": "10.1.2.3", "ka.enable": true, "ka.idle": 30, hostname: "imported", "wifi.0.pass": "********" }));
  r = await cli("--port", port, "config", "import", jsonFile);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported 5 keys \(5 changed\), 1 masked secrets skipped/);
  board.boot(); // values are on flash
  assert.equal(board.command("config get if.addr").data["if.addr"], "10.1.2.3");
  assert.equal(board.command("config get wifi.0.pass").data["wifi.0.pass"], "********", "secret kept");
});

test("clear errors and exit codes", async () => {
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "hostname: ok-name\nno.such.key: 1\nka.idle: 0\n");
  let r = await cli("--port", port, "config", "import", bad);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /unknown key 'no\.such\.key'/);
  assert.match(r.stderr, /ka\.idle: expected an integer 1\.\.86400/);
  assert.match(r.stderr, /nothing changed/);
  assert.notEqual(board.command("config get hostname").data.hostname, "ok-name");

  r = await cli("--port", port, "config", "get", "nope");
  assert.equal(r.code, 3);
  assert.match(r.stderr, /unknown key 'nope'/);
  // This harness board is the console without the Wi-Fi part: its error comes back as is.
  r = await cli("--port", port, "scan");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /'wifi' needs a subcommand/);
  r = await cli("--port", "tcp://127.0.0.1:1", "status");
  assert.equal(r.code, 5);
  assert.match(r.stderr, /nothing listening/);
  r = await cli("frobnicate");
  assert.equal(r.code, 2);
});

test("no response: a silent port times out with exit code 4", async () => {
  const net = await import("node:net");
  const silent = net.createServer((s) => s.on("data", () => {}));
  await new Promise<void>((res) => silent.listen(0, "127.0.0.1", res));
  const r = await cli("--port", `tcp://127.0.0.1:${(silent.address() as any).port}`, "--timeout", "300", "status");
  silent.close();
  assert.equal(r.code, 4);
  assert.match(r.stderr, /no response/);
});

test("join --improv provisions through Improv frames", async () => {
  const p = cli("--port", port, "join", "--improv", "ImprovNet", "improvpass");
  // The fake Wi-Fi part reports success once asked.
  const t0 = Date.now();
  while (board.ex.join_requested() < 0 || board.ex.improv_state() !== 3) {
    if (Date.now() - t0 > 20_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  board.ex.wifi_result(1, BigInt(board.now));
  const r = await p;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /improv: provisioning\nimprov: provisioned/);
});

test("schema checks and flat YAML round-trip", () => {
  const schema = parseSchema({ "a.n": "u32,1,10", "a.s": "str,0,5,choices=x|y", "a.ip": "ipv4", "_i": "bytes,0,4,secret,internal" });
  assert.deepEqual(checkValue("a.n", 5, schema.get("a.n")), { text: "5" });
  assert.match(checkValue("a.n", 11, schema.get("a.n")).error!, /1\.\.10/);
  assert.match(checkValue("a.s", "z", schema.get("a.s")).error!, /one of x, y/);
  assert.match(checkValue("a.ip", "1.2.3.256", schema.get("a.ip")).error!, /a\.b\.c\.d/);
  assert.match(checkValue("_i", "00", schema.get("_i")).error!, /internal/);
  const data = { s: "with space: and # hash", e: "", n: 3, b: false, t: "true", q: 'say "hi"' };
  assert.deepEqual(fromYaml(toYaml(data)), data);
});
