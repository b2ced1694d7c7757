// The network stack as one object for stack/system.ts: interfaces (index 0 = wired),
// IPv4 with its route table, ICMP and the pinger. Construct it during initialisation
// (it reserves every table and buffer), add the drivers, then feed it `poll(now)`.
import { NetDriver, TX_HEADROOM } from "./netdev";
import { NetInterface, InterfaceConfig } from "./interface";
import { Ipv4, IpProtocolHandler } from "./ipv4";
import { Icmp } from "./icmp";
import { Pinger } from "./ping";
import { earliestOf } from "./time";
import { reserve } from "../runtime/memory";
import { ETH_MAX_FRAME } from "../wire/ethernet";
import { initChecksum } from "../wire/checksum";
import { prefixMask } from "../wire/ipv4";
import { NO_DEADLINE, LogLevel, random_fill } from "../../hal/generated/hal";
import { logBegin, logStr, logIp, logU32, logEnd } from "../runtime/log";

const identSeed = memory.data(4);

export class NetStackConfig {
  maxInterfaces: i32 = 2;
  routes: i32 = 8;
  protocols: i32 = 4;
  iface: InterfaceConfig = new InterfaceConfig();
  icmpErrorBurst: i32 = 4;
  icmpErrorIntervalUs: i64 = 250_000;
  icmpErrorListeners: i32 = 4;
  pingMaxCount: i32 = 16;
  /** Added to a default route's metric per interface index: index 0 is preferred. */
  metricPerInterface: i32 = 10;
}

export class NetStack {
  readonly ip: Ipv4;
  readonly icmp: Icmp;
  readonly ping: Pinger;
  private config: NetStackConfig;
  private count: i32 = 0;
  /** One transmit frame for all interfaces: the IP layer builds one packet at a time. Its
   *  TX_HEADROOM bytes in front are the drivers' (stack/net/netdev.ts). */
  private txFrame: usize = reserve(TX_HEADROOM + ETH_MAX_FRAME) + <usize>TX_HEADROOM;

  constructor(config: NetStackConfig = new NetStackConfig()) {
    initChecksum();
    this.config = config;
    const ip = new Ipv4(config.maxInterfaces, config.routes, config.protocols);
    const icmp = new Icmp(ip, config.icmpErrorBurst, config.icmpErrorIntervalUs, config.icmpErrorListeners);
    this.ip = ip;
    this.icmp = icmp;
    this.ping = new Pinger(icmp, config.pingMaxCount);
    // A random first IP identification, so a reboot does not replay the same IDs.
    random_fill(identSeed, 4);
    ip.seedIdent(load<u32>(identSeed));
  }

  /** Adds the interface of a driver; the first one gets index 0. Call during initialisation.
   *  `config` overrides the stack's interface capacities for this one. */
  addInterface(driver: NetDriver, config: InterfaceConfig | null = null): NetInterface | null {
    if (this.count >= this.ip.interfaces.length) return null;
    const iface = new NetInterface(this.count, driver, config ? config : this.config.iface, this.txFrame);
    this.ip.attach(iface);
    this.count++;
    return iface;
  }

  iface(index: i32): NetInterface | null {
    return index >= 0 && index < this.count ? unchecked(this.ip.interfaces[index]) : null;
  }

  /**
   * Sets (or with address 0 clears) an interface's IPv4 configuration: the connected
   * route, a default route via `gateway` (0: none), and a gratuitous ARP announcement.
   * Static configuration and DHCP both come through here.
   */
  setIpv4(ifIndex: i32, address: u32, prefixLen: i32, gateway: u32, now: i64): bool {
    const iface = this.iface(ifIndex);
    if (!iface || prefixLen < 0 || prefixLen > 32) return false;
    const routes = this.ip.routes;
    routes.removeInterface(ifIndex);
    iface.configure(address, prefixLen, gateway, now);
    if (address == 0) return true;
    const metric = ifIndex * this.config.metricPerInterface;
    let ok = routes.add(address & prefixMask(prefixLen), prefixLen, 0, ifIndex, metric);
    if (gateway != 0) ok = routes.add(0, 0, gateway, ifIndex, metric) && ok;
    if (logBegin(LogLevel.Info)) {
      logStr("net: if"); logU32(ifIndex); logStr(" "); logIp(address); logStr("/"); logU32(prefixLen);
      logStr(" gw "); logIp(gateway); logEnd();
    }
    return ok;
  }

  /** `addr` is the address of one of our interfaces. */
  ownsAddress(addr: u32): bool {
    if (addr == 0) return false;
    for (let i = 0; i < this.count; i++) {
      const iface = unchecked(this.ip.interfaces[i]);
      if (iface && iface.address == addr) return true;
    }
    return false;
  }

  /** Registers a transport (UDP, TCP) for its IP protocol number. */
  registerProtocol(protocol: u32, handler: IpProtocolHandler): bool {
    return this.ip.register(protocol, handler);
  }

  poll(now: i64): i64 {
    let next: i64 = NO_DEADLINE;
    for (let i = 0; i < this.count; i++) {
      const iface = unchecked(this.ip.interfaces[i]);
      if (iface) next = earliestOf(next, iface.poll(now));
    }
    return earliestOf(next, this.ping.poll(now));
  }
}
