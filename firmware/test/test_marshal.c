#include <stdint.h>

#include "generated/hal_abi.h"
#include "portable/hal_marshal.h"
#include "runner.h"

static void range(void)
{
    CHECK(hal_range_ok(0, 0, 65536));          /* null pointer, empty buffer: fine */
    CHECK(hal_range_ok(65536, 0, 65536));      /* empty buffer at the very end */
    CHECK(!hal_range_ok(65537, 0, 65536));
    CHECK(hal_range_ok(65535, 1, 65536));
    CHECK(!hal_range_ok(65535, 2, 65536));
    CHECK(!hal_range_ok(16, -1, 65536));       /* negative length */
    CHECK(!hal_range_ok(16, INT32_MIN, 65536));
    CHECK(!hal_range_ok(0xFFFFFFFFu, 1, 65536)); /* would wrap in 32 bits */
    CHECK(hal_range_ok(1, INT32_MAX, 0xFFFFFFFFu)); /* 1 + 2^31-1 <= 2^32-1 */
    CHECK(hal_range_ok(0, 65536, 65536));
    CHECK(!hal_range_ok(0, 1, 0));             /* no memory */
}

static void deadline(void)
{
    const uint32_t MAX = 1000000;
    CHECK_EQ(hal_deadline_to_ticks(1000, 1000, 100, MAX), 0);
    CHECK_EQ(hal_deadline_to_ticks(1000, 999, 100, MAX), 0);
    CHECK_EQ(hal_deadline_to_ticks(0, 1, 100, MAX), 1);          /* rounds up: never wake early */
    CHECK_EQ(hal_deadline_to_ticks(0, 10000, 100, MAX), 1);      /* exactly one 10 ms tick */
    CHECK_EQ(hal_deadline_to_ticks(0, 10001, 100, MAX), 2);
    CHECK_EQ(hal_deadline_to_ticks(0, 1000000, 1000, MAX), 1000);
    CHECK_EQ(hal_deadline_to_ticks(5, 2500005, 100, MAX), 250);
    CHECK_EQ(hal_deadline_to_ticks(0, HAL_NO_DEADLINE, 100, MAX), MAX);
    CHECK_EQ(hal_deadline_to_ticks(INT64_MIN, INT64_MAX, 1000, MAX), MAX); /* no overflow */
    CHECK_EQ(hal_deadline_to_ticks(-5, 5, 1000000, MAX), 10);
    CHECK_EQ(hal_deadline_to_ticks(0, INT64_MAX - 1, 0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFFu);
    CHECK_EQ(hal_deadline_to_ticks(0, 3600000000LL, 1000, 0xFFFFFFFFu), 3600000u);
    CHECK_EQ(hal_deadline_to_ticks(0, 5000000, 100, 100), 100);  /* clamped (watchdog cap) */
}

static void evq(void)
{
    hal_event_t storage[3];
    hal_evq_t q;
    hal_evq_init(&q, storage, 3);
    hal_event_t e = { .kind = HAL_EV_UART, .a = 0 }, out;
    CHECK(!hal_evq_pop(&q, &out));
    CHECK(hal_evq_push(&q, &e));
    e.kind = HAL_EV_GPIO; e.a = 4; e.b = 0; e.time_us = 10;
    CHECK(hal_evq_push(&q, &e));
    e.b = 1; e.time_us = 20;
    CHECK(hal_evq_push(&q, &e));               /* coalesced into the pending pin-4 event */
    CHECK_EQ(hal_evq_count(&q), 2);
    CHECK_EQ(q.coalesced, 1);
    e.kind = HAL_EV_WIFI_RX; e.a = 0;
    CHECK(hal_evq_push(&q, &e));
    CHECK(!hal_evq_push(&q, &e));              /* full */
    CHECK_EQ(q.dropped, 1);
    CHECK(hal_evq_pop(&q, &out));
    CHECK_EQ(out.kind, HAL_EV_UART);
    CHECK(hal_evq_pop(&q, &out));
    CHECK_EQ(out.kind, HAL_EV_GPIO);
    CHECK_EQ(out.b, 1);
    CHECK_EQ(out.time_us, 20);
    /* wrap-around keeps FIFO order */
    for (int i = 0; i < 10; i++) {
        e.kind = HAL_EV_WIFI_EVENT; e.a = i;
        CHECK(hal_evq_push(&q, &e));
        CHECK(hal_evq_pop(&q, &out));
        if (i == 0) CHECK_EQ(out.kind, HAL_EV_WIFI_RX);
        else { CHECK_EQ(out.kind, HAL_EV_WIFI_EVENT); CHECK_EQ(out.a, i - 1); }
    }
    CHECK_EQ(hal_evq_count(&q), 1);
}

static void bufpool(void)
{
    uint8_t mem[4 * 16];
    hal_bufpool_t p;
    CHECK(!hal_bufpool_init(&p, mem, 16, 33));
    CHECK(hal_bufpool_init(&p, mem, 16, 4));
    uint8_t *b[5];
    uint8_t s[5];
    for (int i = 0; i < 4; i++) {
        s[i] = hal_bufpool_alloc(&p, &b[i]);
        CHECK_EQ(s[i], i + 1);
        CHECK(b[i] == mem + 16 * i);
    }
    s[4] = hal_bufpool_alloc(&p, &b[4]);
    CHECK_EQ(s[4], 0);
    CHECK(b[4] == NULL);
    hal_bufpool_free(&p, s[2]);
    hal_bufpool_free(&p, 0);   /* ignored */
    hal_bufpool_free(&p, 99);  /* ignored */
    CHECK_EQ(hal_bufpool_alloc(&p, &b[4]), 3);
    CHECK(b[4] == mem + 32);
}

void test_marshal(void)
{
    range();
    deadline();
    evq();
    bufpool();
}
