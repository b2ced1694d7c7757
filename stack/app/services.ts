// The default application (placeholder until the TCP services land).
import { Tcp } from "../transport/tcp";
import { NO_DEADLINE } from "../../hal/generated/hal";

class Services {
  init(tcp: Tcp): void {}
  poll(now: i64): i64 { return NO_DEADLINE; }
}

export const services = new Services();
