// Bridges a simulated port to a Linux TAP device. Node cannot open a TAP device itself, so
// socat holds it and relays whole Ethernet frames as UDP datagrams on loopback:
//   socat TUN,tun-type=tap,iff-no-pi,iff-up,tun-name=TAP UDP4-DATAGRAM:127.0.0.1:<ours>,bind=127.0.0.1:<socat's>
// Frames from the kernel enter the simulation at the current (wall-synchronised) virtual
// time; frames from the simulation go out at once.
import dgram from "node:dgram";
import type { FrameEndpoint, Port } from "./net/port.ts";
import type { RealtimeRunner } from "./realtime.ts";

export class TapBridge implements FrameEndpoint {
  private socket = dgram.createSocket("udp4");
  private port: Port | null = null;
  peerPort = 0;
  readonly counters = { toKernel: 0, fromKernel: 0 };

  constructor(private readonly runner: RealtimeRunner) {}

  /** Binds our UDP end on loopback; resolves to its port number. */
  async bind(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind(0, "127.0.0.1", () => resolve());
    });
    this.socket.on("message", (msg, rinfo) => {
      if (rinfo.address !== "127.0.0.1" || rinfo.port !== this.peerPort || !this.port) return;
      this.runner.catchUp();
      this.counters.fromKernel++;
      this.port.send(new Uint8Array(msg));
    });
    return this.socket.address().port;
  }

  /** Plugs the bridge into a simulated port (a switch port or link end). */
  attach(port: Port): void {
    this.port = port;
    port.attach(this);
  }

  receive(frame: Uint8Array): void {
    if (!this.peerPort) return;
    this.counters.toKernel++;
    this.socket.send(frame, this.peerPort, "127.0.0.1");
  }

  close(): void { this.socket.close(); }
}
