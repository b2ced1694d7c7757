// AssemblyScript transform: console and log text as static ASCII bytes.
//
// An AssemblyScript string literal is a UTF-16 object with a 20-byte header, aligned to 16
// bytes: "usage" costs 48 bytes of the one 64 KiB page. An `Ascii` (stack/runtime/ascii.ts)
// is a length byte followed by the bytes, packed without alignment: 6 bytes. This transform
// rewrites string literals into Ascii constants where the callee takes text:
//
//   - a parameter typed `Ascii`                  register(name: Ascii, help: Ascii, fn)
//   - a type-parameter-typed parameter of a      @ascii fail<C, M>(code: C, msg: M)
//     function or method decorated `@ascii`      (the callee handles string and Ascii,
//                                                 see textLength/textCharAt)
//   - the argument of `A("...")`, which becomes the constant itself (static tables).
//
// so `r.fail("usage", "usage: ping <ip>")` compiles as `r.fail(changetype<Ascii>(__ascii_3),
// changetype<Ascii>(__ascii_17))`. Each distinct literal becomes one
// `@global @lazy const __ascii_<n>: usize = memory.data<u8>([len, ...bytes], 1)` in a
// generated source; @lazy globals are compiled on first use, so only literals of compiled
// code reach the binary. Calls are matched by name (there are no types yet after parsing):
// `this.f(...)` resolves to the enclosing class (and its bases by name), any other
// `f(...)`/`x.f(...)` to every declaration named f. A literal reaching an unrelated
// same-named function then fails to compile; it never misbehaves. Only ASCII literals
// (0x00..0x7f, at most 255 bytes) are converted; others stay strings (a compile error where
// only Ascii is accepted). A literal pair `c ? "a" : "b"` is converted as a whole. Library
// sources (~lib, node_modules) are untouched.
//
// Loaded through asconfig.json (tools/build.ts passes that config by absolute path: asc
// resolves a config's relative transform path against a relative config directory
// wrongly) and by tools/build-harness.ts with --transform. as-pect cannot load it, so code
// the as-pect specs reach must compile without it: no A() and no literal for an Ascii
// parameter there (@ascii is ignored without the transform; generics then take strings).
import { Transform } from "assemblyscript/transform";
import { Node } from "assemblyscript";

// AST node kinds (assemblyscript/dist/assemblyscript.generated.d.ts, const enums).
const K = {
  NamedType: 1, Identifier: 6, Call: 9, Literal: 16, New: 17, Parenthesized: 20, PropertyAccess: 21, Ternary: 22, This: 24,
  ClassDeclaration: 51, FunctionDeclaration: 55, MethodDeclaration: 58,
};
const LITERAL_STRING = 2;
const ASCII_TYPE = "Ascii";
const MARKER = "A";
const DECORATOR = "ascii";
const POOL_PATH = "stack/runtime/__ascii_pool.ts";

const isNode = (v) => v !== null && typeof v === "object" && typeof v.kind === "number" && v.range !== undefined;
const isLibrary = (source) => source.normalizedPath.startsWith("~lib/") || source.normalizedPath.includes("node_modules/");
const typeName = (t) => (t && t.kind === K.NamedType ? t.name.identifier.text : null);

/** Visits every node below `node` in source order; `fn(child)` may return a replacement. */
function rewrite(node, fn, seen = new Set()) {
  if (seen.has(node)) return;
  seen.add(node);
  for (const key of Object.keys(node)) {
    if (key === "range") continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (isNode(v[i])) { v[i] = fn(v[i], node) ?? v[i]; rewrite(v[i], fn, seen); }
    } else if (isNode(v)) {
      node[key] = fn(v, node) ?? v;
      rewrite(node[key], fn, seen);
    }
  }
}

