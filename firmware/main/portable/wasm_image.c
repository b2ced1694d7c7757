#include "wasm_image.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../generated/hal_abi.h"
#include "crc32.h"

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

const char *wasm_img_status_str(wasm_img_status_t s)
{
    switch (s) {
    case WASM_IMG_OK: return "ok";
    case WASM_IMG_ERASED: return "slot is empty (erased)";
    case WASM_IMG_BAD_MAGIC: return "no WNSL slot header";
    case WASM_IMG_BAD_HEADER: return "slot header corrupt (version, size or CRC)";
    case WASM_IMG_TOO_SMALL: return "image too small";
    case WASM_IMG_TOO_LARGE: return "image larger than the slot";
    case WASM_IMG_ABI_MISMATCH: return "image built for another HAL ABI version";
    case WASM_IMG_BAD_CRC: return "image CRC mismatch";
    case WASM_IMG_NOT_WASM: return "image is not WebAssembly (no \\0asm magic)";
    case WASM_IMG_BAD_WASM_VERSION: return "unsupported WebAssembly binary version";
    }
    return "unknown";
}

void wasm_slot_encode_header(uint8_t out[WASM_SLOT_HEADER_SIZE], uint32_t image_len, uint32_t image_crc,
                             uint32_t abi_version, uint32_t build_id)
{
    memcpy(out, "WNSL", 4);
    out[4] = WASM_SLOT_HEADER_VERSION; out[5] = 0;
    out[6] = WASM_SLOT_HEADER_SIZE; out[7] = 0;
    wr32(out + 8, image_len);
    wr32(out + 12, image_crc);
    wr32(out + 16, abi_version);
    wr32(out + 20, build_id);
    wr32(out + 24, 0);
    wr32(out + 28, crc32_update(0, out, 28));
}

wasm_img_status_t wasm_slot_parse_header(const uint8_t *hdr, size_t hdr_len, uint32_t max_image,
                                         uint32_t expected_abi, wasm_slot_header_t *out)
{
    if (hdr_len < WASM_SLOT_HEADER_SIZE) return WASM_IMG_BAD_HEADER;
    bool erased = true;
    for (size_t i = 0; i < WASM_SLOT_HEADER_SIZE; i++) erased = erased && hdr[i] == 0xFF;
    if (erased) return WASM_IMG_ERASED;
    if (memcmp(hdr, "WNSL", 4) != 0) return WASM_IMG_BAD_MAGIC;
    if (rd16(hdr + 4) != WASM_SLOT_HEADER_VERSION || rd16(hdr + 6) != WASM_SLOT_HEADER_SIZE ||
        rd32(hdr + 28) != crc32_update(0, hdr, 28))
        return WASM_IMG_BAD_HEADER;
    out->image_len = rd32(hdr + 8);
    out->image_crc = rd32(hdr + 12);
    out->abi_version = rd32(hdr + 16);
    out->build_id = rd32(hdr + 20);
    if (out->image_len < WASM_MIN_IMAGE_BYTES) return WASM_IMG_TOO_SMALL;
    if (out->image_len > max_image) return WASM_IMG_TOO_LARGE;
    if (out->abi_version != expected_abi) return WASM_IMG_ABI_MISMATCH;
    return WASM_IMG_OK;
}

wasm_img_status_t wasm_slot_check_image(const wasm_slot_header_t *h, const uint8_t *image)
{
    if (crc32_update(0, image, h->image_len) != h->image_crc) return WASM_IMG_BAD_CRC;
    if (memcmp(image, "\0asm", 4) != 0) return WASM_IMG_NOT_WASM;
    if (rd32(image + 4) != 1) return WASM_IMG_BAD_WASM_VERSION;
    return WASM_IMG_OK;
}

/* ---- module walk ---- */

typedef struct {
    const uint8_t *p, *end;
    bool bad;
} rd_t;

static uint8_t rd_byte(rd_t *r)
{
    if (r->p >= r->end) { r->bad = true; return 0; }
    return *r->p++;
}

