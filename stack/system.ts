// The device as a whole: owns the interfaces, drivers and protocol state machines, and
// routes host events to them. Each part follows the sans-IO shape: it is fed input and an
// explicit `now`, emits output, and reports its next deadline; `poll` returns the earliest.
import { NO_DEADLINE, BoardKey, MacKind, LogLevel, board_info, factory_mac } from "../hal/generated/hal";
import { reserve } from "./runtime/memory";
import { logBegin, logStr, logEnd } from "./runtime/log";
import { configStore } from "./config/store";
import { consoleInit, consolePort, shell } from "./console/index";
import { NetStack } from "./net/stack";
import { Enc28j60, Enc28j60Config } from "../drivers/enc28j60/enc28j60";
import { staging, STAGING_CAPACITY } from "./runtime/staging";
import { registerNetCommands, pollNetCommands } from "./app/net-commands";
import { NetIpOutput, attachTransport } from "./net/transport-glue";
import { IpProtocol } from "./wire/ipv4";
import { Tcp, TcpConfig } from "./transport/tcp";
import { Udp, UdpConfig } from "./transport/udp";
import { services } from "./app/services";
import { ipconfig } from "./app/ipconfig";
import { wifiLink } from "./app/wifi-link";
import { Work, giveWork, takeWork, hasWork } from "./runtime/work";
import { txPending } from "./console/out";

export function earliest(a: i64, b: i64): i64 {
  return a < b ? a : b;
}

/** Interface index of the wired port (the route table prefers lower indices). */
export const ETH_IF: i32 = 0;

class System {
  net: NetStack | null = null;
  eth: Enc28j60 | null = null;
  tcp: Tcp | null = null;
  udp: Udp | null = null;
  /** Settings are (re)applied at the next poll after a commit (it knows `now`). */
  private appliedGeneration: u32 = 0xffffffff;
  // The deadlines the parts reported last; a part runs when it is due or was given work.
  private addressingDue: i64 = 0;
  private servicesDue: i64 = 0;
  private shellDue: i64 = 0;

  init(): void {
    configStore.init();
    consoleInit();
    const net = new NetStack();
    this.net = net;
    if (board_info(BoardKey.EthSpiDevice) >= 0) {
      const cfg = new Enc28j60Config();
      cfg.mac = factoryMac(MacKind.Ethernet);
      cfg.acceptMulticast = true; // mDNS (224.0.0.251); the interface filters the groups it joined
      cfg.rxBuffer = staging; // received frames share the staging buffer (stack/runtime/staging.ts)
      cfg.rxBufferCapacity = STAGING_CAPACITY;
      const eth = new Enc28j60(cfg);
      this.eth = eth;
      net.addInterface(eth);
    }
    wifiLink.init(net); // the next interface, when the board has Wi-Fi
    const ipOut = new NetIpOutput(net);
    const tcp = new Tcp(ipOut, deviceTcpConfig());
    const udp = new Udp(ipOut, deviceUdpConfig());
    attachTransport<Tcp>(net, IpProtocol.Tcp, tcp, Work.Tcp); // its users: the services, DNS over TCP (which marks its own)
    attachTransport<Udp>(net, IpProtocol.Udp, udp);
    this.tcp = tcp;
    this.udp = udp;
    registerNetCommands(net);
    ipconfig.init(net, udp, tcp);
    services.init(tcp);
    shell.start();
  }

  /**
   * Runs the drivers and the network layer, then each part that is due or was given work
   * by what just happened (stack/runtime/work.ts). Returns the earliest deadline.
   */
  poll(now: i64): i64 {
    const net = this.net!;
    if (this.appliedGeneration != configStore.generation) {
      this.appliedGeneration = configStore.generation;
      this.applyAddressing(now);
      giveWork(Work.Everything);
    }
    let next = net.poll(now); // the drivers, ARP, the pinger; frames reach the protocols here
    const tcp = this.tcp!;
    if (tcp.timersDue(now)) tcp.poll(now); // timers first, so the application sees what they decided at once
    const work = takeWork();
    if ((work & Work.Addressing) != 0 || now >= this.addressingDue) this.addressingDue = ipconfig.poll(now); // DHCP, DNS, mDNS
    next = earliest(next, this.addressingDue);
    next = earliest(next, wifiLink.poll(now)); // Improv results, PMK/BSS persistence
    if ((work & Work.Tcp) != 0 || now >= this.servicesDue) this.servicesDue = services.poll(now);
    next = earliest(next, this.servicesDue);
    if (work == Work.Everything || now >= this.shellDue || txPending() > 0) this.shellDue = shell.poll(now);
    next = earliest(next, this.shellDue);
    next = earliest(next, pollNetCommands(now));
    // Again last: the parts above may have queued segments or armed retries.
    next = earliest(next, tcp.poll(now));
    // Work the parts gave each other in this poll (a DNS answer for a ping, a closed
    // socket): run again at once rather than wait for the next event.
    if (hasWork()) next = now;
    return next;
  }

  /** Addressing from the config store: DHCP or static per interface, DNS servers, hosts (stack/app/ipconfig.ts). */
  private applyAddressing(now: i64): void {
    ipconfig.apply(now);
    wifiLink.apply(now);
  }

  onGpio(pin: i32, level: i32, now: i64): void {
    const eth = this.eth;
    if (eth && pin == eth.intPin) eth.onInterrupt(level, now);
  }

  onUartRx(port: i32, data: usize, len: i32, now: i64): void {
    giveWork(Work.Everything); // a command may touch any part
    if (port == consolePort()) shell.onBytes(data, len, now);
  }

  onWifiEvent(event: i32, status: i32, data: usize, len: i32, now: i64): void {
    giveWork(Work.Everything); // scans, joins, losses: rare, and they touch addressing and Improv
    const wifi = wifiLink.driver;
    if (wifi) wifi.onWifiEvent(event, status, data, len, now);
  }

  onWifiRx(kind: i32, frame: usize, len: i32, now: i64): void {
    if (kind != 0) giveWork(Work.Everything); // EAPOL: the handshake may bring the link up
    const wifi = wifiLink.driver;
    if (wifi) wifi.onWifiRx(kind, frame, len, now);
  }
}

/** A factory MAC as the drivers take it (first byte on the wire in bits 47..40). */
function factoryMac(kind: i32): u64 {
  const buf = macScratch;
  if (factory_mac(kind, buf) != 0) return 0x02_00_00_00_00_01;
  let mac: u64 = 0;
  for (let i = 0; i < 6; i++) mac = (mac << 8) | <u64>load<u8>(buf + i);
  return mac;
}
const macScratch = reserve(6);


// Transport capacities for the one-page budget: 4 TCP sockets, one large for bulk
// connections (a receive window of 5 full segments, 7,300 bytes, and a 1 KiB send buffer)
// and three small ones (1 KiB receive, 512 bytes send: the transfer listener, the
// keep-alive client, DNS over TCP); 4 UDP sockets with 512-byte receive rings.
function deviceTcpConfig(): TcpConfig {
  const c = new TcpConfig();
  c.sockets = 4;
  c.largeSockets = 1;
  c.largeRxBytes = 7300;
  c.largeTxBytes = 1024;
  c.rxBytes = 1024;
  c.txBytes = 512;
  return c;
}

function deviceUdpConfig(): UdpConfig {
  const c = new UdpConfig();
  c.sockets = 4;
  c.rxBytes = 512;
  return c;
}

function prefixLength(mask: u32): i32 {
  return popcnt<u32>(mask);
}

export const system = new System();
