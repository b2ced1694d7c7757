// A LAN gateway that stands in for everything behind it: it answers ICMP echo for its own
// address and for any address outside the LAN, as if the far host had replied through it.
// Enough to show that a device routes off-link traffic via the gateway (ARP for the
// gateway, not the far address) and gets answers back.
import type { Scheduler } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";
import { SimHost, type SimHostOptions } from "./host.ts";
import { IPPROTO_ICMP, buildIcmp, checksum, prefixMask } from "./wire.ts";

export class EchoGateway extends SimHost {
  readonly forwarded: { src: number; dst: number }[] = [];

  constructor(sched: Scheduler, rng: Rng, opts: SimHostOptions) {
    super(sched, rng, opts);
    this.promiscuousIp = true;
    this.onIpProtocol(IPPROTO_ICMP, (p) => {
      const m = p.payload;
      if (m.length < 8 || checksum(m) !== 0 || m[0] !== 8 || m[1] !== 0) return;
      const local = (p.dst & prefixMask(this.prefix)) === (this.ip & prefixMask(this.prefix));
      if (p.dst !== this.ip && local) return; // someone else's LAN traffic
      if (p.dst !== this.ip) this.forwarded.push({ src: p.src, dst: p.dst });
      const rest = (m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7]) >>> 0;
      this.sendIp(p.src, IPPROTO_ICMP, buildIcmp(0, 0, rest, m.slice(8)), { src: p.dst });
    });
  }
}
