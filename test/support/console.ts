// The machine-mode reply to a console command, asserted to have come (sim/topologies.ts consoleReply).
import assert from "node:assert/strict";
import type { World } from "../../sim/world.ts";
import type { SimDevice } from "../../sim/device.ts";
import { consoleReply } from "../../sim/topologies.ts";

export function machine(world: World, dev: SimDevice, cmd: string, waitUs?: number, id?: number): any {
  const reply = consoleReply(world, dev, cmd, waitUs, id);
  assert.ok(reply, `no reply to '${cmd}': ${dev.uartOutput.slice(-400)}`);
  return reply;
}
