/* GENERATED from hal/abi.json by tools/gen-hal.ts. Do not edit; run `npm run gen:hal`. */
#ifndef WASMNET_HAL_ABI_H
#define WASMNET_HAL_ABI_H

#include <stdint.h>

#define HAL_ABI_VERSION 1
#define HAL_IMPORT_MODULE "hal"
#define HAL_NO_DEADLINE INT64_C(0x7fffffffffffffff)

typedef enum {
    HAL_HAL_ERROR_OK = 0,
    HAL_HAL_ERROR_INVALID = -1,
    HAL_HAL_ERROR_NO_DEVICE = -2,
    HAL_HAL_ERROR_IO = -3,
    HAL_HAL_ERROR_BUSY = -4,
    HAL_HAL_ERROR_UNSUPPORTED = -5,
    HAL_HAL_ERROR_OUT_OF_RANGE = -6,
} hal_hal_error_t;

typedef enum {
    HAL_LOG_LEVEL_ERROR = 0,
    HAL_LOG_LEVEL_WARN = 1,
    HAL_LOG_LEVEL_INFO = 2,
    HAL_LOG_LEVEL_DEBUG = 3,
    HAL_LOG_LEVEL_TRACE = 4,
} hal_log_level_t;

typedef enum {
    HAL_GPIO_EDGE_OFF = 0,
    HAL_GPIO_EDGE_FALLING = 1,
    HAL_GPIO_EDGE_RISING = 2,
    HAL_GPIO_EDGE_BOTH = 3,
    HAL_GPIO_EDGE_LOW_LEVEL = 4,
} hal_gpio_edge_t;

typedef enum {
    HAL_FLASH_PARTITION_CONFIG = 0,
    HAL_FLASH_PARTITION_WASM_SLOT_A = 1,
    HAL_FLASH_PARTITION_WASM_SLOT_B = 2,
    HAL_FLASH_PARTITION_BOOT_STATE = 3,
} hal_flash_partition_t;

typedef enum {
    HAL_STAGING_KIND_UART_RX = 0,
    HAL_STAGING_KIND_WIFI_RX = 1,
    HAL_STAGING_KIND_WIFI_EVENT = 2,
} hal_staging_kind_t;

typedef enum {
    HAL_WIFI_EVENT_SCAN_RESULT = 1,
    HAL_WIFI_EVENT_SCAN_DONE = 2,
    HAL_WIFI_EVENT_ASSOCIATED = 3,
    HAL_WIFI_EVENT_ASSOC_FAILED = 4,
    HAL_WIFI_EVENT_DISASSOCIATED = 5,
    HAL_WIFI_EVENT_DEAUTHENTICATED = 6,
    HAL_WIFI_EVENT_BEACON_LOSS = 7,
    HAL_WIFI_EVENT_RSSI = 8,
    HAL_WIFI_EVENT_TX_READY = 9,
} hal_wifi_event_t;

typedef enum {
    HAL_ACCEL_CAP_SHA1 = 1,
    HAL_ACCEL_CAP_AES128 = 2,
    HAL_ACCEL_CAP_INET_CHECKSUM = 4,
} hal_accel_cap_t;

typedef enum {
    HAL_BOARD_KEY_ETH_SPI_DEVICE = 1,
    HAL_BOARD_KEY_ETH_INT_PIN = 2,
    HAL_BOARD_KEY_ETH_RESET_PIN = 3,
    HAL_BOARD_KEY_ETH_SPI_HZ = 4,
    HAL_BOARD_KEY_HAS_WIFI = 5,
    HAL_BOARD_KEY_CONSOLE_UART = 6,
    HAL_BOARD_KEY_CONSOLE_BAUD = 7,
    HAL_BOARD_KEY_STATUS_LED_PIN = 8,
} hal_board_key_t;

typedef enum {
    HAL_MAC_KIND_WIFI_STATION = 0,
    HAL_MAC_KIND_ETHERNET = 1,
} hal_mac_kind_t;

