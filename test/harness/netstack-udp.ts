// The transports' UDP wired to the NetStack through stack/net/transport-glue.ts, on the
// in-memory driver: for test/sim/netstack-udp.test.ts.
export { input_buffer, output_buffer } from "./_io";
import { MemoryDriver } from "./_netstack-driver";
import { NetStack } from "../../stack/net/stack";
import { NetIpOutput, attachTransport } from "../../stack/net/transport-glue";
import { Udp, UdpSocket } from "../../stack/transport/udp";
import { IpProtocol } from "../../stack/wire/ipv4";
import { sealReservations } from "../../stack/runtime/memory";
import { counterValue } from "../../stack/runtime/counters";

const driver = new MemoryDriver();
const net = new NetStack();
net.addInterface(driver);
const udp = new Udp(new NetIpOutput(net));
const attached = attachTransport<Udp>(net, IpProtocol.Udp, udp);
const socket = changetype<UdpSocket>(udp.socket());
sealReservations();

export function glue_attached(): bool { return attached; }
export function set_ipv4(address: u32, prefixLen: i32, gateway: u32, now: i64): bool {
  return net.setIpv4(0, address, prefixLen, gateway, now);
}
export function inject(ptr: usize, len: i32, now: i64): void { driver.receive(ptr, len, now); }
export function poll(now: i64): i64 { return net.poll(now); }
export function tx_bytes(): i32 { return driver.used; }
export function tx_clear(): void { driver.frames = 0; driver.used = 0; }
export function bind(port: u32): i32 { return socket.bind(port); }
export function send_to(addr: u32, port: u32, buf: usize, len: i32, now: i64): i32 { return socket.sendTo(addr, port, buf, len, now); }
export function pending(): i32 { return socket.pending(); }
export function counter(id: i32): u32 { return counterValue(id); }
