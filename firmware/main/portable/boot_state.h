/* The BootState partition (FlashPartition.BootState): an append-only log of 32-byte records in
   one 4 KiB sector, newest valid record (highest seq) wins. It selects the wasm slot to run and
   carries the trial/rollback state OTA will use. Little-endian layout:
     0  "WNBS"   magic
     4  u32 seq       increases by one per record
     8  u8  slot      HAL_FLASH_PARTITION_WASM_SLOT_A (1) or _B (2)
     9  u8  state     BOOT_STATE_CONFIRMED / BOOT_STATE_TRIAL
    10  u8  attempts  boots of a trial image so far
    11  u8  reason    boot_reason_t that produced this record
    12  u32 build_id  of the image in `slot` (slot header build_id)
    16  12 bytes reserved (0xFF)
    28  u32 crc       CRC-32/IEEE of bytes 0..27
   An erased record (all 0xFF) ends the log. When the sector is full the host erases it and
   writes the current record at offset 0. */
#ifndef WASMNET_BOOT_STATE_H
#define WASMNET_BOOT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOT_RECORD_SIZE 32u
#define BOOT_MAX_TRIAL_ATTEMPTS 3u

typedef enum { BOOT_STATE_CONFIRMED = 0, BOOT_STATE_TRIAL = 1 } boot_image_state_t;

typedef enum {
    BOOT_REASON_NONE = 0,
    BOOT_REASON_DEFAULT = 1,        /* no record: first boot */
    BOOT_REASON_SLOT_INVALID = 2,   /* selected slot failed header/CRC checks */
    BOOT_REASON_LINK_FAILED = 3,    /* missing or mismatched HAL import/export */
    BOOT_REASON_TRIAL_EXPIRED = 4,  /* trial image never confirmed */
    BOOT_REASON_INIT_TRAPPED = 5,   /* init() trapped */
    BOOT_REASON_OTA = 6             /* new image staged by OTA */
} boot_reason_t;

typedef struct {
    uint32_t seq;
    uint8_t slot;
    uint8_t state;
    uint8_t attempts;
    uint8_t reason;
    uint32_t build_id;
} boot_record_t;

void boot_record_encode(uint8_t out[BOOT_RECORD_SIZE], const boot_record_t *rec);
bool boot_record_decode(const uint8_t in[BOOT_RECORD_SIZE], boot_record_t *rec);

/* Scans a BootState area. Returns true and the newest valid record if any. *next_free is the
   offset where the next record goes, or area_len when the sector is full. Corrupt records
   (torn writes) are skipped. */
bool boot_state_scan(const uint8_t *area, size_t area_len, boot_record_t *latest, size_t *next_free);

typedef struct {
    uint8_t slot;      /* 0: no bootable slot */
    uint8_t reason;    /* why this slot (boot_reason_t); NONE when it is simply the selected one */
    bool write_record; /* the caller should append `next` before running the slot */
    boot_record_t next;
} boot_choice_t;

/* Picks the slot to run given the newest record (or NULL) and which slots hold a valid image. */
void boot_choose(const boot_record_t *rec, bool slot_a_ok, bool slot_b_ok, boot_choice_t *out);

/* The record to write when the running slot must not be booted again (link failure, trap):
   switch to the other slot, confirmed, with reason. */
void boot_rollback(const boot_record_t *cur, uint8_t running_slot, uint8_t reason, boot_record_t *next);

#endif
