// GENERATED from hal/abi.json by tools/gen-hal.ts. Do not edit; run `npm run gen:hal`.
// The module's only imports. Nothing else may be imported (the build checks).

/** One log line, ASCII/UTF-8 without newline. level: 0 error, 1 warn, 2 info, 3 debug, 4 trace. */
@external("hal", "log")
export declare function log(level: i32, msg: usize, len: i32): void;

/** Unrecoverable error (AssemblyScript abort is routed here). The host logs it and reboots; it does not return. */
@external("hal", "panic")
export declare function panic(msg: usize, len: i32, line: i32, column: i32): void;

/** Fill buf with bytes from the hardware random source (esp_fill_random on the device). */
@external("hal", "random_fill")
export declare function random_fill(buf: usize, len: i32): void;

/** A board fact from boards/*.json, by BoardKey. Returns -1 when the board does not have it. */
@external("hal", "board_info")
export declare function board_info(key: i32): i32;

/** Write the factory MAC address (6 bytes) of an interface kind (MacKind) to out (esp_read_mac on the device). Returns 0 or a negative HalError. */
@external("hal", "factory_mac")
export declare function factory_mac(kind: i32, out: usize): i32;

/** One SPI transaction with chip-select held throughout: clock out tx_len bytes from tx, then clock in rx_len bytes into rx (sending zeros). Returns 0 or a negative HalError. */
@external("hal", "spi_transfer")
export declare function spi_transfer(device: i32, tx: usize, tx_len: i32, rx: usize, rx_len: i32): i32;

/** Drive an output pin. Returns 0 or a negative HalError. */
@external("hal", "gpio_write")
export declare function gpio_write(pin: i32, level: i32): i32;

/** Read a pin level (0/1), or a negative HalError. */
@external("hal", "gpio_read")
export declare function gpio_read(pin: i32): i32;

/** Enable (GpioEdge) or disable (0) interrupt reporting for a pin. Changes arrive through the on_gpio export. */
@external("hal", "gpio_irq_enable")
export declare function gpio_irq_enable(pin: i32, edge: i32): i32;

/** Size in bytes of a named flash partition (FlashPartition), or a negative HalError if absent. */
@external("hal", "flash_size")
export declare function flash_size(partition: i32): i32;

/** Erase unit in bytes (4096 on ESP32 SPI flash). */
@external("hal", "flash_sector_size")
export declare function flash_sector_size(partition: i32): i32;

/** Read len bytes. Returns 0 or a negative HalError. */
@external("hal", "flash_read")
export declare function flash_read(partition: i32, offset: i32, buf: usize, len: i32): i32;

/** Program len bytes. NOR semantics: bits only go from 1 to 0; erase first. Returns 0 or a negative HalError. */
@external("hal", "flash_write")
export declare function flash_write(partition: i32, offset: i32, buf: usize, len: i32): i32;

/** Erase whole sectors to 0xFF; offset and len are sector-aligned. Returns 0 or a negative HalError. */
@external("hal", "flash_erase")
export declare function flash_erase(partition: i32, offset: i32, len: i32): i32;

/** Queue bytes for a UART. Returns how many were accepted (may be fewer when the TX FIFO is full). */
@external("hal", "uart_write")
export declare function uart_write(port: i32, buf: usize, len: i32): i32;

/** Start a scan; params is a WifiScanParams record (channels, active/passive, dwell). Results arrive as WifiEvent.ScanResult events, then WifiEvent.ScanDone. */
@external("hal", "wifi_scan")
export declare function wifi_scan(params: usize, len: i32): i32;

/** Authenticate and associate: a WifiJoinParams record (BSSID, channel, SSID, our RSN IE). Outcome arrives as a WifiEvent. */
@external("hal", "wifi_join")
export declare function wifi_join(params: usize, len: i32): i32;

/** Disassociate with an 802.11 reason code. */
@external("hal", "wifi_leave")
export declare function wifi_leave(reason: i32): i32;

/** Send an Ethernet II frame over the association (esp_wifi_internal_tx). Returns 0, or HalError.Busy for flow control. */
@external("hal", "wifi_tx")
export declare function wifi_tx(frame: usize, len: i32): i32;

/** Send an EAPOL frame (Ethernet II, ethertype 0x888E), unencrypted until the pairwise key is installed. */
@external("hal", "wifi_eapol_tx")
export declare function wifi_eapol_tx(frame: usize, len: i32): i32;

/** Install a CCMP key: kind 0 pairwise TK, 1 group GTK (index 1..3); rsc points at 6 bytes of receive sequence counter. */
@external("hal", "wifi_set_key")
export declare function wifi_set_key(kind: i32, index: i32, key: usize, key_len: i32, rsc: usize): i32;

/** Remove all installed keys. */
@external("hal", "wifi_clear_keys")
export declare function wifi_clear_keys(): i32;

/** Radio power save: mode 0 none, 1 min modem (wake every DTIM), 2 max modem (wake every listen_interval beacons). */
@external("hal", "wifi_set_power_save")
export declare function wifi_set_power_save(mode: i32, listen_interval: i32): i32;

