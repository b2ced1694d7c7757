// The boundary between a network driver (ENC28J60 over SPI, the ESP32 Wi-Fi blob through
// the HAL) and the protocol stack. A driver moves whole Ethernet II frames; it knows
// nothing of ARP or IP. Frames are borrowed: a receiver must finish with (or copy) the
// bytes before returning, and a transmitter copies them out before `transmit` returns.

/**
 * Every frame handed to NetDriver.transmit has TX_HEADROOM writable bytes in front of it
 * that belong to no one else (reserve the buffer TX_HEADROOM bytes larger and build the
 * frame at buffer + TX_HEADROOM). During `transmit` the driver may put its own header there
 * so the frame leaves in one bus transfer without a copy (the ENC28J60: the WBM opcode and
 * the per-packet control byte); it restores the bytes before returning.
 */
// @ts-ignore: decorator
@inline export const TX_HEADROOM: i32 = 2;

/** What a driver hands received frames and link changes to (the interface layer). */
export abstract class FrameSink {
  abstract onFrame(frame: usize, len: i32, now: i64): void;
  abstract onLinkChange(up: bool, now: i64): void;
}

export abstract class NetDriver {
  sink: FrameSink | null = null;
  /** The interface's MAC address (6 bytes, reserved memory owned by the driver). */
  abstract macAddress(): usize;
  abstract linkUp(): bool;
  /** Queue one frame for transmission; false when it could not be sent (busy, link down, error). */
  abstract transmit(frame: usize, len: i32, now: i64): bool;
  /** Service the hardware (interrupts, receive ring, retries). Returns the next deadline. */
  abstract poll(now: i64): i64;
  /** An interrupt line of this driver changed level. */
  onInterrupt(level: i32, now: i64): void {}
}