typedef enum {
    HAL_MEM_STAT_STATIC_END = 0,
    HAL_MEM_STAT_RESERVED_TOP = 1,
    HAL_MEM_STAT_MEMORY_BYTES = 2,
    HAL_MEM_STAT_HEAP_TOP = 3,
} hal_mem_stat_t;

typedef enum {
    HAL_COUNTER_ETH_RX_FRAMES = 0,
    HAL_COUNTER_ETH_TX_FRAMES = 1,
    HAL_COUNTER_ETH_RX_DROP_NOT_FOR_US = 2,
    HAL_COUNTER_ETH_RX_DROP_MALFORMED = 3,
    HAL_COUNTER_ETH_RX_DROP_BAD_STATUS = 4,
    HAL_COUNTER_ETH_RX_OVERFLOW = 5,
    HAL_COUNTER_ETH_TX_ERRORS = 6,
    HAL_COUNTER_ETH_TX_RETRIES = 7,
    HAL_COUNTER_ETH_LINK_CHANGES = 8,
    HAL_COUNTER_ETH_CHIP_RESETS = 9,
    HAL_COUNTER_ARP_RX = 10,
    HAL_COUNTER_ARP_TX = 11,
    HAL_COUNTER_ARP_DROP_MALFORMED = 12,
    HAL_COUNTER_ARP_CACHE_EVICTIONS = 13,
    HAL_COUNTER_ARP_QUEUE_DROPS = 14,
    HAL_COUNTER_ARP_RESOLVE_FAILURES = 15,
    HAL_COUNTER_IP_RX = 20,
    HAL_COUNTER_IP_TX = 21,
    HAL_COUNTER_IP_DROP_MALFORMED = 22,
    HAL_COUNTER_IP_DROP_BAD_CHECKSUM = 23,
    HAL_COUNTER_IP_DROP_NOT_FOR_US = 24,
    HAL_COUNTER_IP_DROP_FRAGMENT = 25,
    HAL_COUNTER_IP_DROP_TTL = 26,
    HAL_COUNTER_IP_DROP_NO_ROUTE = 27,
    HAL_COUNTER_IP_DROP_PROTOCOL = 28,
    HAL_COUNTER_IP_REASSEMBLED = 29,
    HAL_COUNTER_ICMP_RX = 30,
    HAL_COUNTER_ICMP_TX = 31,
    HAL_COUNTER_ICMP_DROP_MALFORMED = 32,
    HAL_COUNTER_ICMP_ECHO_REPLIES = 33,
    HAL_COUNTER_ICMP_UNREACH_RX = 34,
    HAL_COUNTER_ICMP_ERRORS_RATE_LIMITED = 35,
    HAL_COUNTER_UDP_RX = 40,
    HAL_COUNTER_UDP_TX = 41,
    HAL_COUNTER_UDP_DROP_MALFORMED = 42,
    HAL_COUNTER_UDP_DROP_NO_SOCKET = 43,
    HAL_COUNTER_UDP_DROP_QUEUE_FULL = 44,
    HAL_COUNTER_UDP_DROP_BAD_CHECKSUM = 45,
    HAL_COUNTER_TCP_RX = 50,
    HAL_COUNTER_TCP_TX = 51,
    HAL_COUNTER_TCP_DROP_MALFORMED = 52,
    HAL_COUNTER_TCP_RETRANSMITS = 53,
    HAL_COUNTER_TCP_RESETS_TX = 54,
    HAL_COUNTER_TCP_DROP_NO_SOCKET = 55,
    HAL_COUNTER_TCP_BACKLOG_DROPS = 56,
    HAL_COUNTER_TCP_KEEP_ALIVE_PROBES = 57,
    HAL_COUNTER_TCP_CHALLENGE_ACKS = 58,
    HAL_COUNTER_TCP_TIME_WAIT_RECLAIMS = 59,
    HAL_COUNTER_DHCP_RX = 60,
    HAL_COUNTER_DHCP_TX = 61,
    HAL_COUNTER_DHCP_DROP_MALFORMED = 62,
    HAL_COUNTER_DNS_RX = 63,
    HAL_COUNTER_DNS_TX = 64,
    HAL_COUNTER_DNS_DROP_MALFORMED = 65,
    HAL_COUNTER_WIFI_RX = 70,
    HAL_COUNTER_WIFI_TX = 71,
    HAL_COUNTER_WIFI_DROP_MALFORMED = 72,
    HAL_COUNTER_EAPOL_DROP_MALFORMED = 73,
    HAL_COUNTER_WIFI_TX_BUSY = 74,
    HAL_COUNTER_CONSOLE_LINES_DROPPED = 80,
    HAL_COUNTER_CONSOLE_BAD_FRAMES = 81,
    HAL_COUNTER_CONFIG_CRC_ERRORS = 82,
} hal_counter_t;

