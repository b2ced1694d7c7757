// ENC28J60 driver cost: SPI transactions per 1514-byte frame in a sustained stream at
// 10 Mbit/s (frames arriving back to back / a sender keeping the transmit queue full), the
// driver (AssemblyScript harness) against the chip model with SPI at the board's 20 MHz
// (boards/esp32-devkitc-enc28j60.json). Interrupt handling, housekeeping and completions are
// included, so the figure is everything the driver spends on the bus divided by frames.
// Transmit is measured with the default two slots and with one (Enc28j60Config.txSlots),
// each with the share of the wire it keeps busy: two slots overlap copying a frame with
// sending the previous one, one slot saves the pointer writes and leaves the wire idle
// during each copy. A lone frame (nothing queued behind it, the usual reply or ACK) is
// reported apart.
import { readFileSync } from "node:fs";
import { Bench, testFrame, wireTimeUs, type BenchOptions } from "../test/sim/enc28j60-host.ts";
import { roundTo } from "./round.ts";

const FRAMES = 200;
const FRAME_LEN = 1514;

function boardSpiHz(): number {
  const board = JSON.parse(readFileSync(new URL("../boards/esp32-devkitc-enc28j60.json", import.meta.url), "utf8"));
  return board.info.EthSpiHz;
}

export function rxStreamCost(opts: BenchOptions = {}, frames = FRAMES): { perFrame: number; delivered: number } {
  const b = new Bench({ spiHz: boardSpiHz(), ...opts }).start();
  b.run(50_000);
  const before = b.ex.spi_transactions(), framesBefore = b.ex.rx_frames();
  const sent = b.receiveStream(frames, (i) => testFrame(i, FRAME_LEN));
  b.run(sent.length * 1300 + 20_000);
  const delivered = b.ex.rx_frames() - framesBefore;
  return { perFrame: (b.ex.spi_transactions() - before) / frames, delivered };
}

export function txStreamCost(opts: BenchOptions = {}, frames = FRAMES): { perFrame: number; sent: number; wireShare: number } {
  const b = new Bench({ spiHz: boardSpiHz(), ...opts }).start();
  b.run(50_000);
  const before = b.ex.spi_transactions(), t0 = b.now;
  b.transmitStream(frames, (i) => testFrame(i, FRAME_LEN, Uint8Array.from([2, 0, 0, 0, 0, 9])));
  b.run(frames * 2000 + 20_000);
  const busy = frames * wireTimeUs(FRAME_LEN);
  return { perFrame: (b.ex.spi_transactions() - before) / frames, sent: b.wire.length, wireShare: busy / (b.txDoneAt[frames - 1] - t0) };
}

/** Lone frames: one 1514-byte frame every 10 ms, nothing received. Counted: the transmit, its
 *  completion check and the one ring check for an answer after it (housekeeping, a safety
 *  net on a timer of its own, is off here). */
export function txLoneCost(opts: BenchOptions = {}, frames = 50): number {
  const b = new Bench({ spiHz: boardSpiHz(), housekeepingUs: 10_000_000, ...opts }).start();
  b.run(50_000);
  const before = b.ex.spi_transactions();
  for (let i = 0; i < frames; i++) {
    if (!b.transmit(testFrame(i, FRAME_LEN, Uint8Array.from([2, 0, 0, 0, 0, 9])))) throw new Error("lone frame refused");
    b.run(10_000);
  }
  if (b.wire.length !== frames) throw new Error(`${b.wire.length} of ${frames} lone frames sent`);
  return (b.ex.spi_transactions() - before) / frames;
}

export async function benchEnc28j60(): Promise<Record<string, number>> {
  const rx = rxStreamCost();
  const tx = txStreamCost();
  const single = txStreamCost({ txSlots: 1 });
  return {
    enc28j60_spi_transactions_per_rx_frame: roundTo(rx.perFrame, 2),
    enc28j60_spi_transactions_per_tx_frame: roundTo(tx.perFrame, 2),
    enc28j60_tx_stream_wire_share: roundTo(tx.wireShare, 2),
    enc28j60_spi_transactions_per_tx_frame_single_slot: roundTo(single.perFrame, 2),
    enc28j60_tx_stream_wire_share_single_slot: roundTo(single.wireShare, 2),
    enc28j60_spi_transactions_per_lone_tx_frame: roundTo(txLoneCost(), 2),
  };
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  benchEnc28j60().then((r) => console.log(r));
}
