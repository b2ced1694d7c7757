// IPv4 Address Conflict Detection (RFC 5227), sans-IO. One instance watches one address.
// It asks the interface's ARP layer (AcdArpPort) to send probes and announcements and is
// told about every received ARP packet (onArp). Results are polled: takeResult().
//
// Modes:
//   Probe           full RFC 5227 2.1: wait 0..PROBE_WAIT, 3 probes 1..2 s apart, then
//                   ANNOUNCE_WAIT; the address is usable only after that (about 5-7 s).
//   AnnounceDefend  announce at once and use the address, treat a conflict seen during the
//                   announcement period (2 announcements, 2 s) as "address taken" and defend
//                   it afterwards (2.4 b). This is the default for DHCP: a DHCP server has
//                   already checked the address (most ping it before offering), so probing
//                   would add ~6 s to every boot for a rare case that the announcement and
//                   defence still catch within 2 s.
//   Off             no ARP traffic at all.
import { NO_DEADLINE } from "../../hal/generated/hal";
import { randomBelow } from "./udp";

export namespace AcdMode {
  export const Off: i32 = 0;
  export const AnnounceDefend: i32 = 1;
  export const Probe: i32 = 2;
}

export namespace AcdResult {
  export const None: i32 = 0;
  /** Probing finished without conflict: the address may be used. */
  export const Ready: i32 = 1;
  /** The address belongs to someone else (probe answered, or conflict while fresh). */
  export const Conflict: i32 = 2;
  /** A second conflict within DEFEND_INTERVAL after we were using the address: give it up. */
  export const Lost: i32 = 3;
}

namespace St {
  export const Idle: i32 = 0;
  export const ProbeWait: i32 = 1;
  export const Probing: i32 = 2;
  export const AnnounceWait: i32 = 3;
  export const Announcing: i32 = 4;
  export const Defending: i32 = 5;
}

/** RFC 5227 section 1.1 constants (µs), configurable for tests and link-local tuning. */
export class AcdTiming {
  probeWaitUs: i64 = 1_000_000;
  probeNum: i32 = 3;
  probeMinUs: i64 = 1_000_000;
  probeMaxUs: i64 = 2_000_000;
  announceWaitUs: i64 = 2_000_000;
  announceNum: i32 = 2;
  announceIntervalUs: i64 = 2_000_000;
  defendIntervalUs: i64 = 10_000_000;
}

/** Implemented by the lead over its ARP layer. */
export class AcdArpPort {
  /** ARP request: sender MAC ours, sender IP 0.0.0.0, target MAC zero, target IP `target`. */
  sendProbe(target: u32, now: i64): void {}
  /** ARP request: sender IP and target IP both `addr` (gratuitous). */
  sendAnnounce(addr: u32, now: i64): void {}
}

export class Acd {
  addr: u32 = 0;
  mode: i32 = AcdMode.Off;
  timing: AcdTiming = new AcdTiming();
  private state: i32 = St.Idle;
  private sent: i32 = 0;
  private deadline: i64 = NO_DEADLINE;
  private lastDefence: i64 = -1;
  private result: i32 = AcdResult.None;
  conflicts: u32 = 0;

  constructor(private port: AcdArpPort, private mac: usize) {}

  /** Starts watching addr. Probe mode: wait for Ready. AnnounceDefend: usable at once. */
  start(addr: u32, mode: i32, now: i64): void {
    this.addr = addr;
    this.mode = mode;
    this.sent = 0;
    this.result = AcdResult.None;
    this.lastDefence = -1;
    if (mode == AcdMode.Off) { this.state = St.Idle; this.deadline = NO_DEADLINE; return; }
    if (mode == AcdMode.Probe) {
      this.state = St.ProbeWait;
      this.deadline = now + <i64>randomBelow(<u64>this.timing.probeWaitUs);
    } else {
      this.state = St.Announcing;
      this.deadline = now;
    }
  }

  stop(): void { this.state = St.Idle; this.deadline = NO_DEADLINE; this.addr = 0; }

  isActive(): bool { return this.state != St.Idle; }
  /** True while the address must not be used yet (probing). */
  isProbing(): bool { return this.state == St.ProbeWait || this.state == St.Probing || this.state == St.AnnounceWait; }

  takeResult(): i32 { const r = this.result; this.result = AcdResult.None; return r; }

  nextDeadline(): i64 { return this.state == St.Idle ? NO_DEADLINE : this.deadline; }

  poll(now: i64): void {
    if (this.state == St.Idle || now < this.deadline) return;
    const t = this.timing;
    if (this.state == St.ProbeWait || this.state == St.Probing) {
      if (this.sent < t.probeNum) {
        this.port.sendProbe(this.addr, now);
        this.sent++;
        this.state = St.Probing;
        this.deadline = this.sent < t.probeNum
          ? now + t.probeMinUs + <i64>randomBelow(<u64>(t.probeMaxUs - t.probeMinUs))
          : now + t.announceWaitUs;
        return;
      }
      // ANNOUNCE_WAIT passed after the last probe: claim the address.
      this.state = St.Announcing;
      this.sent = 0;
      this.result = AcdResult.Ready;
      this.deadline = now;
    }
    if (this.state == St.Announcing) {
      if (this.sent < t.announceNum) {
        this.port.sendAnnounce(this.addr, now);
        this.sent++;
        this.deadline = now + t.announceIntervalUs;
        return;
      }
      this.state = St.Defending;
      this.deadline = NO_DEADLINE;
    }
  }

  /**
   * Every received ARP packet (op 1 request, 2 reply) on the interface. senderMac points at
   * 6 bytes. Packets we sent ourselves (our MAC) are ignored.
   */
  onArp(op: i32, senderIp: u32, senderMac: usize, targetIp: u32, now: i64): void {
    if (this.state == St.Idle || this.addr == 0) return;
    if (this.mac != 0 && macEq(senderMac, this.mac)) return;
    const senderIsUs = senderIp == this.addr;
    if (this.isProbing()) {
      // 2.1.1: someone uses it, or someone else probes for it at the same time.
      if (senderIsUs || (op == 1 && senderIp == 0 && targetIp == this.addr)) this.conflict(AcdResult.Conflict);
      return;
    }
    if (!senderIsUs) return;
    if (this.state == St.Announcing && this.mode == AcdMode.AnnounceDefend) {
      // The address was in use before we took it: hand it back.
      this.conflict(AcdResult.Conflict);
      return;
    }
    // 2.4 (b): defend once per DEFEND_INTERVAL, give up on a second conflict within it.
    if (this.lastDefence >= 0 && now - this.lastDefence < this.timing.defendIntervalUs) {
      this.conflict(AcdResult.Lost);
      return;
    }
    this.lastDefence = now;
    this.port.sendAnnounce(this.addr, now);
  }

  private conflict(r: i32): void {
    this.conflicts++;
    this.result = r;
    this.state = St.Idle;
    this.deadline = NO_DEADLINE;
  }
}

function macEq(a: usize, b: usize): bool {
  for (let i = 0; i < 6; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
