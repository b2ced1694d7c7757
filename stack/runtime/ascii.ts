// Static ASCII text: a length byte followed by that many bytes, unaligned. The transform
// tools/ascii-strings.mjs turns string literals passed to text parameters into Ascii
// constants (see there), so console and log text costs 1 byte per character plus one,
// instead of a string's 20-byte header, 2 bytes per character and 16-byte alignment.
//
// Text parameters are either typed `Ascii`, or generic in functions marked `@ascii`, which
// then take a string or an Ascii through textLength/textCharAt:
//   @ascii export function logStr<T>(s: T): void { for (...) put(textCharAt(s, i)); }
// Static tables use the marker A("..."), which becomes the constant itself.

/** A pointer to [length: u8][bytes]. Only the ascii-strings transform makes them. */
@global @final @unmanaged export class Ascii {
  @inline get length(): i32 { return <i32>load<u8>(changetype<usize>(this)); }
  /** Address of the first byte. */
  @inline get ptr(): usize { return changetype<usize>(this) + 1; }
  @inline at(i: i32): i32 { return <i32>load<u8>(changetype<usize>(this) + 1 + <usize>i); }
  /** Same bytes as (p, n)? */
  equals(p: usize, n: i32): bool { return this.length == n && memory.compare(this.ptr, p, <usize>n) == 0; }
  is(other: Ascii): bool { return this.equals(other.ptr, other.length); }
}

/** A static Ascii from a literal: `const NAMES: StaticArray<Ascii> = [A("eth0"), A("wlan0")]`. */
export function A(s: Ascii): Ascii { return s; }

/** Length of a string or Ascii. */
@inline export function textLength<T>(s: T): i32 {
  if (isString<T>()) return changetype<string>(s).length;
  if (!(s instanceof Ascii)) ERROR("text is a string or an Ascii");
  return changetype<Ascii>(s).length;
}

/** Character i of a string or Ascii (UTF-16 unit or byte). */
@inline export function textCharAt<T>(s: T, i: i32): i32 {
  if (isString<T>()) return changetype<string>(s).charCodeAt(i);
  if (!(s instanceof Ascii)) ERROR("text is a string or an Ascii");
  return changetype<Ascii>(s).at(i);
}
