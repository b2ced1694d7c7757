// A machine-mode session over a Transport: numbered requests, CRC-checked replies,
// timeouts; other output (logs, echo, Improv frames) goes to optional listeners.
import { encodeRequest, Demux, type MachineReply } from "./protocol.ts";
import type { ImprovPacket } from "./improv.ts";
import { CliError, Exit, type Transport } from "./transport.ts";

export class DeviceClient {
  private nextId = 1 + Math.floor(Math.random() * 1000);
  private waiting = new Map<number, (r: MachineReply) => void>();
  private demux: Demux;
  lineListeners = new Set<(line: string) => void>();
  improvListeners = new Set<(p: ImprovPacket) => void>();

  constructor(readonly transport: Transport, readonly timeoutMs = 3000) {
    this.demux = new Demux({
      reply: (r) => { this.waiting.get(r.id)?.(r); },
      line: (l) => { for (const f of this.lineListeners) f(l); },
      improv: (p) => { for (const f of this.improvListeners) f(p); },
    });
    transport.onData((d) => this.demux.push(d));
  }

  /** Runs a console command; resolves with the reply (ok or not), rejects on timeout. */
  async request(command: string, timeoutMs = this.timeoutMs, retries = 1): Promise<MachineReply> {
    for (let attempt = 0; ; attempt++) {
      const id = this.nextId++;
      try {
        return await new Promise<MachineReply>((resolve, reject) => {
          const timer = setTimeout(() => { this.waiting.delete(id); reject(new CliError(`no response from ${this.transport.description} to '${command.split(" ").slice(0, 2).join(" ")}' within ${timeoutMs} ms`, Exit.Timeout)); }, timeoutMs);
          this.waiting.set(id, (r) => { clearTimeout(timer); this.waiting.delete(id); resolve(r); });
          this.transport.write(encodeRequest(id, command)).catch(reject);
        });
      } catch (e) {
        if (attempt >= retries || !(e instanceof CliError) || e.exitCode !== Exit.Timeout) throw e;
      }
    }
  }

  /** Like request, but throws a CliError for device-side errors. */
  async call(command: string): Promise<any> {
    const r = await this.request(command);
    if (!r.ok) throw new CliError(`device: ${r.msg ?? r.err}`, r.err === "unknown_key" || r.err === "bad_value" || r.err === "too_long" || r.err === "read_only" ? Exit.BadKey : Exit.DeviceError);
    return r.data;
  }
}
