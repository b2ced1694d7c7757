// The frame-level boundary of the network model. Frames are whole Ethernet II frames
// without FCS (destination MAC first). A receiver may keep the array it is given; a sender
// may reuse its buffer after send() returns (the network copies).

export interface FrameEndpoint {
  receive(frame: Uint8Array): void;
}

/** One attachment point on a network: a link end or a switch port. */
export interface Port {
  /** Sets the endpoint that receives frames arriving at this port. */
  attach(ep: FrameEndpoint): void;
  send(frame: Uint8Array): void;
  readonly up: boolean;
  /** Called on every carrier change; returns an unsubscribe function. */
  onLinkChange(fn: (up: boolean) => void): () => void;
}

export type Mac = Uint8Array;

export const BROADCAST_MAC: Mac = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export function parseMac(s: string): Mac {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6) throw new Error(`bad MAC '${s}'`);
  return Uint8Array.from(parts.map((p) => {
    const v = parseInt(p, 16);
    if (!(v >= 0 && v <= 255) || !/^[0-9a-fA-F]{1,2}$/.test(p)) throw new Error(`bad MAC '${s}'`);
    return v;
  }));
}

export function macToString(b: Uint8Array, off = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(b[off + i].toString(16).padStart(2, "0"));
  return out.join(":");
}

/** A MAC as a number (48 bits fit exactly in a double), for map keys. */
export function macKey(b: Uint8Array, off = 0): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + b[off + i];
  return v;
}

/** Group bit (I/G) of the first octet: broadcast and multicast. */
export function isGroupMac(b: Uint8Array, off = 0): boolean {
  return (b[off] & 1) !== 0;
}

export function macEquals(a: Uint8Array, aOff: number, b: Uint8Array, bOff = 0): boolean {
  for (let i = 0; i < 6; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

/** Listener set shared by the models that report carrier changes. */
export class Listeners<T extends unknown[]> {
  private fns: ((...args: T) => void)[] = [];
  add(fn: (...args: T) => void): () => void {
    this.fns.push(fn);
    return () => { this.fns = this.fns.filter((f) => f !== fn); };
  }
  emit(...args: T): void {
    for (const fn of [...this.fns]) fn(...args);
  }
}
