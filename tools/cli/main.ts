#!/usr/bin/env -S npx tsx
// wasmnet: configure and watch a wasmnet device over its serial console.
//   wasmnet [--port PORT] [--baud N] [--timeout MS] <command>
// PORT is a serial device (/dev/ttyUSB0, COM3) or tcp://127.0.0.1:N (a simulated board).
// The default port comes from $WASMNET_PORT. Everything talks the console's machine mode
// (tools/cli/protocol.ts): no human text is scraped.
import { readFileSync, writeFileSync } from "node:fs";
import { openTransport, listPorts, CliError, Exit, type Transport } from "./transport.ts";
import { DeviceClient } from "./client.ts";
import { quoteArg } from "./protocol.ts";
import { wifiSettingsFrame, ImprovType, ImprovState, ImprovError, ERROR_NAMES, STATE_NAMES, parseRpcResult } from "./improv.ts";

const USAGE = `usage: wasmnet [--port PORT] [--baud 115200] [--timeout MS] <command>

  status                         device status
  config get <key>               one value (secrets masked)
  config set <key> <value> [--no-commit]
  config unset <key> [--no-commit]
  config list [prefix]           every key, defaults included
  config export [FILE] [--format json|yaml]   stored (non-default) keys
  config import FILE [--dry-run] validate against the device's schema, then set + commit
  config schema                  keys, types and limits
  scan                           nearby Wi-Fi networks
  join <ssid> [passphrase] [--improv]   remember a network (--improv: use Improv RPC)
  console                        interactive terminal (Ctrl-] quits)
  logs [--level error|warn|info|debug|trace]   follow log lines, coloured
  ports                          list serial ports

PORT: /dev/ttyUSB0, COM3, or tcp://127.0.0.1:N (simulator); default $WASMNET_PORT.
Exit codes: 0 ok, 1 device error, 2 usage, 3 unknown key / invalid value, 4 no response, 5 port problem.`;

interface Opts { port?: string; baud: number; timeout: number; flags: Set<string>; values: Map<string, string>; args: string[] }

