// A small WebAssembly binary reader: sections, imports, data/element segment kinds, and
// every instruction of every function body with its byte position. The wasm3 gate and the
// instruction-counting instrumentation both walk modules with it.

export class WasmReader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0) { this.pos = pos; }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error(`wasm: unexpected end at ${this.pos}`);
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0, shift = 0, b: number;
    do { b = this.byte(); result |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return result >>> 0;
  }
  /** Skips a signed LEB128 of any width (i32/i64 constants, s33 block types). */
  skipSigned(): void { while (this.byte() & 0x80); }
  name(): string {
    const len = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return text;
  }
}

export interface Section { id: number; start: number; end: number; headerStart: number }

export function readSections(bytes: Uint8Array): Section[] {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error("wasm: bad magic");
  const r = new WasmReader(bytes, 8);
  const sections: Section[] = [];
  while (r.pos < bytes.length) {
    const headerStart = r.pos;
    const id = r.byte();
    const size = r.u32();
    sections.push({ id, start: r.pos, end: r.pos + size, headerStart });
    r.pos += size;
  }
  return sections;
}

export const SectionId = { Custom: 0, Type: 1, Import: 2, Function: 3, Table: 4, Memory: 5, Global: 6, Export: 7, Start: 8, Element: 9, Code: 10, Data: 11, DataCount: 12 } as const;

export interface Import { module: string; name: string; kind: number }
export function readImports(bytes: Uint8Array): Import[] {
  const sec = readSections(bytes).find((s) => s.id === SectionId.Import);
  if (!sec) return [];
  const r = new WasmReader(bytes, sec.start);
  const out: Import[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const module = r.name(), name = r.name(), kind = r.byte();
    if (kind === 0) r.u32();
    else if (kind === 1) { r.byte(); skipLimits(r); }
    else if (kind === 2) skipLimits(r);
    else if (kind === 3) { r.byte(); r.byte(); }
    else throw new Error(`wasm: unknown import kind ${kind}`);
    out.push({ module, name, kind });
  }
  return out;
}

function skipLimits(r: WasmReader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

export function readMemoryLimits(bytes: Uint8Array): { initial: number; maximum: number | null; flags: number } | null {
  const sec = readSections(bytes).find((s) => s.id === SectionId.Memory);
  if (!sec) return null;
  const r = new WasmReader(bytes, sec.start);
  r.u32();
  const flags = r.byte();
  const initial = r.u32();
  return { initial, maximum: flags & 1 ? r.u32() : null, flags };
}

/** Segment flag values (0 = active in memory/table 0 with offset expression). */
export function readSegmentFlags(bytes: Uint8Array, id: number): number[] {
  const sec = readSections(bytes).find((s) => s.id === id);
  if (!sec) return [];
  const r = new WasmReader(bytes, sec.start);
  const count = r.u32();
  const flags: number[] = [];
  // Only the first flag needs reading to classify; the gate rejects anything but 0,
  // so decoding stops at the first non-zero segment.
  for (let i = 0; i < count; i++) {
    const f = r.u32();
    flags.push(f);
    if (f !== 0) break;
    skipConstExpr(r);
    if (id === SectionId.Data) { const len = r.u32(); r.pos += len; }
    else { for (let n = r.u32(); n > 0; n--) r.u32(); }
  }
  return flags;
}

function skipConstExpr(r: WasmReader): void {
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x42) r.skipSigned();
    else if (op === 0x23) r.u32();
    else if (op === 0x43) r.pos += 4;
    else if (op === 0x44) r.pos += 8;
    else throw new Error(`wasm: unsupported constant expression opcode 0x${op.toString(16)}`);
  }
}

/** One decoded instruction: `op` is the opcode byte, `sub` the 0xFC/0xFD/0xFE sub-opcode. */
export interface Instr { op: number; sub: number; start: number; end: number }

export interface FunctionBody { index: number; start: number; end: number; codeStart: number; localsEnd: number }

export function readFunctionBodies(bytes: Uint8Array): FunctionBody[] {
  const sections = readSections(bytes);
  const code = sections.find((s) => s.id === SectionId.Code);
  if (!code) return [];
  const importedFuncs = readImports(bytes).filter((i) => i.kind === 0).length;
  const r = new WasmReader(bytes, code.start);
  const bodies: FunctionBody[] = [];
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const start = r.pos;
    for (let n = r.u32(); n > 0; n--) { r.u32(); r.byte(); }
    bodies.push({ index: importedFuncs + i, start, end: start + size, codeStart: start, localsEnd: r.pos });
    r.pos = start + size;
  }
  return bodies;
}

/** Decodes the instruction stream of one function body (after its locals). */
export function* instructions(bytes: Uint8Array, body: FunctionBody): Generator<Instr> {
  const r = new WasmReader(bytes, body.localsEnd);
  while (r.pos < body.end) {
    const start = r.pos;
    const op = r.byte();
    let sub = -1;
    switch (op) {
      case 0x02: case 0x03: case 0x04: {
        const t = bytes[r.pos];
        if (t === 0x40 || (t >= 0x6f && t <= 0x7f)) r.pos++;
        else r.skipSigned();
        break;
      }
      case 0x0c: case 0x0d: case 0x10: case 0x12: case 0xd2:
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
        r.u32(); break;
      case 0x0e: { for (let n = r.u32(); n >= 0; n--) r.u32(); break; }
      case 0x11: case 0x13: r.u32(); r.u32(); break;
      case 0x1c: { for (let n = r.u32(); n > 0; n--) r.byte(); break; }
      case 0x3f: case 0x40: r.byte(); break;
      case 0x41: case 0x42: r.skipSigned(); break;
      case 0x43: r.pos += 4; break;
      case 0x44: r.pos += 8; break;
      case 0xd0: r.byte(); break;
      case 0xfc: {
        sub = r.u32();
        if (sub === 8) { r.u32(); r.byte(); }
        else if (sub === 9 || sub === 13 || sub === 15 || sub === 16 || sub === 17) r.u32();
        else if (sub === 10) { r.byte(); r.byte(); }
        else if (sub === 11) r.byte();
        else if (sub === 12 || sub === 14) { r.u32(); r.u32(); }
        break;
      }
      case 0xfd: case 0xfe:
        // SIMD and atomics: the gate rejects them, so their immediates need not be decoded.
        sub = r.u32();
        yield { op, sub, start, end: r.pos };
        return;
      default:
        if (op >= 0x28 && op <= 0x3e) { r.u32(); r.u32(); }
        else if (op === 0x06 || op === 0x07 || op === 0x08 || op === 0x09 || op === 0x18 || op === 0x1f) {
          // Exception handling: rejected by the gate; stop decoding this body.
          yield { op, sub, start, end: r.pos };
          return;
        }
    }
    yield { op, sub, start, end: r.pos };
  }
}

export function encodeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

export function encodeS64(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const b = Number(value & 0x7fn);
    value >>= 7n;
    const done = (value === 0n && (b & 0x40) === 0) || (value === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

export function encodeName(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...encodeU32(b.length), ...b];
}
