/* A tiny test runner: CHECK() counts, TEST() registers nothing fancy; main() in test_main.c. */
#ifndef WASMNET_TEST_RUNNER_H
#define WASMNET_TEST_RUNNER_H
#include <stdio.h>

extern int t_passed, t_failed;
#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) t_passed++;                                                       \
        else { t_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)
#define CHECK_EQ(a, b)                                                              \
    do {                                                                            \
        long long _a = (long long)(a), _b = (long long)(b);                         \
        if (_a == _b) t_passed++;                                                   \
        else { t_failed++; fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, _a, _b); } \
    } while (0)

void test_marshal(void);
void test_wasm_image(void);
void test_boot_state(void);
void test_accel(void);
void test_link_table(void);
void test_hal_wifi(void);
#endif
