// Connects the transports (stack/transport: Udp, Tcp, written against the abstract
// IpOutput) to this IP layer: an IpOutput over NetStack, and adapters that register a
// transport for its protocol number and for the ICMP errors quoting its datagrams.
//   const out = new NetIpOutput(net);
//   const udp = new Udp(out); attachTransport<Udp>(net, IpProtocol.Udp, udp);
import { IpOutput } from "../transport/ip-output";
import { NetStack } from "./stack";
import { IpProtocolHandler } from "./ipv4";
import { IcmpErrorListener } from "./icmp";
import { UnreachCode } from "../wire/icmp";
import { Work, giveWork } from "../runtime/work";

export class NetIpOutput extends IpOutput {
  constructor(private net: NetStack) { super(); }
  beginPacket(dst: u32, protocol: u32): usize { return this.net.ip.beginPacket(dst, protocol); }
  packetSource(): u32 { return this.net.ip.packetSource(); }
  payloadCapacity(): i32 { return this.net.ip.payloadCapacity(); }
  sendPacket(payloadLen: i32, now: i64): bool { return this.net.ip.sendPacket(payloadLen, now); }
  sourceAddressFor(dst: u32): u32 { return this.net.ip.sourceAddressFor(dst); }
  maxPayloadFor(dst: u32): i32 { return this.net.ip.maxPayloadFor(dst); }
  portUnreachable(now: i64): void { this.net.icmp.sendUnreachable(UnreachCode.Port, now); }
}

/** Forwards IP packets to any transport with a matching onPacket, marking its users' work. */
class PacketsTo<T> extends IpProtocolHandler {
  constructor(private transport: T, private work: Work) { super(); }
  onPacket(src: u32, dst: u32, payload: usize, len: i32, now: i64): void {
    giveWork(this.work);
    this.transport.onPacket(src, dst, payload, len, now);
  }
}

/** Forwards ICMP errors to any transport with a matching onIcmpError. */
class IcmpErrorsTo<T> extends IcmpErrorListener {
  constructor(private transport: T, private work: Work) { super(); }
  onIcmpError(type: u32, code: u32, quotedIpHeader: usize, len: i32, now: i64): void {
    giveWork(this.work);
    this.transport.onIcmpError(type, code, quotedIpHeader, len, now);
  }
}

/** Registers a transport for its packets and its ICMP errors. Call during initialisation.
 *  `work`: the parts that consume what it delivers (stack/runtime/work.ts). */
export function attachTransport<T>(net: NetStack, protocol: u32, transport: T, work: Work = Work.Everything): bool {
  const packets = net.registerProtocol(protocol, new PacketsTo<T>(transport, work));
  const errors = net.icmp.addErrorListener(protocol, new IcmpErrorsTo<T>(transport, work));
  return packets && errors;
}
