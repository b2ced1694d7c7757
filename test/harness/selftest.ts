// Proves the harness pipeline: sums the input bytes.
export { input_buffer, output_buffer } from "./_io";

export function sum(ptr: usize, len: i32): u32 {
  let s: u32 = 0;
  for (let i = 0; i < len; i++) s += load<u8>(ptr + i);
  return s;
}
