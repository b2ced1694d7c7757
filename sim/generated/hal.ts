// GENERATED from hal/abi.json by tools/gen-hal.ts. Do not edit; run `npm run gen:hal`.

/** What a host (the simulator) implements for the module's imports. */
export interface HalImports {
  /** One log line, ASCII/UTF-8 without newline. level: 0 error, 1 warn, 2 info, 3 debug, 4 trace. */
  log(level: number, msg: number, len: number): void;
  /** Unrecoverable error (AssemblyScript abort is routed here). The host logs it and reboots; it does not return. */
  panic(msg: number, len: number, line: number, column: number): void;
  /** Fill buf with bytes from the hardware random source (esp_fill_random on the device). */
  random_fill(buf: number, len: number): void;
  /** A board fact from boards/*.json, by BoardKey. Returns -1 when the board does not have it. */
  board_info(key: number): number;
  /** Write the factory MAC address (6 bytes) of an interface kind (MacKind) to out (esp_read_mac on the device). Returns 0 or a negative HalError. */
  factory_mac(kind: number, out: number): number;
  /** One SPI transaction with chip-select held throughout: clock out tx_len bytes from tx, then clock in rx_len bytes into rx (sending zeros). Returns 0 or a negative HalError. */
  spi_transfer(device: number, tx: number, tx_len: number, rx: number, rx_len: number): number;
  /** Drive an output pin. Returns 0 or a negative HalError. */
  gpio_write(pin: number, level: number): number;
  /** Read a pin level (0/1), or a negative HalError. */
  gpio_read(pin: number): number;
  /** Enable (GpioEdge) or disable (0) interrupt reporting for a pin. Changes arrive through the on_gpio export. */
  gpio_irq_enable(pin: number, edge: number): number;
  /** Size in bytes of a named flash partition (FlashPartition), or a negative HalError if absent. */
  flash_size(partition: number): number;
  /** Erase unit in bytes (4096 on ESP32 SPI flash). */
  flash_sector_size(partition: number): number;
  /** Read len bytes. Returns 0 or a negative HalError. */
  flash_read(partition: number, offset: number, buf: number, len: number): number;
  /** Program len bytes. NOR semantics: bits only go from 1 to 0; erase first. Returns 0 or a negative HalError. */
  flash_write(partition: number, offset: number, buf: number, len: number): number;
  /** Erase whole sectors to 0xFF; offset and len are sector-aligned. Returns 0 or a negative HalError. */
  flash_erase(partition: number, offset: number, len: number): number;
  /** Queue bytes for a UART. Returns how many were accepted (may be fewer when the TX FIFO is full). */
  uart_write(port: number, buf: number, len: number): number;
  /** Start a scan; params is a WifiScanParams record (channels, active/passive, dwell). Results arrive as WifiEvent.ScanResult events, then WifiEvent.ScanDone. */
  wifi_scan(params: number, len: number): number;
  /** Authenticate and associate: a WifiJoinParams record (BSSID, channel, SSID, our RSN IE). Outcome arrives as a WifiEvent. */
  wifi_join(params: number, len: number): number;
  /** Disassociate with an 802.11 reason code. */
  wifi_leave(reason: number): number;
  /** Send an Ethernet II frame over the association (esp_wifi_internal_tx). Returns 0, or HalError.Busy for flow control. */
  wifi_tx(frame: number, len: number): number;
  /** Send an EAPOL frame (Ethernet II, ethertype 0x888E), unencrypted until the pairwise key is installed. */
  wifi_eapol_tx(frame: number, len: number): number;
  /** Install a CCMP key: kind 0 pairwise TK, 1 group GTK (index 1..3); rsc points at 6 bytes of receive sequence counter. */
  wifi_set_key(kind: number, index: number, key: number, key_len: number, rsc: number): number;
  /** Remove all installed keys. */
  wifi_clear_keys(): number;
  /** Radio power save: mode 0 none, 1 min modem (wake every DTIM), 2 max modem (wake every listen_interval beacons). */
  wifi_set_power_save(mode: number, listen_interval: number): number;
  /** Bitmask of AccelCap the host implements natively. The stack falls back to its own code for the rest. */
  accel_caps(): number;
  /** SHA-1 compression of one 64-byte block into 5 big-endian-valued u32 words of state (host byte order in memory: little-endian u32). */
  accel_sha1_block(state: number, block: number): void;
  /** AES-128 encryption of one 16-byte block. */
  accel_aes128_encrypt(key: number, input: number, output: number): void;
  /** Internet checksum partial sum (RFC 1071), folded to 16 bits, starting from seed; not complemented. */
  accel_inet_checksum(buf: number, len: number, seed: number): number;
  /** Restart the device (console `reboot`, OTA). Does not return on hardware; the simulator re-instantiates the module. */
  system_reboot(reason: number): void;
}