static uint32_t rd_u32(rd_t *r)
{
    uint32_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        uint8_t b = rd_byte(r);
        if (r->bad) return 0;
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    r->bad = true;
    return 0;
}

/* Reads a name into buf (truncated, NUL-terminated); returns false on malformed input. */
static bool rd_name(rd_t *r, char *buf, size_t cap)
{
    uint32_t n = rd_u32(r);
    if (r->bad || n > (size_t)(r->end - r->p)) { r->bad = true; return false; }
    size_t c = n < cap - 1 ? n : cap - 1;
    memcpy(buf, r->p, c);
    buf[c] = 0;
    r->p += n;
    return true;
}

static void skip_limits(rd_t *r)
{
    uint8_t flags = rd_byte(r);
    rd_u32(r);
    if (flags & 1) rd_u32(r);
}

static char valtype_char(uint8_t t)
{
    switch (t) {
    case 0x7f: return 'i';
    case 0x7e: return 'I';
    case 0x7d: return 'f';
    case 0x7c: return 'F';
    }
    return '?';
}

/* Signature of type index idx in wasm3 notation ("i(iI)"), from the type section. */
static bool type_sig(const uint8_t *sec, const uint8_t *end, uint32_t idx, char *out, size_t cap)
{
    rd_t r = { sec, end, false };
    uint32_t n = rd_u32(&r);
    if (r.bad || idx >= n) return false;
    for (uint32_t i = 0; i <= idx; i++) {
        if (rd_byte(&r) != 0x60) return false;
        uint32_t np = rd_u32(&r);
        if (r.bad || np > (size_t)(r.end - r.p)) return false;
        const uint8_t *params = r.p;
        r.p += np;
        uint32_t nr = rd_u32(&r);
        if (r.bad || nr > 1 || nr > (size_t)(r.end - r.p)) return false;
        const uint8_t *results = r.p;
        r.p += nr;
        if (i == idx) {
            if (np + 4 > cap) return false;
            size_t k = 0;
            out[k++] = nr ? valtype_char(results[0]) : 'v';
            out[k++] = '(';
            for (uint32_t j = 0; j < np; j++) out[k++] = valtype_char(params[j]);
            out[k++] = ')';
            out[k] = 0;
            return true;
        }
    }
    return false;
}

/* The HAL's signatures use '*' for pointers, which are i32 in wasm. */
static bool sig_equal(const char *hal_sig, const char *wasm_sig)
{
    for (; *hal_sig && *wasm_sig; hal_sig++, wasm_sig++) {
        char h = *hal_sig == '*' ? 'i' : *hal_sig;
        if (h != *wasm_sig) return false;
    }
    return *hal_sig == *wasm_sig;
}

typedef struct {
    wasm_report_fn report;
    void *ctx;
    int problems;
} chk_t;

static void problem(chk_t *c, const char *kind, const char *name, const char *what)
{
    c->problems++;
    if (c->report) c->report(c->ctx, kind, name, what);
}

