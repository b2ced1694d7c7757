#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generated/hal_abi.h"
#include "portable/crc32.h"
#include "portable/wasm_image.h"
#include "runner.h"

/* ---- a tiny wasm module builder (types, imports, functions, exports; no code needed) ---- */
typedef struct { uint8_t b[4096]; size_t n; } buf_t;
static void put(buf_t *o, uint8_t v) { o->b[o->n++] = v; }
static void put_u32(buf_t *o, uint32_t v) { do { uint8_t c = v & 0x7f; v >>= 7; put(o, (uint8_t)(c | (v ? 0x80 : 0))); } while (v); }
static void put_name(buf_t *o, const char *s) { put_u32(o, (uint32_t)strlen(s)); for (; *s; s++) put(o, (uint8_t)*s); }
static void put_sec(buf_t *o, uint8_t id, const buf_t *s) { put(o, id); put_u32(o, (uint32_t)s->n); memcpy(o->b + o->n, s->b, s->n); o->n += s->n; }

typedef struct { const char *module, *name, *sig; } imp_t;
typedef struct { const char *name, *sig; } exp_t;

static uint8_t vt(char c) { return c == 'I' ? 0x7e : c == 'f' ? 0x7d : c == 'F' ? 0x7c : 0x7f; }
static void put_type(buf_t *t, const char *sig)
{
    put(t, 0x60);
    const char *p = strchr(sig, '(') + 1;
    size_t np = strchr(sig, ')') - p;
    put_u32(t, (uint32_t)np);
    for (size_t i = 0; i < np; i++) put(t, vt(p[i]));
    if (sig[0] == 'v') put_u32(t, 0);
    else { put_u32(t, 1); put(t, vt(sig[0])); }
}

static size_t build(uint8_t *out, const imp_t *imps, int ni, const exp_t *exps, int ne, bool memory)
{
    static buf_t m, types, imports, funcs, exports;
    memset(&m, 0, sizeof m); memset(&types, 0, sizeof types); memset(&imports, 0, sizeof imports);
    memset(&funcs, 0, sizeof funcs); memset(&exports, 0, sizeof exports);
    memcpy(m.b, "\0asm\1\0\0\0", 8); m.n = 8;
    put_u32(&types, (uint32_t)(ni + ne));
    for (int i = 0; i < ni; i++) put_type(&types, imps[i].sig);
    for (int i = 0; i < ne; i++) put_type(&types, exps[i].sig);
    put_u32(&imports, (uint32_t)ni);
    for (int i = 0; i < ni; i++) { put_name(&imports, imps[i].module); put_name(&imports, imps[i].name); put(&imports, 0); put_u32(&imports, (uint32_t)i); }
    put_u32(&funcs, (uint32_t)ne);
    for (int i = 0; i < ne; i++) put_u32(&funcs, (uint32_t)(ni + i));
    put_u32(&exports, (uint32_t)(ne + (memory ? 1 : 0)));
    for (int i = 0; i < ne; i++) { put_name(&exports, exps[i].name); put(&exports, 0); put_u32(&exports, (uint32_t)(ni + i)); }
    if (memory) { put_name(&exports, "memory"); put(&exports, 2); put_u32(&exports, 0); }
    put_sec(&m, 1, &types);
    if (ni) put_sec(&m, 2, &imports);
    put_sec(&m, 3, &funcs);
    put_sec(&m, 7, &exports);
    memcpy(out, m.b, m.n);
    return m.n;
}

static int reports;
static char last[256];
static void rep(void *ctx, const char *kind, const char *name, const char *problem)
{
    (void)ctx;
    reports++;
    snprintf(last, sizeof last, "%s %s %s", kind, name, problem);
}

static exp_t all_exports[HAL_EXPORT_COUNT];
static int check(const imp_t *imps, int ni, const exp_t *exps, int ne, bool memory)
{
    static uint8_t w[4096];
    size_t n = build(w, imps, ni, exps, ne, memory);
    reports = 0;
    last[0] = 0;
    int p = wasm_check_module(w, n, rep, NULL);
    CHECK_EQ(p, reports);
    return p;
}

