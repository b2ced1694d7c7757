// The device as a whole: owns the interfaces, drivers and protocol state machines, and
// routes host events to them. Each part follows the sans-IO shape: it is fed input and an
// explicit `now`, emits output, and reports its next deadline; `poll` returns the earliest.
import { NO_DEADLINE } from "../hal/generated/hal";

export function earliest(a: i64, b: i64): i64 {
  return a < b ? a : b;
}

class System {
  init(): void {}

  poll(now: i64): i64 {
    let next: i64 = NO_DEADLINE;
    return next;
  }

  onGpio(pin: i32, level: i32, now: i64): void {}
  onUartRx(port: i32, data: usize, len: i32, now: i64): void {}
  onWifiEvent(event: i32, status: i32, data: usize, len: i32, now: i64): void {}
  onWifiRx(kind: i32, frame: usize, len: i32, now: i64): void {}
}

export const system = new System();
