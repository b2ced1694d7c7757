// IEEE 802.11 frames the simulated air carries (802.11-2016 clause 9): management frames
// (beacon, probe, authentication, association, deauthentication), and data frames with an
// LLC/SNAP header carrying Ethernet payloads. Only what the AP and the radio model need.

export const FrameType = { Mgmt: 0, Ctrl: 1, Data: 2 } as const;
export const MgmtSubtype = { AssocReq: 0, AssocResp: 1, ProbeReq: 4, ProbeResp: 5, Beacon: 8, Disassoc: 10, Auth: 11, Deauth: 12 } as const;
export const Ie = { Ssid: 0, Rates: 1, DsParams: 3, Tim: 5, Rsn: 48, Vendor: 221 } as const;
export const BROADCAST = Buffer.alloc(6, 0xff);

/** 802.11 reason codes (9.4.1.7) and status codes (9.4.1.9) the models use. */
export const Reason = { Unspecified: 1, PrevAuthInvalid: 2, Leaving: 3, Inactivity: 4, ApBusy: 5, InvalidIe: 13, MicFailure: 14, FourWayTimeout: 15, GroupKeyTimeout: 16, IeMismatch: 17, InvalidAkmp: 20 } as const;
export const Status = { Success: 0, Unspecified: 1, ApFull: 17, InvalidRsnIe: 72, InvalidAkmp: 43, InvalidPairwiseCipher: 42 } as const;

export interface MacHeader { type: number; subtype: number; toDs: boolean; fromDs: boolean; protected: boolean; a1: Buffer; a2: Buffer; a3: Buffer; seq: number }

export function buildHeader(h: Omit<MacHeader, "protected"> & { protected?: boolean }): Buffer {
  const b = Buffer.alloc(24);
  b[0] = (h.type << 2) | (h.subtype << 4);
  b[1] = (h.toDs ? 1 : 0) | (h.fromDs ? 2 : 0) | (h.protected ? 0x40 : 0);
  b.writeUInt16LE(h.type === FrameType.Mgmt ? 0 : 44, 2); // duration (µs), cosmetic
  h.a1.copy(b, 4); h.a2.copy(b, 10); h.a3.copy(b, 16);
  b.writeUInt16LE((h.seq & 0xfff) << 4, 22);
  return b;
}

export function parseHeader(f: Uint8Array): MacHeader | null {
  if (f.length < 24) return null;
  const b = Buffer.from(f.buffer, f.byteOffset, f.length);
  return {
    type: (b[0] >> 2) & 3, subtype: b[0] >> 4, toDs: !!(b[1] & 1), fromDs: !!(b[1] & 2), protected: !!(b[1] & 0x40),
    a1: b.subarray(4, 10), a2: b.subarray(10, 16), a3: b.subarray(16, 22), seq: b.readUInt16LE(22) >> 4,
  };
}

export function ie(id: number, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(id, data.length), data]);
}

export function parseIes(b: Uint8Array): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  for (let i = 0; i + 2 <= b.length;) {
    const id = b[i], len = b[i + 1];
    if (i + 2 + len > b.length) break;
    const list = out.get(id) ?? [];
    list.push(Buffer.from(b.subarray(i + 2, i + 2 + len)));
    out.set(id, list);
    i += 2 + len;
  }
  return out;
}

/** RSN IE body for WPA2-PSK/CCMP (9.4.2.25): version 1, group CCMP, pairwise CCMP, AKM PSK. */
export function rsnIeWpa2Psk(capabilities = 0, akm = 2): Buffer {
  return Buffer.from([1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, akm, capabilities & 0xff, capabilities >> 8]);
}

export const RATES = Buffer.from([0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]);

export function beaconBody(opts: { intervalTu: number; ssid: string; channel: number; rsnIe: Buffer | null; dtimCount: number; dtimPeriod: number; timestampUs: number; tim?: Buffer }): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeBigUInt64LE(BigInt(Math.floor(opts.timestampUs)), 0);
  fixed.writeUInt16LE(opts.intervalTu, 8);
  fixed.writeUInt16LE(0x0001 | (opts.rsnIe ? 0x0010 : 0), 10); // ESS, Privacy
  const parts = [fixed, ie(Ie.Ssid, Buffer.from(opts.ssid)), ie(Ie.Rates, RATES), ie(Ie.DsParams, Buffer.of(opts.channel)),
    ie(Ie.Tim, opts.tim ?? Buffer.of(opts.dtimCount, opts.dtimPeriod, 0, 0))];
  if (opts.rsnIe) parts.push(ie(Ie.Rsn, opts.rsnIe));
  return Buffer.concat(parts);
}

export const LLC_SNAP = Buffer.from([0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00]);

/** Wraps an Ethernet II frame's payload into an 802.11 data frame body (LLC/SNAP + type). */
export function dataBody(ethertype: number, payload: Uint8Array): Buffer {
  const t = Buffer.alloc(2);
  t.writeUInt16BE(ethertype);
  return Buffer.concat([LLC_SNAP, t, payload]);
}

/** The LLC/SNAP-encapsulated payload of a data frame as {ethertype, payload}, or null. */
export function parseDataBody(body: Uint8Array): { ethertype: number; payload: Buffer } | null {
  if (body.length < 8 || !LLC_SNAP.equals(Buffer.from(body.subarray(0, 6)))) return null;
  return { ethertype: (body[6] << 8) | body[7], payload: Buffer.from(body.subarray(8)) };
}

export function ethernetFrame(dst: Uint8Array, src: Uint8Array, ethertype: number, payload: Uint8Array): Buffer {
  const h = Buffer.alloc(14);
  Buffer.from(dst).copy(h, 0);
  Buffer.from(src).copy(h, 6);
  h.writeUInt16BE(ethertype, 12);
  return Buffer.concat([h, payload]);
}

export function channelMHz(channel: number): number {
  return channel === 14 ? 2484 : 2407 + 5 * channel;
}
