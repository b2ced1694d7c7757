// What the transports need from the IP layer, kept abstract so UDP and TCP can be tested
// over a fake IP layer and wired to stack/net/ipv4.ts by a small adapter (see the
// adapter in stack/transport/README.md). Zero-copy: the transport writes its header
// and payload straight into the interface's transmit buffer.

export abstract class IpOutput {
  /** Starts a packet to dst; returns where the transport payload goes, or 0 (no route). */
  abstract beginPacket(dst: u32, protocol: u32): usize;
  /** Source address of the packet being built (for the pseudo-header checksum). */
  abstract packetSource(): u32;
  /** Bytes available for the transport payload of the packet being built. */
  abstract payloadCapacity(): i32;
  /** Finishes the packet started by beginPacket. */
  abstract sendPacket(payloadLen: i32, now: i64): bool;
  /** The source address we would use towards dst, 0 when there is no route. */
  abstract sourceAddressFor(dst: u32): u32;
  /** Largest transport payload towards dst (MTU minus the IP header), 0 when no route. */
  abstract maxPayloadFor(dst: u32): i32;
  /**
   * Asks the ICMP layer for a port unreachable about the datagram being delivered
   * (RFC 1122 §4.1.3.1). The IP layer suppresses it for broadcast and multicast.
   */
  portUnreachable(now: i64): void {}
}

/** Why a connection or socket failed, as the application sees it. */
export enum NetError {
  None = 0,
  /** TCP: RST in answer to our SYN, or ICMP port/protocol unreachable. UDP: port unreachable. */
  Refused = 1,
  /** TCP: the peer reset an established connection. */
  Reset = 2,
  /** TCP: retransmissions (or the FIN_WAIT_2 wait) ran out. */
  TimedOut = 3,
  /** TCP: keep-alive probes went unanswered (RFC 1122 §4.2.3.6). */
  KeepAliveFailed = 4,
  HostUnreachable = 5,
  NetworkUnreachable = 6,
  /** The local address the socket used was removed (DHCP lease lost, link changed). */
  AddressGone = 7,
  /** The application aborted the connection. */
  Aborted = 8,
}

/** Negative return codes of socket calls. */
export enum SockErr {
  Ok = 0,
  /** Wrong state for this call (not connected, already bound, closed, ...). */
  InvalidState = -1,
  AddressInUse = -2,
  NoRoute = -3,
  /** No free socket, port or queue space. */
  NoBuffers = -4,
  /** Datagram larger than one IP packet. */
  TooBig = -5,
  InvalidArgument = -6,
  /** A pending error (read it with error()). */
  Failed = -7,
}
