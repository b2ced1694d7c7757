#!/usr/bin/env node
// npm bin entry for `wasmnet`: loads the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";
register();
const { main } = await import("./main.ts");
process.exit(await main(process.argv.slice(2)));