/* Implemented by the firmware (firmware/main/hal_*.c). Pointers are already bounds-checked
   against the module's linear memory by the wasm3 wrappers in hal_wasm3_link.c. */
/* One log line, ASCII/UTF-8 without newline. level: 0 error, 1 warn, 2 info, 3 debug, 4 trace. */
void hal_log(int32_t level, const uint8_t *msg, int32_t len);
/* Unrecoverable error (AssemblyScript abort is routed here). The host logs it and reboots; it does not return. */
void hal_panic(const uint8_t *msg, int32_t len, int32_t line, int32_t column);
/* Fill buf with bytes from the hardware random source (esp_fill_random on the device). */
void hal_random_fill(uint8_t *buf, int32_t len);
/* A board fact from boards/ *.json, by BoardKey. Returns -1 when the board does not have it. */
int32_t hal_board_info(int32_t key);
/* Write the factory MAC address (6 bytes) of an interface kind (MacKind) to out (esp_read_mac on the device). Returns 0 or a negative HalError. */
int32_t hal_factory_mac(int32_t kind, uint8_t *out);
/* One SPI transaction with chip-select held throughout: clock out tx_len bytes from tx, then clock in rx_len bytes into rx (sending zeros). Returns 0 or a negative HalError. */
int32_t hal_spi_transfer(int32_t device, const uint8_t *tx, int32_t tx_len, uint8_t *rx, int32_t rx_len);
/* Drive an output pin. Returns 0 or a negative HalError. */
int32_t hal_gpio_write(int32_t pin, int32_t level);
/* Read a pin level (0/1), or a negative HalError. */
int32_t hal_gpio_read(int32_t pin);
/* Enable (GpioEdge) or disable (0) interrupt reporting for a pin. Changes arrive through the on_gpio export. */
int32_t hal_gpio_irq_enable(int32_t pin, int32_t edge);
/* Size in bytes of a named flash partition (FlashPartition), or a negative HalError if absent. */
int32_t hal_flash_size(int32_t partition);
/* Erase unit in bytes (4096 on ESP32 SPI flash). */
int32_t hal_flash_sector_size(int32_t partition);
/* Read len bytes. Returns 0 or a negative HalError. */
int32_t hal_flash_read(int32_t partition, int32_t offset, uint8_t *buf, int32_t len);
/* Program len bytes. NOR semantics: bits only go from 1 to 0; erase first. Returns 0 or a negative HalError. */
int32_t hal_flash_write(int32_t partition, int32_t offset, uint8_t *buf, int32_t len);
/* Erase whole sectors to 0xFF; offset and len are sector-aligned. Returns 0 or a negative HalError. */
int32_t hal_flash_erase(int32_t partition, int32_t offset, int32_t len);
/* Queue bytes for a UART. Returns how many were accepted (may be fewer when the TX FIFO is full). */
int32_t hal_uart_write(int32_t port, uint8_t *buf, int32_t len);
/* Start a scan; params is a WifiScanParams record (channels, active/passive, dwell). Results arrive as WifiEvent.ScanResult events, then WifiEvent.ScanDone. */
int32_t hal_wifi_scan(const uint8_t *params, int32_t len);
/* Authenticate and associate: a WifiJoinParams record (BSSID, channel, SSID, our RSN IE). Outcome arrives as a WifiEvent. */
int32_t hal_wifi_join(const uint8_t *params, int32_t len);
/* Disassociate with an 802.11 reason code. */
int32_t hal_wifi_leave(int32_t reason);
/* Send an Ethernet II frame over the association (esp_wifi_internal_tx). Returns 0, or HalError.Busy for flow control. */
int32_t hal_wifi_tx(const uint8_t *frame, int32_t len);
/* Send an EAPOL frame (Ethernet II, ethertype 0x888E), unencrypted until the pairwise key is installed. */
int32_t hal_wifi_eapol_tx(const uint8_t *frame, int32_t len);
/* Install a CCMP key: kind 0 pairwise TK, 1 group GTK (index 1..3); rsc points at 6 bytes of receive sequence counter. */
int32_t hal_wifi_set_key(int32_t kind, int32_t index, const uint8_t *key, int32_t key_len, const uint8_t *rsc);
/* Remove all installed keys. */
int32_t hal_wifi_clear_keys(void);
/* Radio power save: mode 0 none, 1 min modem (wake every DTIM), 2 max modem (wake every listen_interval beacons). */
int32_t hal_wifi_set_power_save(int32_t mode, int32_t listen_interval);
/* Bitmask of AccelCap the host implements natively. The stack falls back to its own code for the rest. */
int32_t hal_accel_caps(void);
/* SHA-1 compression of one 64-byte block into 5 big-endian-valued u32 words of state (host byte order in memory: little-endian u32). */
void hal_accel_sha1_block(uint8_t *state, const uint8_t *block);
/* AES-128 encryption of one 16-byte block. */
void hal_accel_aes128_encrypt(const uint8_t *key, const uint8_t *input, uint8_t *output);
/* Internet checksum partial sum (RFC 1071), folded to 16 bits, starting from seed; not complemented. */
int32_t hal_accel_inet_checksum(uint8_t *buf, int32_t len, int32_t seed);
/* Restart the device (console `reboot`, OTA). Does not return on hardware; the simulator re-instantiates the module. */
void hal_system_reboot(int32_t reason);