export default class AsciiStrings extends Transform {
  afterParse(parser) {
    const sources = parser.sources.filter((s) => !isLibrary(s));
    /** name -> [{ owner, slots }] of every function, method and constructor ("new C" by class). */
    const decls = new Map();
    /** class name -> base class name */
    const bases = new Map();
    const add = (name, owner, slots) => { if (!decls.has(name)) decls.set(name, []); decls.get(name).push({ owner, slots }); };

    for (const source of sources) {
      let cls = null;
      rewrite(source, (n) => {
        if (n.kind === K.ClassDeclaration) { cls = n.name.text; bases.set(cls, typeName(n.extendsType)); }
        if (n.kind !== K.FunctionDeclaration && n.kind !== K.MethodDeclaration) return;
        const marked = (n.decorators ?? []).some((d) => d.name.kind === K.Identifier && d.name.text === DECORATOR);
        if (marked) { n.decorators = n.decorators.filter((d) => !(d.name.kind === K.Identifier && d.name.text === DECORATOR)); if (!n.decorators.length) n.decorators = null; }
        const generic = new Set((n.typeParameters ?? []).map((t) => t.name.text));
        const slots = [];
        n.signature.parameters.forEach((p, i) => {
          const t = typeName(p.type);
          if (t === ASCII_TYPE || (marked && generic.has(t))) slots.push(i);
        });
        const owner = n.kind === K.MethodDeclaration ? cls : null;
        add(n.kind === K.MethodDeclaration && n.name.text === "constructor" ? `new ${cls}` : n.name.text, owner, slots);
      });
    }

    const pool = new Map(); // literal -> constant name
    const constant = (s) => {
      if (!pool.has(s)) pool.set(s, `__ascii_${pool.size}`);
      return pool.get(s);
    };
    const convertible = (e) => {
      if (e.kind === K.Literal && e.literalKind === LITERAL_STRING) return /^[\x00-\x7f]{0,255}$/.test(e.value);
      if (e.kind === K.Parenthesized) return convertible(e.expression);
      if (e.kind === K.Ternary) return convertible(e.ifThen) && convertible(e.ifElse);
      return false;
    };
    const convert = (e) => {
      if (e.kind === K.Literal) {
        const r = e.range;
        return Node.createCallExpression(Node.createIdentifierExpression("changetype", r),
          [Node.createNamedType(Node.createSimpleTypeName(ASCII_TYPE, r), null, false, r)],
          [Node.createIdentifierExpression(constant(e.value), r)], r);
      }
      if (e.kind === K.Parenthesized) e.expression = convert(e.expression);
      else { e.ifThen = convert(e.ifThen); e.ifElse = convert(e.ifElse); }
      return e;
    };
    const slotsOf = (name, thisClass) => {
      for (let c = thisClass; c; c = bases.get(c)) {
        const own = (decls.get(name) ?? []).filter((d) => d.owner === c);
        if (own.length) return new Set(own.flatMap((d) => d.slots));
      }
      return new Set((decls.get(name) ?? []).flatMap((d) => d.slots));
    };

    for (const source of sources) {
      let cls = null;
      rewrite(source, (n) => {
        if (n.kind === K.ClassDeclaration) cls = n.name.text;
        let slots = null;
        if (n.kind === K.Call) {
          const f = n.expression;
          if (f.kind === K.Identifier) {
            if (f.text === MARKER && n.args.length === 1 && convertible(n.args[0])) return convert(n.args[0]);
            slots = slotsOf(f.text, null);
          } else if (f.kind === K.PropertyAccess) {
            slots = slotsOf(f.property.text, f.expression.kind === K.This ? cls : null);
          }
        } else if (n.kind === K.New) {
          slots = slotsOf(`new ${n.typeName.identifier.text}`, null);
        }
        if (slots) for (const i of slots) if (i < n.args.length && convertible(n.args[i])) n.args[i] = convert(n.args[i]);
      });
    }
    if (!pool.size) return;
    const lines = [...pool].map(([s, name]) => {
      const bytes = [s.length, ...Buffer.from(s, "latin1")];
      return `@global @lazy const ${name}: usize = memory.data<u8>([${bytes.join(",")}], 1); // ${JSON.stringify(s)}`;
    });
    parser.parseFile(lines.join("\n"), POOL_PATH, false);
  }
}
