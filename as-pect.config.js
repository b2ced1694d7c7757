// as-pect runs the AssemblyScript unit tests (test/assembly/**/*.spec.ts) in Node.
// Code under test may import the HAL; test/assembly/fake-hal.js provides it.
import { fakeHal } from "./test/assembly/fake-hal.js";

export default {
  entries: ["test/assembly/**/*.spec.ts"],
  include: ["test/assembly/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    const hal = fakeHal(() => instance.exports.memory ?? memory);
    instance = instantiate(binary, createImports({ env: { memory }, hal }));
    return instance;
  },
  outputBinary: false,
};