typedef struct {
    const char *name;
    const char *signature; /* m3_LinkRawFunction signature */
} hal_import_desc_t;

#define HAL_IMPORT_COUNT 28
static const hal_import_desc_t HAL_IMPORTS[HAL_IMPORT_COUNT] = {
    { "log", "v(i*i)" },
    { "panic", "v(*iii)" },
    { "random_fill", "v(*i)" },
    { "board_info", "i(i)" },
    { "factory_mac", "i(i*)" },
    { "spi_transfer", "i(i*i*i)" },
    { "gpio_write", "i(ii)" },
    { "gpio_read", "i(i)" },
    { "gpio_irq_enable", "i(ii)" },
    { "flash_size", "i(i)" },
    { "flash_sector_size", "i(i)" },
    { "flash_read", "i(ii*i)" },
    { "flash_write", "i(ii*i)" },
    { "flash_erase", "i(iii)" },
    { "uart_write", "i(i*i)" },
    { "wifi_scan", "i(*i)" },
    { "wifi_join", "i(*i)" },
    { "wifi_leave", "i(i)" },
    { "wifi_tx", "i(*i)" },
    { "wifi_eapol_tx", "i(*i)" },
    { "wifi_set_key", "i(ii*i*)" },
    { "wifi_clear_keys", "i()" },
    { "wifi_set_power_save", "i(ii)" },
    { "accel_caps", "i()" },
    { "accel_sha1_block", "v(**)" },
    { "accel_aes128_encrypt", "v(***)" },
    { "accel_inet_checksum", "i(*ii)" },
    { "system_reboot", "v(i)" },
};

#define HAL_EXPORT_COUNT 10
static const hal_import_desc_t HAL_EXPORTS[HAL_EXPORT_COUNT] = {
    { "init", "v()" },
    { "poll", "I(I)" },
    { "on_gpio", "v(iiI)" },
    { "staging_buffer", "*(i)" },
    { "staging_capacity", "i(i)" },
    { "on_uart_rx", "v(iiI)" },
    { "on_wifi_event", "v(iiiI)" },
    { "on_wifi_rx", "v(iiI)" },
    { "counter", "i(i)" },
    { "mem_stat", "i(i)" },
};

#endif