function parseArgs(argv: string[]): Opts {
  const o: Opts = { port: process.env.WASMNET_PORT, baud: 115200, timeout: 3000, flags: new Set(), values: new Map(), args: [] };
  const valued = new Set(["--port", "-p", "--baud", "--timeout", "--format", "--level"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") { o.args.push(...argv.slice(i + 1)); break; }
    if (valued.has(a)) {
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${a} needs a value`, Exit.Usage);
      if (a === "--port" || a === "-p") o.port = v;
      else if (a === "--baud") o.baud = Number(v);
      else if (a === "--timeout") o.timeout = Number(v);
      else o.values.set(a, v);
    } else if (a.startsWith("--") && a.includes("=")) {
      const [k, v] = [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)];
      if (k === "--port") o.port = v; else if (k === "--baud") o.baud = Number(v); else if (k === "--timeout") o.timeout = Number(v); else o.values.set(k, v);
    } else if (a.startsWith("--") || a === "-h") o.flags.add(a);
    else o.args.push(a);
  }
  if (!Number.isFinite(o.baud) || o.baud <= 0) throw new CliError("--baud must be a positive number", Exit.Usage);
  if (!Number.isFinite(o.timeout) || o.timeout <= 0) throw new CliError("--timeout must be milliseconds", Exit.Usage);
  return o;
}

const out = (s: string) => process.stdout.write(s + "\n");
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);

async function connect(o: Opts): Promise<{ t: Transport; c: DeviceClient }> {
  if (!o.port) throw new CliError("no port: use --port /dev/ttyUSB0 or --port tcp://127.0.0.1:N (or set WASMNET_PORT)", Exit.Usage);
  const t = await openTransport(o.port, o.baud);
  return { t, c: new DeviceClient(t, o.timeout) };
}

// ---- schema validation (the device describes its own schema: `config schema`) ---------------

interface KeySpec { type: string; min?: number; max?: number; choices?: string[]; secret: boolean; internal: boolean }
export function parseSchema(data: Record<string, string>): Map<string, KeySpec> {
  const m = new Map<string, KeySpec>();
  for (const [k, v] of Object.entries(data)) {
    const parts = v.split(",");
    const s: KeySpec = { type: parts[0], secret: parts.includes("secret"), internal: parts.includes("internal") };
    if (["str", "bytes", "u32"].includes(s.type)) { s.min = Number(parts[1]); s.max = Number(parts[2]); }
    const ch = parts.find((p) => p.startsWith("choices="));
    if (ch) s.choices = ch.slice(8).split("|");
    m.set(k, s);
  }
  return m;
}

/** Checks one value; returns the console text for it, or an error message. */
export function checkValue(key: string, value: unknown, spec: KeySpec | undefined): { text?: string; error?: string } {
  if (!spec) return { error: `unknown key '${key}'` };
  if (spec.internal) return { error: `'${key}' is internal (written by the device)` };
  switch (spec.type) {
    case "u32": {
      const n = typeof value === "number" ? value : Number(value);
      if (!Number.isInteger(n) || n < spec.min! || n > spec.max!) return { error: `${key}: expected an integer ${spec.min}..${spec.max}` };
      return { text: String(n) };
    }
    case "bool":
      if (typeof value === "boolean") return { text: String(value) };
      if (["true", "false", "on", "off", "yes", "no", "1", "0"].includes(String(value).toLowerCase())) return { text: String(value).toLowerCase() };
      return { error: `${key}: expected true or false` };
    case "ipv4": {
      const s = String(value);
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(s) || s.split(".").some((p) => Number(p) > 255)) return { error: `${key}: expected a.b.c.d` };
      return { text: s };
    }
    case "bytes": {
      const s = String(value);
      if (!/^([0-9a-fA-F]{2})*$/.test(s) || s.length / 2 > spec.max!) return { error: `${key}: expected up to ${spec.max} bytes as hex` };
      return { text: s };
    }
    default: {
      const s = String(value);
      const n = Buffer.byteLength(s);
      if (n > spec.max! || n < spec.min!) return { error: `${key}: length must be ${spec.min}..${spec.max} bytes` };
      if (spec.choices && !spec.choices.includes(s)) return { error: `${key}: one of ${spec.choices.join(", ")}` };
      return { text: quoteArg(s) };
    }
  }
}

// ---- flat YAML (key: value) without a dependency -----------------------------------------------

export function toYaml(data: Record<string, unknown>): string {
  const lines = ["# wasmnet config export; secrets are masked (\"********\") and skipped on import"];
  for (const [k, v] of Object.entries(data)) {
    const s = typeof v === "string" && (v === "" || /[:#"'\s\\]|^[-?!&*{}[\],|>%@`]|^(true|false|null|~|\d.*)$/i.test(v)) ? JSON.stringify(v) : String(v);
    lines.push(`${k}: ${s}`);
  }
  return lines.join("\n") + "\n";
}

export function fromYaml(text: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith("#")) return;
    const m = /^([A-Za-z0-9._-]+):\s*(.*)$/.exec(t);
    if (!m) throw new CliError(`line ${i + 1}: expected 'key: value' (only flat YAML is supported)`, Exit.Usage);
    const v = m[2];
    if (v.startsWith('"')) o[m[1]] = JSON.parse(v);
    else if (v.startsWith("'")) o[m[1]] = v.slice(1, -1).replace(/''/g, "'");
    else if (/^(true|false)$/.test(v)) o[m[1]] = v === "true";
    else if (/^\d+$/.test(v)) o[m[1]] = Number(v);
    else o[m[1]] = v.replace(/\s+#.*$/, "");
  });
  return o;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try { text = readFileSync(path, "utf8"); } catch (e: any) { throw new CliError(`cannot read ${path}: ${e.message}`, Exit.Usage); }
  if (/\.ya?ml$/i.test(path) || !text.trimStart().startsWith("{")) return fromYaml(text);
  try {
    const o = JSON.parse(text);
    if (typeof o !== "object" || o === null || Array.isArray(o)) throw new Error("not an object");
    return o;
  } catch (e: any) { throw new CliError(`${path}: invalid JSON: ${e.message}`, Exit.Usage); }
}

// ---- commands --------------------------------------------------------------------------------

function printData(data: Record<string, unknown>, o: Opts): void {
  if (o.flags.has("--json")) { out(JSON.stringify(data, null, 2)); return; }
  const w = Math.max(0, ...Object.keys(data).map((k) => k.length));
  for (const [k, v] of Object.entries(data)) out(`${k.padEnd(w)}  ${v === null ? "-" : typeof v === "string" ? v : JSON.stringify(v)}`);
}