/** What the module exports to its host. */
export interface HalExports {
  memory: WebAssembly.Memory;
  /** Runs the module's start code: reads the board, reserves every pool. Call once after linking, before anything else. */
  init(): void;
  /** Run all protocol work due at now (monotonic microseconds). Returns the next deadline in microseconds, or NO_DEADLINE. Call again at that time, or after any event. */
  poll(now: bigint): bigint;
  /** An enabled interrupt line changed. Call poll afterwards. */
  on_gpio(pin: number, level: number, now: bigint): void;
  /** Where the host writes incoming bytes for an event of StagingKind. Its capacity comes from staging_capacity. Kinds may share memory: write an event's bytes just before calling its export, one event at a time. */
  staging_buffer(kind: number): number;
  /** Capacity in bytes of the staging buffer of StagingKind. */
  staging_capacity(kind: number): number;
  /** len bytes received on a UART are in the UartRx staging buffer. Call poll afterwards. */
  on_uart_rx(port: number, len: number, now: bigint): void;
  /** A WifiEvent with a status/reason code; len bytes of event data are in the WifiEvent staging buffer. Call poll afterwards. */
  on_wifi_event(event: number, status: number, len: number, now: bigint): void;
  /** A received frame (kind 0 data, 1 EAPOL), as Ethernet II, is in the WifiRx staging buffer. Call poll afterwards. */
  on_wifi_rx(kind: number, len: number, now: bigint): void;
  /** Read a Counter (frames, drops by reason, ...). */
  counter(id: number): number;
  /** Linear memory accounting, by MemStat. */
  mem_stat(which: number): number;
}

export const HAL_IMPORT_MODULE = "hal";
export const HAL_IMPORT_NAMES = ["log","panic","random_fill","board_info","factory_mac","spi_transfer","gpio_write","gpio_read","gpio_irq_enable","flash_size","flash_sector_size","flash_read","flash_write","flash_erase","uart_write","wifi_scan","wifi_join","wifi_leave","wifi_tx","wifi_eapol_tx","wifi_set_key","wifi_clear_keys","wifi_set_power_save","accel_caps","accel_sha1_block","accel_aes128_encrypt","accel_inet_checksum","system_reboot"] as const;
export const HAL_EXPORT_NAMES = ["init","poll","on_gpio","staging_buffer","staging_capacity","on_uart_rx","on_wifi_event","on_wifi_rx","counter","mem_stat"] as const;
export const HAL_ABI_VERSION = 1;

export const HalError = {
  Ok: 0,
  Invalid: -1,
  NoDevice: -2,
  Io: -3,
  Busy: -4,
  Unsupported: -5,
  OutOfRange: -6,
} as const;

export const LogLevel = {
  Error: 0,
  Warn: 1,
  Info: 2,
  Debug: 3,
  Trace: 4,
} as const;

export const GpioEdge = {
  Off: 0,
  Falling: 1,
  Rising: 2,
  Both: 3,
  LowLevel: 4,
} as const;

