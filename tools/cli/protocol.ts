// The console's machine mode, host side. A request is one line
//   @<id>/<crc32 of the command, 8 hex> <command>\r
// preceded by Ctrl-U (kill any half-typed line). The device answers with one line
//   {"id":<id>,"ok":true,"data":{...}}*<crc32 of the JSON, 8 hex>
//   {"id":<id>,"ok":false,"err":"<code>","msg":"..."}*<crc32>
// Anything else on the wire (echo, log lines, prompts, Improv frames) is passed on as
// text, so host tools never scrape human output.
import { crc32, hex8 } from "./crc32.ts";
import { ImprovScanner, type ImprovPacket } from "./improv.ts";

export interface MachineReply { id: number; ok: boolean; data?: any; err?: string; msg?: string }

export function encodeRequest(id: number, command: string): Uint8Array {
  const cmd = Buffer.from(command, "utf8");
  return Buffer.concat([Buffer.from([0x15]), Buffer.from(`@${id}/${hex8(crc32(cmd))} `, "ascii"), cmd, Buffer.from("\r")]);
}

/** Quotes a console argument when needed ("my ssid", embedded quotes and backslashes escaped). */
export function quoteArg(s: string): string {
  if (s !== "" && !/[\s"\\]/.test(s)) return s;
  return `"${s.replace(/[\\"]/g, (c) => "\\" + c)}"`;
}

const REPLY_RE = /^(\{.*\})\*([0-9a-f]{8})$/;

/** Splits the device's output into machine replies, text lines and Improv packets. */
export class Demux {
  private improv = new ImprovScanner();
  private line: number[] = [];
  badReplies = 0;

  constructor(private readonly handlers: {
    reply?: (r: MachineReply) => void;
    line?: (text: string) => void;
    improv?: (p: ImprovPacket) => void;
    raw?: (bytes: Uint8Array) => void;
  }) {}

  push(chunk: Uint8Array): void {
    const { packets, other } = this.improv.push(chunk);
    for (const p of packets) this.handlers.improv?.(p);
    if (other.length) this.handlers.raw?.(other);
    for (const c of other) {
      if (c === 10 || c === 13) { this.flushLine(); continue; }
      if (this.line.length < 8192) this.line.push(c);
    }
  }

  /** Text of a partial line (e.g. a prompt) when the caller wants it. */
  pending(): string { return Buffer.from(this.line).toString("utf8"); }

  private flushLine(): void {
    if (!this.line.length) return;
    let bytes = Uint8Array.from(this.line);
    this.line = [];
    const text = Buffer.from(bytes).toString("utf8");
    // A reply may follow echo on the same line (e.g. the erase of a killed half line).
    const at = Buffer.from(bytes).indexOf('{"id":');
    if (at > 0) bytes = bytes.subarray(at);
    const m = REPLY_RE.exec(Buffer.from(bytes).toString("latin1"));
    if (m) {
      const json = bytes.subarray(0, m[1].length);
      if (crc32(json) === parseInt(m[2], 16)) {
        try {
          this.handlers.reply?.(JSON.parse(Buffer.from(json).toString("utf8")));
          return;
        } catch { /* fall through: count as bad */ }
      }
      this.badReplies++;
      return;
    }
    this.handlers.line?.(text);
  }
}