async function run(o: Opts): Promise<number> {
  const [cmd, sub, ...rest] = o.args;
  if (!cmd || o.flags.has("--help") || o.flags.has("-h")) { out(USAGE); return cmd ? Exit.Ok : Exit.Usage; }
  if (cmd === "ports") {
    const ports = await listPorts();
    if (!ports.length) out("no serial ports found");
    for (const p of ports) out(`${p.path}${p.info ? "  " + p.info : ""}`);
    return Exit.Ok;
  }
  if (!["status", "config", "scan", "join", "console", "logs"].includes(cmd)) throw new CliError(`unknown command '${cmd}'\n${USAGE}`, Exit.Usage);
  const { t, c } = await connect(o);
  try {
    switch (cmd) {
      case "status": printData(await c.call("status"), o); return Exit.Ok;
      case "scan": {
        const data = await c.call("wifi scan");
        printData(data, o);
        return Exit.Ok;
      }
      case "join": return await join(c, [sub, ...rest].filter((x) => x !== undefined), o);
      case "console": return await interactive(t);
      case "logs": return await logs(c, o);
      case "config": return await config(c, sub, rest, o);
    }
    return Exit.Usage;
  } finally {
    await t.close();
  }
}

async function config(c: DeviceClient, sub: string | undefined, rest: string[], o: Opts): Promise<number> {
  const noCommit = o.flags.has("--no-commit");
  switch (sub) {
    case "get":
      if (rest.length !== 1) throw new CliError("usage: wasmnet config get <key>", Exit.Usage);
      { const d = await c.call(`config get ${rest[0]}`); if (o.flags.has("--json")) out(JSON.stringify(d)); else out(String(d[rest[0]])); }
      return Exit.Ok;
    case "set": {
      if (rest.length !== 2) throw new CliError("usage: wasmnet config set <key> <value>", Exit.Usage);
      const schema = parseSchema(await c.call("config schema"));
      const v = checkValue(rest[0], rest[1], schema.get(rest[0]));
      if (v.error) throw new CliError(v.error, Exit.BadKey);
      printData(await c.call(`config set ${rest[0]} ${v.text}`), o);
      if (!noCommit) await c.call("config commit");
      return Exit.Ok;
    }
    case "unset":
      if (rest.length !== 1) throw new CliError("usage: wasmnet config unset <key>", Exit.Usage);
      await c.call(`config unset ${rest[0]}`);
      if (!noCommit) await c.call("config commit");
      return Exit.Ok;
    case "list": printData(await c.call(`config list${rest[0] ? " " + rest[0] : ""}`), o); return Exit.Ok;
    case "schema": printData(await c.call("config schema"), o); return Exit.Ok;
    case "export": {
      const data = await c.call("config list --set");
      const fmt = o.values.get("--format") ?? (rest[0] && /\.ya?ml$/i.test(rest[0]) ? "yaml" : "json");
      if (fmt !== "json" && fmt !== "yaml") throw new CliError("--format is json or yaml", Exit.Usage);
      const text = fmt === "yaml" ? toYaml(data) : JSON.stringify(data, null, 2) + "\n";
      if (rest[0]) writeFileSync(rest[0], text); else process.stdout.write(text);
      return Exit.Ok;
    }
    case "import": {
      if (rest.length !== 1) throw new CliError("usage: wasmnet config import FILE [--dry-run]", Exit.Usage);
      const data = readConfigFile(rest[0]);
      const schema = parseSchema(await c.call("config schema"));
      const errors: string[] = [];
      const sets: string[] = [];
      let skipped = 0;
      for (const [k, v] of Object.entries(data)) {
        if (v === "********") { skipped++; continue; }
        if (v === null) { sets.push(`config unset ${k}`); continue; }
        const r = checkValue(k, v, schema.get(k));
        if (r.error) errors.push(r.error); else sets.push(`config set ${k} ${r.text}`);
      }
      if (errors.length) throw new CliError(`${rest[0]}: nothing changed:\n  ${errors.join("\n  ")}`, Exit.BadKey);
      if (o.flags.has("--dry-run")) { for (const s of sets) out(s); return Exit.Ok; }
      for (const s of sets) {
        const r = await c.request(s);
        if (!r.ok) { await c.request("config revert"); throw new CliError(`device refused '${s}': ${r.msg}; nothing changed`, Exit.BadKey); }
      }
      const done = await c.call("config commit");
      out(`imported ${sets.length} keys (${done.committed} changed)${skipped ? `, ${skipped} masked secrets skipped` : ""}`);
      return Exit.Ok;
    }
    default:
      throw new CliError("usage: wasmnet config get|set|unset|list|export|import|schema ...", Exit.Usage);
  }
}

