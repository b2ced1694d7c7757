// Exposes a simulated board's UART as a local TCP socket (the host CLI accepts
// `--port tcp://127.0.0.1:N`, as esptool accepts socket://) and, where socat is
// installed, as a real pseudo-terminal for serial monitors (screen, picocom, idf.py monitor).
// Bytes from a client enter the device at the wall-synchronised virtual time.
import net from "node:net";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import type { SimDevice } from "./device.ts";
import type { RealtimeRunner } from "./realtime.ts";

export class UartServer {
  private server = net.createServer();
  private clients = new Set<net.Socket>();
  private pty: ChildProcess | null = null;
  tcpPort = 0;
  ptyPath: string | null = null;

  constructor(private readonly device: SimDevice, private readonly runner: RealtimeRunner | null, private readonly uart = 0) {
    device.onUart((port, bytes) => {
      if (port !== this.uart) return;
      for (const c of this.clients) c.write(bytes);
    });
    this.server.on("connection", (socket) => {
      this.clients.add(socket);
      socket.on("data", (data) => {
        this.runner?.catchUp();
        this.device.uartInput(this.uart, new Uint8Array(data));
      });
      socket.on("close", () => this.clients.delete(socket));
      socket.on("error", () => this.clients.delete(socket));
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
    this.tcpPort = (this.server.address() as net.AddressInfo).port;
    return this.tcpPort;
  }

  /** Also offers the UART as a pty (a symlink at `path`) when socat is available. */
  async openPty(path: string): Promise<string | null> {
    if (spawnSync("sh", ["-c", "command -v socat"]).status !== 0) return null;
    this.pty = spawn("socat", [`PTY,link=${path},raw,echo=0`, `TCP:127.0.0.1:${this.tcpPort}`], { stdio: "ignore" });
    for (let i = 0; i < 50; i++) {
      if (spawnSync("test", ["-e", path]).status === 0) return (this.ptyPath = path);
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }

  close(): void {
    this.pty?.kill();
    for (const c of this.clients) c.destroy();
    this.server.close();
  }
}
