// AssemblyScript's abort (failed assertion, out-of-bounds access, out of memory) is routed
// here by `--use abort=stack/runtime/abort/panicAbort`, so the module imports nothing from
// `env`. It copies the message and file name as ASCII into a static buffer, with no
// allocation (memory may be exhausted), and hands them to hal.panic. On the device this
// logs and reboots; in the simulator it fails the run loudly.
import { panic } from "../../hal/generated/hal";

const PANIC_CAPACITY: i32 = 160;
const panicBuf = memory.data(PANIC_CAPACITY);

function append(len: i32, s: string | null): i32 {
  if (s === null) return len;
  const str = changetype<string>(s);
  for (let i = 0, n = str.length; i < n && len < PANIC_CAPACITY; i++) {
    const c = str.charCodeAt(i);
    store<u8>(panicBuf + len++, c < 128 ? c : 63);
  }
  return len;
}

export function panicAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let len = append(0, message);
  len = append(len, " at ");
  len = append(len, fileName);
  panic(panicBuf, len, line, column);
  unreachable();
}