async function join(c: DeviceClient, args: string[], o: Opts): Promise<number> {
  if (args.length < 1 || args.length > 2) throw new CliError("usage: wasmnet join <ssid> [passphrase] [--improv]", Exit.Usage);
  const [ssid, pass = ""] = args;
  if (!o.flags.has("--improv")) {
    printData(await c.call(`wifi join ${quoteArg(ssid)}${pass ? " " + quoteArg(pass) : ""}`), o);
    return Exit.Ok;
  }
  // Improv: send Wi-Fi settings, wait for provisioned or an error.
  return await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CliError("no Improv answer (is Improv enabled on this port?)", Exit.Timeout)), Math.max(o.timeout, 35_000));
    c.improvListeners.add((p) => {
      if (p.type === ImprovType.CurrentState) {
        out(`improv: ${STATE_NAMES[p.data[0]] ?? p.data[0]}`);
        if (p.data[0] === ImprovState.Provisioned) { clearTimeout(timer); resolve(Exit.Ok); }
      } else if (p.type === ImprovType.ErrorState && p.data[0] !== ImprovError.None) {
        clearTimeout(timer);
        reject(new CliError(`improv: ${ERROR_NAMES[p.data[0]] ?? p.data[0]}`, Exit.DeviceError));
      } else if (p.type === ImprovType.RpcResult) {
        const r = parseRpcResult(p.data);
        if (r?.strings.length) out(`improv: ${r.strings.join(" ")}`);
      }
    });
    c.transport.write(wifiSettingsFrame(ssid, pass)).catch(reject);
  });
}

async function interactive(t: Transport): Promise<number> {
  if (!process.stdin.isTTY) throw new CliError("console needs a terminal", Exit.Usage);
  process.stderr.write(`connected to ${t.description}; Ctrl-] quits\n`);
  t.onData((d) => process.stdout.write(d));
  process.stdin.setRawMode(true);
  process.stdin.resume();
  await new Promise<void>((resolve) => {
    process.stdin.on("data", (d: Buffer) => {
      if (d.includes(0x1d)) { resolve(); return; }
      t.write(new Uint8Array(d));
    });
  });
  process.stdin.setRawMode(false);
  process.stdin.pause();
  return Exit.Ok;
}

const LEVELS = ["error", "warn", "info", "debug", "trace"];
/** Level of a log line: ESP-IDF style "E (123) tag: ..." or "[warn] ...". -1 if not a log line. */
export function logLevelOf(line: string): number {
  const idf = /^(?:\x1b\[[0-9;]*m)?([EWIDV]) \(\d+\)/.exec(line);
  if (idf) return "EWIDV".indexOf(idf[1]);
  const br = /^\[(error|warn|info|debug|trace)\]/i.exec(line);
  return br ? LEVELS.indexOf(br[1].toLowerCase()) : -1;
}

async function logs(c: DeviceClient, o: Opts): Promise<number> {
  const lv = o.values.get("--level") ?? "trace";
  const max = LEVELS.indexOf(lv);
  if (max < 0) throw new CliError(`--level is one of ${LEVELS.join(", ")}`, Exit.Usage);
  const colours = [31, 33, 32, 36, 90];
  c.lineListeners.add((line) => {
    const l = logLevelOf(line);
    if (l < 0 || l > max) return;
    out(paint(colours[l], line.replace(/\x1b\[[0-9;]*m/g, "")));
  });
  process.stderr.write(`following logs on ${c.transport.description} (level <= ${lv}); Ctrl-C stops\n`);
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  return Exit.Ok;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(parseArgs(argv));
  } catch (e) {
    if (e instanceof CliError) { process.stderr.write(`wasmnet: ${e.message}\n`); return e.exitCode; }
    process.stderr.write(`wasmnet: ${(e as Error).stack ?? e}\n`);
    return Exit.DeviceError;
  }
}

if (process.argv[1]?.endsWith("main.ts") || process.argv[1]?.endsWith("wasmnet")) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
