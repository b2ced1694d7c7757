// boards/*.json as the firmware sees them: consistent with firmware/partitions.csv, generated
// C tables up to date, the slot image format of tools/fw.ts, and the wasm3 stack size agreement.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { boardFiles, boardProblems, loadBoards, parsePartitions, PARTITION_NAMES } from "../../tools/gen-board.ts";
import { slotImage } from "../../tools/fw.ts";
import { WASM3_STACK_BYTES } from "../../tools/budget.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

test("every board is usable by the firmware and agrees with partitions.csv", () => {
  assert.deepEqual(boardProblems(root), []);
  assert.ok(loadBoards(root).length >= 3);
});

test("generated firmware board tables are up to date", () => {
  for (const [p, text] of Object.entries(boardFiles(root))) assert.equal(readFileSync(join(root, p), "utf8"), text, `${p} is stale: npx tsx tools/gen-board.ts`);
});

test("partition table: our partitions are data, sector aligned, non-overlapping, within 4 MB", () => {
  const rows = parsePartitions(readFileSync(join(root, "firmware/partitions.csv"), "utf8"));
  const sorted = [...rows].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1].offset + sorted[i - 1].size <= sorted[i].offset, `${sorted[i - 1].name} overlaps ${sorted[i].name}`);
  const last = sorted[sorted.length - 1];
  assert.ok(last.offset + last.size <= 4 * 1024 * 1024);
  Object.values(PARTITION_NAMES).forEach((name, i) => {
    const r = rows.find((x) => x.name === name)!;
    assert.equal(r.type, "data");
    assert.equal(Number(r.subtype), 0x40 + i, `${name} subtype (hal_flash.c looks it up by 0x40 + FlashPartition)`);
    assert.equal(r.offset % 4096, 0);
  });
});

test("slot image header matches firmware/main/portable/wasm_image.h", () => {
  const wasm = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const img = slotImage(wasm, 1, 0x01020304);
  const dv = new DataView(img.buffer);
  assert.equal(Buffer.from(img.subarray(0, 4)).toString(), "WNSL");
  assert.equal(dv.getUint16(4, true), 1);
  assert.equal(dv.getUint16(6, true), 32);
  assert.equal(dv.getUint32(8, true), 8);
  // CRC-32/IEEE, the same as portable/crc32.c (check value of "123456789" is 0xCBF43926)
  const check = new DataView(slotImage(Buffer.from("123456789"), 1, 0).buffer);
  assert.equal(check.getUint32(12, true), 0xcbf43926);
  assert.equal(dv.getUint32(16, true), 1);
  assert.equal(dv.getUint32(20, true), 0x01020304);
  assert.deepEqual(img.subarray(32), wasm);
});

test("wasm3 stack size agrees between tools/budget.ts and the firmware", () => {
  const k = readFileSync(join(root, "firmware/main/Kconfig.projbuild"), "utf8");
  assert.match(k, new RegExp(`config WASMNET_WASM3_STACK_BYTES[\\s\\S]*?default ${WASM3_STACK_BYTES}\\b`));
  const host = readFileSync(join(root, "firmware/main/wasm_host.c"), "utf8");
  assert.match(host, new RegExp(`CONFIG_WASMNET_WASM3_STACK_BYTES != ${WASM3_STACK_BYTES}\\b`));
  const wasm3 = readFileSync(join(root, "firmware/components/wasm3/CMakeLists.txt"), "utf8");
  assert.match(wasm3, /d_m3MaxLinearMemoryPages=1\b/, "wasm3 must cap linear memory at the one-page budget");
});