static void module_checks(void)
{
    for (int i = 0; i < HAL_EXPORT_COUNT; i++) { all_exports[i].name = HAL_EXPORTS[i].name; all_exports[i].sig = HAL_EXPORTS[i].signature; }
    /* '*' is i32 on the wasm side */
    imp_t good[] = { { "hal", "log", "v(iii)" }, { "hal", "panic", "v(iiii)" }, { "hal", "spi_transfer", "i(iiiii)" } };
    CHECK_EQ(check(good, 3, all_exports, HAL_EXPORT_COUNT, true), 0);

    /* every import the HAL offers links */
    imp_t every[HAL_IMPORT_COUNT];
    for (int i = 0; i < HAL_IMPORT_COUNT; i++) { every[i].module = "hal"; every[i].name = HAL_IMPORTS[i].name; every[i].sig = HAL_IMPORTS[i].signature; }
    CHECK_EQ(check(every, HAL_IMPORT_COUNT, all_exports, HAL_EXPORT_COUNT, true), 0);

    imp_t missing[] = { { "hal", "log", "v(iii)" }, { "hal", "teleport", "i(i)" } };
    CHECK_EQ(check(missing, 2, all_exports, HAL_EXPORT_COUNT, true), 1);
    CHECK(strstr(last, "teleport") && strstr(last, "missing import"));

    imp_t badsig[] = { { "hal", "log", "v(iIi)" } };
    CHECK_EQ(check(badsig, 1, all_exports, HAL_EXPORT_COUNT, true), 1);
    CHECK(strstr(last, "v(iIi)") && strstr(last, "v(i*i)"));

    imp_t othermod[] = { { "env", "abort", "v(iiii)" } };
    CHECK_EQ(check(othermod, 1, all_exports, HAL_EXPORT_COUNT, true), 1);
    CHECK(strstr(last, "env") != NULL);

    CHECK_EQ(check(good, 3, all_exports + 1, HAL_EXPORT_COUNT - 1, true), 1); /* no init */
    CHECK(strstr(last, "init") && strstr(last, "missing"));
    CHECK_EQ(check(good, 3, all_exports, HAL_EXPORT_COUNT, false), 1);        /* no memory */

    exp_t wrong[HAL_EXPORT_COUNT];
    memcpy(wrong, all_exports, sizeof wrong);
    for (int i = 0; i < HAL_EXPORT_COUNT; i++) if (!strcmp(wrong[i].name, "poll")) wrong[i].sig = "i(i)";
    CHECK_EQ(check(good, 3, wrong, HAL_EXPORT_COUNT, true), 1);
    CHECK(strstr(last, "poll") != NULL);

    /* malformed input never crashes and is reported */
    static uint8_t w[4096];
    size_t n = build(w, good, 3, all_exports, HAL_EXPORT_COUNT, true);
    for (size_t cut = 0; cut < n; cut++) {
        reports = 0;
        int p = wasm_check_module(w, cut, rep, NULL);
        if (p == 0) { CHECK(p != 0); fprintf(stderr, "  truncated at %zu accepted\n", cut); break; }
    }
    CHECK(wasm_check_module((const uint8_t *)"\0asm\2\0\0\0", 8, NULL, NULL) == 1);
    /* byte flips must not crash (ASan/UBSan in `make sanitize`) */
    for (size_t i = 8; i < n; i++) {
        uint8_t save = w[i];
        w[i] ^= 0xA5;
        (void)wasm_check_module(w, n, NULL, NULL);
        w[i] = save;
    }
}

static void slot_header(void)
{
    uint8_t img[16] = { 0, 'a', 's', 'm', 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t h[WASM_SLOT_HEADER_SIZE];
    wasm_slot_header_t sh;
    uint32_t crc = crc32_update(0, img, sizeof img);
    wasm_slot_encode_header(h, sizeof img, crc, HAL_ABI_VERSION, 1234);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_OK);
    CHECK_EQ(sh.image_len, 16);
    CHECK_EQ(sh.build_id, 1234);
    CHECK_EQ(wasm_slot_check_image(&sh, img), WASM_IMG_OK);
    CHECK_EQ(wasm_slot_parse_header(h, 31, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_BAD_HEADER);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 15, HAL_ABI_VERSION, &sh), WASM_IMG_TOO_LARGE);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION + 1, &sh), WASM_IMG_ABI_MISMATCH);
    img[10] ^= 1;
    CHECK_EQ(wasm_slot_check_image(&sh, img), WASM_IMG_BAD_CRC);
    img[10] ^= 1;
    img[0] = 'X';
    wasm_slot_encode_header(h, sizeof img, crc32_update(0, img, sizeof img), HAL_ABI_VERSION, 1);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_OK);
    CHECK_EQ(wasm_slot_check_image(&sh, img), WASM_IMG_NOT_WASM);
    img[0] = 0; img[4] = 2;
    wasm_slot_encode_header(h, sizeof img, crc32_update(0, img, sizeof img), HAL_ABI_VERSION, 1);
    wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh);
    CHECK_EQ(wasm_slot_check_image(&sh, img), WASM_IMG_BAD_WASM_VERSION);
    wasm_slot_encode_header(h, 4, 0, HAL_ABI_VERSION, 1);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_TOO_SMALL);
    h[9] ^= 1; /* any header bit flip is caught by the header CRC */
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_BAD_HEADER);
    memset(h, 0xFF, sizeof h);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_ERASED);
    memcpy(h, "WASM", 4);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 1000, HAL_ABI_VERSION, &sh), WASM_IMG_BAD_MAGIC);
    CHECK(strlen(wasm_img_status_str(WASM_IMG_BAD_CRC)) > 0);
}

/* The real module, when it has been built (`npm run build`): it must link against this HAL. */
static void stack_wasm(void)
{
    const char *path = getenv("STACK_WASM");
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) { printf("  (skipped: build/stack.wasm not found; run `npm run build`)\n"); return; }
    static uint8_t w[512 * 1024];
    size_t n = fread(w, 1, sizeof w, f);
    fclose(f);
    reports = 0;
    int p = wasm_check_module(w, n, rep, NULL);
    if (p) fprintf(stderr, "  stack.wasm: %s\n", last);
    CHECK_EQ(p, 0);
    uint8_t h[WASM_SLOT_HEADER_SIZE];
    wasm_slot_header_t sh;
    wasm_slot_encode_header(h, (uint32_t)n, crc32_update(0, w, n), HAL_ABI_VERSION, 1);
    CHECK_EQ(wasm_slot_parse_header(h, sizeof h, 262144 - WASM_SLOT_HEADER_SIZE, HAL_ABI_VERSION, &sh), WASM_IMG_OK);
    CHECK_EQ(wasm_slot_check_image(&sh, w), WASM_IMG_OK);
}

void test_wasm_image(void)
{
    CHECK_EQ(crc32_update(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    module_checks();
    slot_header();
    stack_wasm();
}
