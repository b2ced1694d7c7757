// Handing frames to a driver. Frame counters are the driver's (what reached the wire or
// came off it); a refusal here means every transmit slot was busy and the caller retries.
import { NetDriver } from "./netdev";

export function linkTransmit(driver: NetDriver, frame: usize, len: i32, now: i64): bool {
  return driver.transmit(frame, len, now);
}
