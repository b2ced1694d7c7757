#include "boot_state.h"

#include <string.h>

#include "../generated/hal_abi.h"
#include "crc32.h"

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

static uint8_t other_slot(uint8_t s)
{
    return s == HAL_FLASH_PARTITION_WASM_SLOT_A ? HAL_FLASH_PARTITION_WASM_SLOT_B : HAL_FLASH_PARTITION_WASM_SLOT_A;
}

void boot_record_encode(uint8_t out[BOOT_RECORD_SIZE], const boot_record_t *rec)
{
    memset(out, 0xFF, BOOT_RECORD_SIZE);
    memcpy(out, "WNBS", 4);
    wr32(out + 4, rec->seq);
    out[8] = rec->slot;
    out[9] = rec->state;
    out[10] = rec->attempts;
    out[11] = rec->reason;
    wr32(out + 12, rec->build_id);
    wr32(out + 28, crc32_update(0, out, 28));
}

bool boot_record_decode(const uint8_t in[BOOT_RECORD_SIZE], boot_record_t *rec)
{
    if (memcmp(in, "WNBS", 4) != 0 || rd32(in + 28) != crc32_update(0, in, 28)) return false;
    if (in[8] != HAL_FLASH_PARTITION_WASM_SLOT_A && in[8] != HAL_FLASH_PARTITION_WASM_SLOT_B) return false;
    if (in[9] > BOOT_STATE_TRIAL) return false;
    rec->seq = rd32(in + 4);
    rec->slot = in[8];
    rec->state = in[9];
    rec->attempts = in[10];
    rec->reason = in[11];
    rec->build_id = rd32(in + 12);
    return true;
}

static bool erased(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xFF) return false;
    return true;
}

bool boot_state_scan(const uint8_t *area, size_t area_len, boot_record_t *latest, size_t *next_free)
{
    bool found = false;
    size_t off = 0;
    for (; off + BOOT_RECORD_SIZE <= area_len; off += BOOT_RECORD_SIZE) {
        if (erased(area + off, BOOT_RECORD_SIZE)) break;
        boot_record_t r;
        if (!boot_record_decode(area + off, &r)) continue; /* torn write: skip */
        if (!found || (int32_t)(r.seq - latest->seq) > 0) { *latest = r; found = true; }
    }
    *next_free = off + BOOT_RECORD_SIZE <= area_len ? off : area_len;
    return found;
}

void boot_choose(const boot_record_t *rec, bool slot_a_ok, bool slot_b_ok, boot_choice_t *out)
{
    memset(out, 0, sizeof *out);
    uint8_t want = rec ? rec->slot : HAL_FLASH_PARTITION_WASM_SLOT_A;
    uint8_t reason = rec ? BOOT_REASON_NONE : BOOT_REASON_DEFAULT;
    bool want_trial = rec && rec->state == BOOT_STATE_TRIAL;
#define SLOT_OK(s) ((s) == HAL_FLASH_PARTITION_WASM_SLOT_A ? slot_a_ok : slot_b_ok)
    if (want_trial && rec->attempts >= BOOT_MAX_TRIAL_ATTEMPTS) {
        want = other_slot(want);
        reason = BOOT_REASON_TRIAL_EXPIRED;
        want_trial = false;
    }
    if (!SLOT_OK(want)) {
        if (!SLOT_OK(other_slot(want))) return; /* slot 0: nothing to boot */
        want = other_slot(want);
        reason = BOOT_REASON_SLOT_INVALID;
        want_trial = false;
    }
#undef SLOT_OK
    out->slot = want;
    out->reason = reason;
    uint32_t seq = rec ? rec->seq + 1 : 1;
    if (want_trial) {
        /* Count this boot of the trial image before running it, so a crash loop ends. */
        out->write_record = true;
        out->next = *rec;
        out->next.seq = seq;
        out->next.attempts = (uint8_t)(rec->attempts + 1);
    } else if (!rec || rec->slot != want || rec->state != BOOT_STATE_CONFIRMED) {
        out->write_record = true;
        out->next.seq = seq;
        out->next.slot = want;
        out->next.state = BOOT_STATE_CONFIRMED;
        out->next.reason = reason;
    }
}

void boot_rollback(const boot_record_t *cur, uint8_t running_slot, uint8_t reason, boot_record_t *next)
{
    memset(next, 0, sizeof *next);
    next->seq = cur ? cur->seq + 1 : 1;
    next->slot = other_slot(running_slot);
    next->state = BOOT_STATE_CONFIRMED;
    next->reason = reason;
}
