/* The wasm image in a flash slot (FlashPartition.WasmSlotA/B) and its checks before wasm3 sees
   it: the slot header, the wasm header, and the module's imports/exports against the HAL ABI
   (generated/hal_abi.h). No ESP-IDF or wasm3 here; unit-tested on the host.

   Slot layout (little-endian), written by tools/fw.ts:
     0  "WNSL"            magic
     4  u16 1             header version
     6  u16 32            header size
     8  u32 image_len     wasm bytes that follow the header
    12  u32 image_crc     CRC-32/IEEE of those bytes
    16  u32 abi_version   HAL_ABI_VERSION the module was built against
    20  u32 build_id      opaque (fw.ts: seconds since epoch of the build), for OTA ordering
    24  u32 reserved      0
    28  u32 header_crc    CRC-32/IEEE of bytes 0..27
    32  image_len bytes of wasm ("\0asm", version 1, sections) */
#ifndef WASMNET_WASM_IMAGE_H
#define WASMNET_WASM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define WASM_SLOT_HEADER_SIZE 32u
#define WASM_SLOT_HEADER_VERSION 1u
#define WASM_MIN_IMAGE_BYTES 8u

typedef struct {
    uint32_t image_len;
    uint32_t image_crc;
    uint32_t abi_version;
    uint32_t build_id;
} wasm_slot_header_t;

typedef enum {
    WASM_IMG_OK = 0,
    WASM_IMG_ERASED,         /* slot is all 0xFF: never written */
    WASM_IMG_BAD_MAGIC,
    WASM_IMG_BAD_HEADER,     /* version/size/header CRC */
    WASM_IMG_TOO_SMALL,
    WASM_IMG_TOO_LARGE,      /* image does not fit the slot (or the caller's limit) */
    WASM_IMG_ABI_MISMATCH,
    WASM_IMG_BAD_CRC,
    WASM_IMG_NOT_WASM,       /* no "\0asm" magic */
    WASM_IMG_BAD_WASM_VERSION
} wasm_img_status_t;

const char *wasm_img_status_str(wasm_img_status_t s);

void wasm_slot_encode_header(uint8_t out[WASM_SLOT_HEADER_SIZE], uint32_t image_len, uint32_t image_crc,
                             uint32_t abi_version, uint32_t build_id);
/* Checks the header alone (no image bytes needed). max_image is the largest image the host
   accepts (slot size - header, possibly smaller). */
wasm_img_status_t wasm_slot_parse_header(const uint8_t *hdr, size_t hdr_len, uint32_t max_image,
                                         uint32_t expected_abi, wasm_slot_header_t *out);
/* Checks image (h->image_len bytes): CRC, wasm magic and version 1. */
wasm_img_status_t wasm_slot_check_image(const wasm_slot_header_t *h, const uint8_t *image);

/* Reports one problem: kind is "import" or "export" or "module"; name may be "". */
typedef void (*wasm_report_fn)(void *ctx, const char *kind, const char *name, const char *problem);

/* Walks the module and checks (1) every import is a function from HAL_IMPORT_MODULE that the
   HAL provides (HAL_IMPORTS) with the same signature, and (2) every HAL_EXPORTS function and
   the "memory" export exist with the ABI's signatures. Returns the number of problems (0 =
   linkable), each passed to report (may be NULL). A malformed module counts as one problem. */
int wasm_check_module(const uint8_t *wasm, size_t len, wasm_report_fn report, void *ctx);

#endif
