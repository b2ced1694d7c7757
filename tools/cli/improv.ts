// An Improv Wi-Fi serial client (https://www.improv-wifi.com/serial/, version 1), written
// from the specification: frame building and parsing, shared by `wasmnet join --improv`
// and the tests.
//   "IMPROV" | version 1 | type | length | data | checksum (sum of all preceding bytes mod 256)

export const IMPROV_MAGIC = Buffer.from("IMPROV", "ascii");
export const IMPROV_VERSION = 1;
export const ImprovType = { CurrentState: 1, ErrorState: 2, Rpc: 3, RpcResult: 4 } as const;
export const ImprovState = { Ready: 2, Provisioning: 3, Provisioned: 4 } as const;
export const ImprovError = { None: 0, InvalidRpc: 1, UnknownRpc: 2, UnableToConnect: 3, BadHostname: 5, Unknown: 0xff } as const;
export const ImprovCmd = { WifiSettings: 1, CurrentState: 2, DeviceInfo: 3, Scan: 4, Hostname: 5 } as const;

export const STATE_NAMES: Record<number, string> = { 2: "ready (authorized)", 3: "provisioning", 4: "provisioned" };
export const ERROR_NAMES: Record<number, string> = {
  0: "no error", 1: "invalid RPC packet", 2: "unknown RPC command", 3: "unable to connect", 5: "bad hostname", 0xff: "unknown error",
};

export function improvFrame(type: number, data: Uint8Array): Uint8Array {
  if (data.length > 255) throw new Error("improv: data over 255 bytes");
  const out = new Uint8Array(6 + 3 + data.length + 1);
  out.set(IMPROV_MAGIC, 0);
  out[6] = IMPROV_VERSION;
  out[7] = type;
  out[8] = data.length;
  out.set(data, 9);
  let sum = 0;
  for (let i = 0; i < out.length - 1; i++) sum += out[i];
  out[out.length - 1] = sum & 0xff;
  return out;
}

/** RPC command data: command, data length, data. */
export function rpcData(cmd: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return Uint8Array.from([cmd, data.length, ...data]);
}

export function wifiSettingsData(ssid: string, password: string): Uint8Array {
  const s = Buffer.from(ssid, "utf8"), p = Buffer.from(password, "utf8");
  return rpcData(ImprovCmd.WifiSettings, Uint8Array.from([s.length, ...s, p.length, ...p]));
}

export const rpcFrame = (cmd: number, data?: Uint8Array) => improvFrame(ImprovType.Rpc, rpcData(cmd, data));
export const wifiSettingsFrame = (ssid: string, password: string) => improvFrame(ImprovType.Rpc, wifiSettingsData(ssid, password));

export interface ImprovPacket { type: number; data: Uint8Array }

/** RPC result data: command, length, then length-prefixed strings. */
export function parseRpcResult(data: Uint8Array): { cmd: number; strings: string[] } | null {
  if (data.length < 2 || data[1] + 2 !== data.length) return null;
  const strings: string[] = [];
  let i = 2;
  while (i < data.length) {
    const n = data[i++];
    if (i + n > data.length) return null;
    strings.push(Buffer.from(data.subarray(i, i + n)).toString("utf8"));
    i += n;
  }
  return { cmd: data[0], strings };
}

/**
 * Finds Improv frames in a byte stream mixed with text. Feed chunks; complete frames come
 * back as packets, everything else as `other` bytes (console text). Frames with a wrong
 * checksum are reported in `bad`.
 */
export class ImprovScanner {
  private buf = new Uint8Array(0);
  bad = 0;

  push(chunk: Uint8Array): { packets: ImprovPacket[]; other: Uint8Array } {
    const b = new Uint8Array(this.buf.length + chunk.length);
    b.set(this.buf); b.set(chunk, this.buf.length);
    const packets: ImprovPacket[] = [];
    const other: number[] = [];
    let i = 0;
    while (i < b.length) {
      if (b[i] !== 0x49) { other.push(b[i++]); continue; } // 'I'
      // Possible header: need the whole frame to decide.
      const rest = b.length - i;
      let matches = true;
      for (let k = 0; k < Math.min(6, rest); k++) if (b[i + k] !== IMPROV_MAGIC[k]) { matches = false; break; }
      if (matches && rest > 6 && b[i + 6] !== IMPROV_VERSION) matches = false;
      if (!matches) { other.push(b[i++]); continue; }
      if (rest < 9 || rest < 10 + b[i + 8]) break; // incomplete: keep for the next chunk
      const len = b[i + 8];
      let sum = 0;
      for (let k = 0; k < 9 + len; k++) sum += b[i + k];
      if ((sum & 0xff) === b[i + 9 + len]) packets.push({ type: b[i + 7], data: b.slice(i + 9, i + 9 + len) });
      else this.bad++;
      i += 10 + len;
    }
    this.buf = b.slice(i);
    return { packets, other: Uint8Array.from(other) };
  }
}
