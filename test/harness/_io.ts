// Shared by harness modules: fixed buffers the test host writes inputs into and reads
// results from. Re-export these from each harness:
//   export { input_buffer, output_buffer } from "./_io";
import "../../stack/runtime/abort";

export const IO_CAPACITY: i32 = 65536;
const input = memory.data(IO_CAPACITY);
const output = memory.data(IO_CAPACITY);

export function input_buffer(): usize { return input; }
export function output_buffer(): usize { return output; }
