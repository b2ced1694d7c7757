// One network interface: the FrameSink of one NetDriver. It filters Ethernet frames,
// runs ARP and holds the interface's IPv4 configuration. Outgoing packets are built in the
// transmit frame buffer NetStack shares among its interfaces (the IP layer builds one
// packet at a time).
import { FrameSink, NetDriver } from "./netdev";
import { Arp } from "./arp";
import { linkTransmit } from "./link";
import { count, Counter } from "../runtime/counters";
import { earliestOf } from "./time";
import { macEquals, macIsBroadcast, macIsGroup, macCopy, macFromIpv4Multicast, BROADCAST_MAC } from "../wire/bytes";
import { EthernetFrame, EtherType, ETH_HEADER_LEN, ETH_MAX_FRAME, ETH_MTU } from "../wire/ethernet";
import { prefixMask, isMulticast, IPV4_BROADCAST } from "../wire/ipv4";
import { Work, giveWork } from "../runtime/work";

/** RFC 1112 §4: every host is a member of the all-hosts group. */
export const ALL_HOSTS_GROUP: u32 = 0xe0000001;

/** Where an interface delivers received IPv4 packets (the IP layer). */
export abstract class IpReceiver {
  abstract onIpPacket(iface: NetInterface, packet: usize, len: i32, linkBroadcast: bool, now: i64): void;
  abstract onLinkChange(iface: NetInterface, up: bool, now: i64): void;
}

export class InterfaceConfig {
  arpCapacity: i32 = 8;
  arpQueueSlots: i32 = 2;
  arpQueueSlotBytes: i32 = 590;
  multicastGroups: i32 = 4;
}

export class NetInterface extends FrameSink {
  readonly index: i32;
  readonly driver: NetDriver;
  readonly mac: usize;
  readonly arp: Arp;
  /** IPv4 configuration; 0 = unconfigured. Change through NetStack.setIpv4 (routes follow). */
  address: u32 = 0;
  prefixLen: i32 = 0;
  gateway: u32 = 0;
  up: bool = false;
  /** Announce our address (RFC 5227 §2.3) when it is set or the link comes up. Off while a
   *  DHCP client's conflict detection announces it (stack/dhcp/acd.ts): not twice over. */
  announces: bool = true;
  receiver: IpReceiver | null = null;
  /** ETH_MAX_FRAME bytes (shared by the interfaces); the IP layer writes packets at txFrame + ETH_HEADER_LEN. */
  readonly txFrame: usize;

  private groups: StaticArray<u32>;
  private view: EthernetFrame = new EthernetFrame();

  constructor(index: i32, driver: NetDriver, config: InterfaceConfig, txFrame: usize) {
    super();
    this.index = index;
    this.driver = driver;
    const mac = driver.macAddress();
    this.mac = mac;
    this.arp = new Arp(driver, mac, config.arpCapacity, config.arpQueueSlots, config.arpQueueSlotBytes);
    this.txFrame = txFrame;
    const groups = new StaticArray<u32>(config.multicastGroups);
    if (config.multicastGroups > 0) groups[0] = ALL_HOSTS_GROUP;
    this.groups = groups;
    this.up = driver.linkUp();
    driver.sink = this;
  }

  get mtu(): i32 { return ETH_MTU; }
  @inline get netmask(): u32 { return prefixMask(this.prefixLen); }
  /** The subnet-directed broadcast address, or 0 when unconfigured or /31, /32. */
  @inline get directedBroadcast(): u32 {
    if (this.address == 0 || this.prefixLen > 30) return 0;
    return this.address | ~this.netmask;
  }

  /** Applies an address (called by NetStack.setIpv4, which also updates the routes). */
  configure(address: u32, prefixLen: i32, gateway: u32, now: i64): void {
    const changed = address != this.address;
    this.address = address;
    this.prefixLen = prefixLen;
    this.gateway = gateway;
    this.arp.ourIp = address;
    if (changed) {
      this.arp.clear();
      if (this.up && this.announces) this.arp.announce(now);
    }
  }

