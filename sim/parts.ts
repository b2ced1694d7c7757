// Puts parts on a simulated board: the ENC28J60 on its SPI device with its INT line, its
// wire plugged into a network port; flash partitions per the board file.
import type { Scheduler } from "./core/scheduler.ts";
import type { SimDevice } from "./device.ts";
import type { Port } from "./net/port.ts";
import { Enc28j60Model, type Enc28j60Revision } from "./devices/enc28j60.ts";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { NorFlash } from "./devices/flash.ts";
import { FlashPartition } from "./generated/hal.ts";
import type { Rng } from "./core/rng.ts";

export function attachEnc28j60(dev: SimDevice, rng: Rng, port: Port, opts: { revision?: Enc28j60Revision } = {}): Enc28j60Model {
  const slot = dev.board.spi.find((s) => s.part === "enc28j60");
  if (!slot) throw new Error(`board ${dev.board.name} has no ENC28J60`);
  const intPin = dev.board.info.EthIntPin;
  const model = new Enc28j60Model({
    // The chip sees the device's local clock, so its timing includes the modelled CPU.
    scheduler: dev.clock as unknown as Scheduler,
    rng: rng.fork(`${dev.name}/enc28j60`),
    revision: opts.revision,
    onInterruptLine: (level) => dev.setPinLevel(intPin, level),
    transmitToWire: (frame) => port.send(frame),
  });
  dev.attachSpi(slot.device, model);
  port.attach({ receive: (frame) => model.receiveFromWire(frame) });
  port.onLinkChange((up) => model.setLink(up));
  model.setLink(port.up);
  return model;
}

/** NOR flash for every partition in the board file, in memory, or backed by files
 *  `<dir>/<device>-<partition>.bin` that survive between runs. */
export function attachFlash(dev: SimDevice, rng: Rng, opts: { dir?: string } = {}): Map<string, NorFlash> {
  const parts = new Map<string, NorFlash>();
  for (const [name, size] of Object.entries(dev.board.flash.partitions)) {
    const id = (FlashPartition as Record<string, number>)[name];
    if (id === undefined) continue;
    const file = opts.dir ? `${opts.dir}/${dev.name}-${name}.bin` : null;
    const contents = file && existsSync(file) ? readFileSync(file) : undefined;
    const flash = new NorFlash({ size, sectorSize: dev.board.flash.sectorSize, seed: rng.fork(`${dev.name}/flash/${name}`).u32(), contents });
    if (file) {
      const persist = () => writeFileSync(file, flash.data);
      const write = flash.write.bind(flash), erase = flash.erase.bind(flash);
      flash.write = (off, data) => { const r = write(off, data); persist(); return r; };
      flash.erase = (off, len) => { const r = erase(off, len); persist(); return r; };
    }
    dev.attachFlash(id, flash);
    parts.set(name, flash);
  }
  return parts;
}
