#include <string.h>

#include "generated/hal_abi.h"
#include "portable/boot_state.h"
#include "runner.h"

enum { A = HAL_FLASH_PARTITION_WASM_SLOT_A, B = HAL_FLASH_PARTITION_WASM_SLOT_B };

static void records(void)
{
    uint8_t area[4096];
    memset(area, 0xFF, sizeof area);
    boot_record_t r = { .seq = 7, .slot = B, .state = BOOT_STATE_TRIAL, .attempts = 2, .reason = BOOT_REASON_OTA, .build_id = 99 }, out;
    boot_record_encode(area, &r);
    CHECK(boot_record_decode(area, &out));
    CHECK_EQ(out.seq, 7); CHECK_EQ(out.slot, B); CHECK_EQ(out.state, BOOT_STATE_TRIAL);
    CHECK_EQ(out.attempts, 2); CHECK_EQ(out.reason, BOOT_REASON_OTA); CHECK_EQ(out.build_id, 99);
    area[10] ^= 4;
    CHECK(!boot_record_decode(area, &out));
    area[10] ^= 4;

    size_t next;
    uint8_t empty[4096];
    memset(empty, 0xFF, sizeof empty);
    CHECK(!boot_state_scan(empty, sizeof empty, &out, &next));
    CHECK_EQ(next, 0);

    /* newest by seq wins; a torn record in the middle is skipped */
    r.seq = 8; r.slot = A; r.state = BOOT_STATE_CONFIRMED;
    boot_record_encode(area + 32, &r);
    area[64] = 'W'; area[65] = 'N'; /* torn write */
    r.seq = 9; r.slot = B;
    boot_record_encode(area + 96, &r);
    CHECK(boot_state_scan(area, sizeof area, &out, &next));
    CHECK_EQ(out.seq, 9); CHECK_EQ(out.slot, B);
    CHECK_EQ(next, 128);

    /* seq wrap-around compares as serial numbers */
    memset(area, 0xFF, sizeof area);
    r.seq = 0xFFFFFFFFu; r.slot = A; boot_record_encode(area, &r);
    r.seq = 0; r.slot = B; boot_record_encode(area + 32, &r);
    CHECK(boot_state_scan(area, sizeof area, &out, &next));
    CHECK_EQ(out.slot, B);

    /* full sector */
    for (size_t off = 0; off < sizeof area; off += 32) { r.seq = (uint32_t)off / 32; boot_record_encode(area + off, &r); }
    CHECK(boot_state_scan(area, sizeof area, &out, &next));
    CHECK_EQ(next, sizeof area);
    CHECK_EQ(out.seq, 127);
}

static void choose(void)
{
    boot_choice_t c;
    boot_choose(NULL, true, true, &c);
    CHECK_EQ(c.slot, A); CHECK_EQ(c.reason, BOOT_REASON_DEFAULT); CHECK(c.write_record);
    CHECK_EQ(c.next.seq, 1); CHECK_EQ(c.next.slot, A);
    boot_choose(NULL, false, true, &c);
    CHECK_EQ(c.slot, B); CHECK_EQ(c.reason, BOOT_REASON_SLOT_INVALID);
    boot_choose(NULL, false, false, &c);
    CHECK_EQ(c.slot, 0);

    boot_record_t r = { .seq = 5, .slot = B, .state = BOOT_STATE_CONFIRMED };
    boot_choose(&r, true, true, &c);
    CHECK_EQ(c.slot, B); CHECK(!c.write_record);
    boot_choose(&r, true, false, &c);
    CHECK_EQ(c.slot, A); CHECK_EQ(c.reason, BOOT_REASON_SLOT_INVALID); CHECK(c.write_record);
    CHECK_EQ(c.next.seq, 6); CHECK_EQ(c.next.slot, A);

    r.state = BOOT_STATE_TRIAL; r.attempts = 0;
    boot_choose(&r, true, true, &c);
    CHECK_EQ(c.slot, B); CHECK(c.write_record); CHECK_EQ(c.next.attempts, 1); CHECK_EQ(c.next.state, BOOT_STATE_TRIAL);
    r.attempts = BOOT_MAX_TRIAL_ATTEMPTS;
    boot_choose(&r, true, true, &c);
    CHECK_EQ(c.slot, A); CHECK_EQ(c.reason, BOOT_REASON_TRIAL_EXPIRED); CHECK_EQ(c.next.state, BOOT_STATE_CONFIRMED);

    boot_record_t next;
    boot_rollback(&r, B, BOOT_REASON_LINK_FAILED, &next);
    CHECK_EQ(next.slot, A); CHECK_EQ(next.seq, 6); CHECK_EQ(next.reason, BOOT_REASON_LINK_FAILED);
    boot_rollback(NULL, A, BOOT_REASON_INIT_TRAPPED, &next);
    CHECK_EQ(next.slot, B); CHECK_EQ(next.seq, 1);
}

void test_boot_state(void)
{
    records();
    choose();
}