export const FlashPartition = {
  Config: 0,
  WasmSlotA: 1,
  WasmSlotB: 2,
  BootState: 3,
} as const;

export const StagingKind = {
  UartRx: 0,
  WifiRx: 1,
  WifiEvent: 2,
} as const;

export const WifiEvent = {
  ScanResult: 1,
  ScanDone: 2,
  Associated: 3,
  AssocFailed: 4,
  Disassociated: 5,
  Deauthenticated: 6,
  BeaconLoss: 7,
  Rssi: 8,
  TxReady: 9,
} as const;

export const AccelCap = {
  Sha1: 1,
  Aes128: 2,
  InetChecksum: 4,
} as const;

export const BoardKey = {
  EthSpiDevice: 1,
  EthIntPin: 2,
  EthResetPin: 3,
  EthSpiHz: 4,
  HasWifi: 5,
  ConsoleUart: 6,
  ConsoleBaud: 7,
  StatusLedPin: 8,
} as const;

export const MacKind = {
  WifiStation: 0,
  Ethernet: 1,
} as const;

export const MemStat = {
  StaticEnd: 0,
  ReservedTop: 1,
  MemoryBytes: 2,
  HeapTop: 3,
} as const;

export const Counter = {
  EthRxFrames: 0,
  EthTxFrames: 1,
  EthRxDropNotForUs: 2,
  EthRxDropMalformed: 3,
  EthRxDropBadStatus: 4,
  EthRxOverflow: 5,
  EthTxErrors: 6,
  EthTxRetries: 7,
  EthLinkChanges: 8,
  EthChipResets: 9,
  ArpRx: 10,
  ArpTx: 11,
  ArpDropMalformed: 12,
  ArpCacheEvictions: 13,
  ArpQueueDrops: 14,
  ArpResolveFailures: 15,
  IpRx: 20,
  IpTx: 21,
  IpDropMalformed: 22,
  IpDropBadChecksum: 23,
  IpDropNotForUs: 24,
  IpDropFragment: 25,
  IpDropTtl: 26,
  IpDropNoRoute: 27,
  IpDropProtocol: 28,
  IpReassembled: 29,
  IcmpRx: 30,
  IcmpTx: 31,
  IcmpDropMalformed: 32,
  IcmpEchoReplies: 33,
  IcmpUnreachRx: 34,
  IcmpErrorsRateLimited: 35,
  UdpRx: 40,
  UdpTx: 41,
  UdpDropMalformed: 42,
  UdpDropNoSocket: 43,
  UdpDropQueueFull: 44,
  UdpDropBadChecksum: 45,
  TcpRx: 50,
  TcpTx: 51,
  TcpDropMalformed: 52,
  TcpRetransmits: 53,
  TcpResetsTx: 54,
  TcpDropNoSocket: 55,
  TcpBacklogDrops: 56,
  TcpKeepAliveProbes: 57,
  TcpChallengeAcks: 58,
  TcpTimeWaitReclaims: 59,
  DhcpRx: 60,
  DhcpTx: 61,
  DhcpDropMalformed: 62,
  DnsRx: 63,
  DnsTx: 64,
  DnsDropMalformed: 65,
  WifiRx: 70,
  WifiTx: 71,
  WifiDropMalformed: 72,
  EapolDropMalformed: 73,
  WifiTxBusy: 74,
  ConsoleLinesDropped: 80,
  ConsoleBadFrames: 81,
  ConfigCrcErrors: 82,
} as const;

export const NO_DEADLINE = 0x7fffffffffffffffn;

/** Builds the import object, so a host cannot forget or misname an import. */
export function halImportObject(impl: HalImports): WebAssembly.Imports {
  const hal: Record<string, Function> = {};
  for (const name of HAL_IMPORT_NAMES) hal[name] = impl[name].bind(impl);
  return { [HAL_IMPORT_MODULE]: hal };
}
