// Which parts of the device an event may have given work to, so System.poll runs only
// those (and the ones whose deadline is due): answering a ping, an ARP exchange or a
// transmit-complete interrupt must not pay for DHCP, DNS, the services and the shell.
// Whoever hands a part its input marks it here; the poll takes the marks.
export const enum Work {
  /** TCP segments, ICMP errors for TCP, or TCP timers: the services that own sockets. */
  Tcp = 1,
  /** DHCP, DNS, mDNS input, or a link change: stack/app/ipconfig.ts. */
  Addressing = 2,
  /** Console input, Wi-Fi events, a config commit, UDP for a socket: everyone. */
  Everything = 0x7fffffff,
}

// Everything at the first poll.
let given: u32 = <u32>Work.Everything;

export function giveWork(w: Work): void { given |= <u32>w; }

/** Work given and not yet taken (given during a poll: the parts should run again at once). */
export function hasWork(): bool { return given != 0; }

/** The marks since the last call, cleared. */
export function takeWork(): u32 {
  const w = given;
  given = 0;
  return w;
}
