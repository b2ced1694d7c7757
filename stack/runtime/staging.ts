// The staging buffer: event data the host writes just before calling an export (UART bytes,
// Wi-Fi events and frames, see StagingKind in stack/main.ts), one buffer for all kinds as the
// host delivers one event at a time and each is consumed within its call. Sized for a whole
// Wi-Fi frame.
//
// The ENC28J60 driver reads received frames into the same memory (Enc28j60Config.rxBuffer):
// it reads the chip's buffer only from its poll (a host event of its own, never while a
// staged event is being handled), and transmit() reads registers only, so a frame it hands
// to the stack and a staged event are never in the buffer at the same time.
import { reserve } from "./memory";

export const STAGING_CAPACITY: i32 = 1600;
export const staging: usize = reserve(STAGING_CAPACITY);
