import { test } from "node:test";
import assert from "node:assert/strict";
import { loadHarness } from "../harness-host.ts";

test("harness modules compile and run stack code with the fake HAL", async () => {
  const h = await loadHarness("selftest");
  const p = h.input(Uint8Array.from([1, 2, 3, 250]));
  assert.equal(h.exports.sum(p, 4), 256);
});
