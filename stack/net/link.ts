// Handing frames to a driver, counted in one place.
import { NetDriver } from "./netdev";
import { count, Counter } from "../runtime/counters";

export function linkTransmit(driver: NetDriver, frame: usize, len: i32, now: i64): bool {
  if (driver.transmit(frame, len, now)) {
    count(Counter.EthTxFrames);
    return true;
  }
  count(Counter.EthTxErrors);
  return false;
}