  joinGroup(group: u32): bool {
    if (!isMulticast(group)) return false;
    let free = -1;
    for (let i = 0; i < this.groups.length; i++) {
      if (this.groups[i] == group) return true;
      if (this.groups[i] == 0 && free < 0) free = i;
    }
    if (free < 0) return false;
    this.groups[free] = group;
    return true;
  }

  leaveGroup(group: u32): void {
    for (let i = 0; i < this.groups.length; i++) if (this.groups[i] == group) this.groups[i] = 0;
  }

  isMember(group: u32): bool {
    for (let i = 0; i < this.groups.length; i++) if (this.groups[i] == group) return true;
    return false;
  }

  onFrame(frame: usize, len: i32, now: i64): void {
    const f = this.view.wrap(frame, len);
    if (!f.check()) { count(Counter.EthRxDropMalformed); return; }
    const dst = f.dst;
    let linkBroadcast = false;
    if (macIsGroup(dst)) {
      linkBroadcast = true;
      if (!macIsBroadcast(dst) && !this.acceptsMulticastMac(dst)) { count(Counter.EthRxDropNotForUs); return; }
    } else if (!macEquals(dst, this.mac)) {
      count(Counter.EthRxDropNotForUs);
      return;
    }
    const type = f.etherType;
    if (type == EtherType.Ipv4) {
      const r = this.receiver;
      if (r) r.onIpPacket(this, f.payload, f.payloadLen, linkBroadcast, now);
    } else if (type == EtherType.Arp) {
      this.arp.onPacket(f.payload, f.payloadLen, now);
    } else {
      count(Counter.EthRxDropNotForUs); // IPv6, LLDP, ...: not ours to handle
    }
  }

  onLinkChange(up: bool, now: i64): void {
    if (up == this.up) return;
    this.up = up; // the driver counts link changes (it sees every one)
    giveWork(Work.Addressing); // DHCP starts or re-checks its lease
    const r = this.receiver;
    if (r) r.onLinkChange(this, up, now);
    if (up && this.announces) this.arp.announce(now); // our neighbours may have moved with the cable
  }

  /**
   * Sends the IPv4 packet of `ipLen` bytes at txFrame + ETH_HEADER_LEN to the on-link
   * `nextHop`: broadcast and multicast map to their MACs, the rest goes through ARP.
   */
  transmitIp(ipLen: i32, nextHop: u32, now: i64): bool {
    const f = this.txFrame;
    macCopy(f + 6, this.mac);
    store<u16>(f + 12, <u16>(((EtherType.Ipv4 & 0xff) << 8) | (EtherType.Ipv4 >> 8)));
    const len = ETH_HEADER_LEN + ipLen;
    if (nextHop == IPV4_BROADCAST || nextHop == this.directedBroadcast) {
      macCopy(f, BROADCAST_MAC);
      return linkTransmit(this.driver, f, len, now);
    }
    if (isMulticast(nextHop)) {
      macFromIpv4Multicast(f, nextHop);
      return linkTransmit(this.driver, f, len, now);
    }
    return this.arp.output(f, len, nextHop, now);
  }

  /** ARP timers and the driver's own service; returns the next deadline. */
  poll(now: i64): i64 {
    return earliestOf(this.driver.poll(now), this.arp.poll(now));
  }

  private acceptsMulticastMac(mac: usize): bool {
    // Compare against the MAC of each joined group (RFC 1112 §6.4 mapping); bytes 0..2
    // must be 01:00:5e, the low 23 bits come from the group.
    if (load<u8>(mac) != 0x01 || load<u8>(mac, 1) != 0 || load<u8>(mac, 2) != 0x5e) return false;
    const low = (<u32>load<u8>(mac, 3) << 16) | (<u32>load<u8>(mac, 4) << 8) | <u32>load<u8>(mac, 5);
    for (let i = 0; i < this.groups.length; i++) {
      const g = this.groups[i];
      if (g != 0 && (g & 0x7fffff) == low) return true;
    }
    return false;
  }
}