int wasm_check_module(const uint8_t *wasm, size_t len, wasm_report_fn report, void *ctx)
{
    chk_t c = { report, ctx, 0 };
    if (len < 8 || memcmp(wasm, "\0asm", 4) != 0 || rd32(wasm + 4) != 1) {
        problem(&c, "module", "", "not a WebAssembly version 1 binary");
        return c.problems;
    }
    const uint8_t *types = NULL, *types_end = NULL, *imports = NULL, *imports_end = NULL;
    const uint8_t *funcs = NULL, *funcs_end = NULL, *exports = NULL, *exports_end = NULL;
    rd_t r = { wasm + 8, wasm + len, false };
    while (r.p < r.end) {
        uint8_t id = rd_byte(&r);
        uint32_t size = rd_u32(&r);
        if (r.bad || size > (size_t)(r.end - r.p)) { problem(&c, "module", "", "truncated section"); return c.problems; }
        const uint8_t *s = r.p, *e = r.p + size;
        if (id == 1) { types = s; types_end = e; }
        else if (id == 2) { imports = s; imports_end = e; }
        else if (id == 3) { funcs = s; funcs_end = e; }
        else if (id == 7) { exports = s; exports_end = e; }
        r.p = e;
    }

    /* Imports. */
    uint32_t func_imports = 0;
    char mod[32], name[64], sig[24], msg[96];
    if (imports) {
        rd_t ir = { imports, imports_end, false };
        uint32_t n = rd_u32(&ir);
        for (uint32_t i = 0; i < n && !ir.bad; i++) {
            if (!rd_name(&ir, mod, sizeof mod) || !rd_name(&ir, name, sizeof name)) break;
            uint8_t kind = rd_byte(&ir);
            if (kind != 0) {
                if (kind == 1) { rd_byte(&ir); skip_limits(&ir); }
                else if (kind == 2) skip_limits(&ir);
                else if (kind == 3) { rd_byte(&ir); rd_byte(&ir); }
                else { ir.bad = true; break; }
                problem(&c, "import", name, "is not a function (the HAL provides functions only)");
                continue;
            }
            uint32_t type_idx = rd_u32(&ir);
            func_imports++;
            if (strcmp(mod, HAL_IMPORT_MODULE) != 0) {
                snprintf(msg, sizeof msg, "comes from module \"%s\", not \"%s\"", mod, HAL_IMPORT_MODULE);
                problem(&c, "import", name, msg);
                continue;
            }
            const hal_import_desc_t *d = NULL;
            for (int k = 0; k < HAL_IMPORT_COUNT; k++)
                if (strcmp(HAL_IMPORTS[k].name, name) == 0) d = &HAL_IMPORTS[k];
            if (!d) { problem(&c, "import", name, "is not provided by this firmware's HAL (missing import)"); continue; }
            if (!types || !type_sig(types, types_end, type_idx, sig, sizeof sig)) {
                problem(&c, "import", name, "has an unreadable type");
                continue;
            }
            if (!sig_equal(d->signature, sig)) {
                snprintf(msg, sizeof msg, "signature %s does not match the HAL's %s", sig, d->signature);
                problem(&c, "import", name, msg);
            }
        }
        if (ir.bad) problem(&c, "module", "", "malformed import section");
    }

    /* Exports. */
    bool found[HAL_EXPORT_COUNT] = { false };
    bool memory = false;
    if (exports) {
        rd_t er = { exports, exports_end, false };
        uint32_t n = rd_u32(&er);
        for (uint32_t i = 0; i < n && !er.bad; i++) {
            if (!rd_name(&er, name, sizeof name)) break;
            uint8_t kind = rd_byte(&er);
            uint32_t index = rd_u32(&er);
            if (kind == 2 && strcmp(name, "memory") == 0) memory = true;
            if (kind != 0) continue;
            for (int k = 0; k < HAL_EXPORT_COUNT; k++) {
                if (strcmp(HAL_EXPORTS[k].name, name) != 0) continue;
                found[k] = true;
                uint32_t type_idx = 0;
                bool ok = false;
                if (index >= func_imports && funcs) {
                    rd_t fr = { funcs, funcs_end, false };
                    uint32_t nf = rd_u32(&fr);
                    if (index - func_imports < nf) {
                        for (uint32_t j = 0; j <= index - func_imports; j++) type_idx = rd_u32(&fr);
                        ok = !fr.bad;
                    }
                }
                if (!ok || !types || !type_sig(types, types_end, type_idx, sig, sizeof sig)) {
                    problem(&c, "export", name, "has an unreadable type");
                } else if (!sig_equal(HAL_EXPORTS[k].signature, sig)) {
                    snprintf(msg, sizeof msg, "signature %s does not match the ABI's %s", sig, HAL_EXPORTS[k].signature);
                    problem(&c, "export", name, msg);
                }
            }
        }
        if (er.bad) problem(&c, "module", "", "malformed export section");
    }
    for (int k = 0; k < HAL_EXPORT_COUNT; k++)
        if (!found[k]) problem(&c, "export", HAL_EXPORTS[k].name, "is missing from the module");
    if (!memory) problem(&c, "export", "memory", "is missing from the module");
    return c.problems;
}
