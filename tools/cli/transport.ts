// Byte transports for the host CLI: a real serial port (the optional `serialport`
// package) or `tcp://host:port` (a simulated board's UART, sim/uart-server.ts). Both give
// the same tiny interface, so the protocol code is shared.
import net from "node:net";

export interface Transport {
  write(data: Uint8Array): Promise<void>;
  onData(fn: (data: Uint8Array) => void): void;
  close(): Promise<void>;
  readonly description: string;
}

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}

/** Exit codes: documented in docs/console.md. */
export const Exit = { Ok: 0, DeviceError: 1, Usage: 2, BadKey: 3, Timeout: 4, Port: 5 } as const;

export async function openTransport(port: string, baud = 115200): Promise<Transport> {
  if (port.startsWith("tcp://") || port.startsWith("socket://")) {
    const u = new URL(port.replace(/^socket:/, "tcp:"));
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port) });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", (e: NodeJS.ErrnoException) => reject(new CliError(
        e.code === "ECONNREFUSED" ? `nothing listening at ${port} (is the simulator running?)` : `cannot connect to ${port}: ${e.message}`, Exit.Port)));
    });
    socket.setNoDelay(true);
    return {
      description: port,
      write: (d) => new Promise((resolve, reject) => socket.write(d, (e) => (e ? reject(e) : resolve()))),
      onData: (fn) => { socket.on("data", (d) => fn(new Uint8Array(d))); },
      close: () => new Promise((resolve) => { socket.end(() => resolve()); socket.destroy(); resolve(); }),
    };
  }
  const mod = await loadSerialport();
  const sp = new mod.SerialPort({ path: port, baudRate: baud, autoOpen: false });
  await new Promise<void>((resolve, reject) => sp.open((e: Error | null) => {
    if (!e) return resolve();
    const msg = String(e.message);
    if (/busy|lock|EBUSY|Resource temporarily unavailable/i.test(msg)) reject(new CliError(`${port} is busy (another monitor open?): ${msg}`, Exit.Port));
    else if (/ENOENT|No such file|not found/i.test(msg)) reject(new CliError(`no serial port ${port} (try 'wasmnet ports')`, Exit.Port));
    else if (/EACCES|permission/i.test(msg)) reject(new CliError(`permission denied on ${port} (dialout group?)`, Exit.Port));
    else reject(new CliError(`cannot open ${port}: ${msg}`, Exit.Port));
  }));
  return {
    description: `${port} @ ${baud}`,
    write: (d) => new Promise((resolve, reject) => sp.write(Buffer.from(d), (e: Error | null | undefined) => (e ? reject(e) : sp.drain(() => resolve())))),
    onData: (fn) => { sp.on("data", (d: Buffer) => fn(new Uint8Array(d))); },
    close: () => new Promise((resolve) => (sp.isOpen ? sp.close(() => resolve()) : resolve())),
  };
}

async function loadSerialport(): Promise<any> {
  try {
    // Optional dependency: only needed for real ports.
    return await import("serialport" as string);
  } catch {
    throw new CliError("real serial ports need the 'serialport' package (npm install serialport); --port tcp://HOST:PORT works without it", Exit.Port);
  }
}

/** Serial ports on this machine. SerialPort.list() throws where udevadm is missing (containers): fall back to /dev. */
export async function listPorts(): Promise<{ path: string; info: string }[]> {
  try {
    const mod = await loadSerialport();
    const ports = await mod.SerialPort.list();
    return ports.map((p: any) => ({ path: p.path, info: [p.manufacturer, p.serialNumber, p.vendorId && `${p.vendorId}:${p.productId}`].filter(Boolean).join(" ") }));
  } catch (e) {
    const { readdirSync } = await import("node:fs");
    let names: string[] = [];
    try { names = readdirSync("/dev").filter((n) => /^(ttyUSB|ttyACM|cu\.|tty\.usb)/.test(n)); } catch { /* not unix */ }
    return names.map((n) => ({ path: `/dev/${n}`, info: e instanceof CliError ? "" : "(details unavailable: port listing failed)" }));
  }
}