/** Bitmask of AccelCap the host implements natively. The stack falls back to its own code for the rest. */
@external("hal", "accel_caps")
export declare function accel_caps(): i32;

/** SHA-1 compression of one 64-byte block into 5 big-endian-valued u32 words of state (host byte order in memory: little-endian u32). */
@external("hal", "accel_sha1_block")
export declare function accel_sha1_block(state: usize, block: usize): void;

/** AES-128 encryption of one 16-byte block. */
@external("hal", "accel_aes128_encrypt")
export declare function accel_aes128_encrypt(key: usize, input: usize, output: usize): void;

/** Internet checksum partial sum (RFC 1071), folded to 16 bits, starting from seed; not complemented. */
@external("hal", "accel_inet_checksum")
export declare function accel_inet_checksum(buf: usize, len: i32, seed: i32): i32;

/** Restart the device (console `reboot`, OTA). Does not return on hardware; the simulator re-instantiates the module. */
@external("hal", "system_reboot")
export declare function system_reboot(reason: i32): void;

export enum HalError {
  Ok = 0,
  Invalid = -1,
  NoDevice = -2,
  Io = -3,
  Busy = -4,
  Unsupported = -5,
  OutOfRange = -6,
}

export enum LogLevel {
  Error = 0,
  Warn = 1,
  Info = 2,
  Debug = 3,
  Trace = 4,
}

export enum GpioEdge {
  Off = 0,
  Falling = 1,
  Rising = 2,
  Both = 3,
  LowLevel = 4,
}

export enum FlashPartition {
  Config = 0,
  WasmSlotA = 1,
  WasmSlotB = 2,
  BootState = 3,
}

export enum StagingKind {
  UartRx = 0,
  WifiRx = 1,
  WifiEvent = 2,
}

export enum WifiEvent {
  ScanResult = 1,
  ScanDone = 2,
  Associated = 3,
  AssocFailed = 4,
  Disassociated = 5,
  Deauthenticated = 6,
  BeaconLoss = 7,
  Rssi = 8,
  TxReady = 9,
}

export enum AccelCap {
  Sha1 = 1,
  Aes128 = 2,
  InetChecksum = 4,
}

export enum BoardKey {
  EthSpiDevice = 1,
  EthIntPin = 2,
  EthResetPin = 3,
  EthSpiHz = 4,
  HasWifi = 5,
  ConsoleUart = 6,
  ConsoleBaud = 7,
  StatusLedPin = 8,
}

export enum MacKind {
  WifiStation = 0,
  Ethernet = 1,
}

export enum MemStat {
  StaticEnd = 0,
  ReservedTop = 1,
  MemoryBytes = 2,
  HeapTop = 3,
}

export enum Counter {
  EthRxFrames = 0,
  EthTxFrames = 1,
  EthRxDropNotForUs = 2,
  EthRxDropMalformed = 3,
  EthRxDropBadStatus = 4,
  EthRxOverflow = 5,
  EthTxErrors = 6,
  EthTxRetries = 7,
  EthLinkChanges = 8,
  EthChipResets = 9,
  ArpRx = 10,
  ArpTx = 11,
  ArpDropMalformed = 12,
  ArpCacheEvictions = 13,
  ArpQueueDrops = 14,
  ArpResolveFailures = 15,
  IpRx = 20,
  IpTx = 21,
  IpDropMalformed = 22,
  IpDropBadChecksum = 23,
  IpDropNotForUs = 24,
  IpDropFragment = 25,
  IpDropTtl = 26,
  IpDropNoRoute = 27,
  IpDropProtocol = 28,
  IpReassembled = 29,
  IcmpRx = 30,
  IcmpTx = 31,
  IcmpDropMalformed = 32,
  IcmpEchoReplies = 33,
  IcmpUnreachRx = 34,
  IcmpErrorsRateLimited = 35,
  UdpRx = 40,
  UdpTx = 41,
  UdpDropMalformed = 42,
  UdpDropNoSocket = 43,
  UdpDropQueueFull = 44,
  UdpDropBadChecksum = 45,
  TcpRx = 50,
  TcpTx = 51,
  TcpDropMalformed = 52,
  TcpRetransmits = 53,
  TcpResetsTx = 54,
  TcpDropNoSocket = 55,
  TcpBacklogDrops = 56,
  TcpKeepAliveProbes = 57,
  TcpChallengeAcks = 58,
  TcpTimeWaitReclaims = 59,
  DhcpRx = 60,
  DhcpTx = 61,
  DhcpDropMalformed = 62,
  DnsRx = 63,
  DnsTx = 64,
  DnsDropMalformed = 65,
  WifiRx = 70,
  WifiTx = 71,
  WifiDropMalformed = 72,
  EapolDropMalformed = 73,
  WifiTxBusy = 74,
  ConsoleLinesDropped = 80,
  ConsoleBadFrames = 81,
  ConfigCrcErrors = 82,
}

export const NO_DEADLINE: i64 = 0x7fffffffffffffff;
export const HAL_ABI_VERSION: i32 = 1;
