// Power-fail-safe key-value store on FlashPartition.Config (NOR flash through the HAL).
//
// Layout: the partition is split into erase sectors (flash_sector_size). At any time one
// sector is *active*: it holds a full image of the store followed by appended changes.
//
//   sector header (24 bytes)
//     0  u32 magic "WNCF"      4  u16 format (1)     6  u16 schema version
//     8  u32 sector sequence  12  u32 erase count   16  u32 CRC-32 of bytes 0..15
//    20  u32 complete flag: 0xFFFFFFFF while the image is being copied, 0 once complete
//   records (4-byte aligned), from offset 24
//     0  u8 0xC5   1  u8 type (VType, or 0x7F = commit)   2  u8 key length   3  u8 flags
//     4  u16 value length   6  u16 0   8  u32 transaction number
//    12  key, value, zero padding to 4      then u32 CRC-32 of everything before it
//
// A commit appends one record per changed key (flag 1 = deleted) and then a commit record
// with the same transaction number. On boot only records up to the last valid commit
// record are applied, so a power cut leaves either the old or the new values of a whole
// commit. When a commit does not fit in the active sector, the store is compacted: the
// least-erased other sector is erased, gets a header with the next sequence number, the
// whole new state (including keys this firmware does not know) and a commit record, and
// last its complete flag. Boot picks the complete sector with the highest sequence; the
// old one is left alone until wear levelling picks it as a target, so every erase happens
// on a sector nobody reads. Only bit-clearing writes go to erased flash.
import { flash_size, flash_sector_size, flash_read, flash_write, flash_erase, FlashPartition } from "../../hal/generated/hal";
import { count, Counter } from "../runtime/counters";
import { crc32Update } from "./crc32";
import { SCHEMA, SCHEMA_VERSION, KEY_MAX, VALUE_MAX, VType, KeyDef, schemaFind, FLAG_INTERNAL } from "./schema";
import { textLength, textCharAt } from "../runtime/ascii";

export const enum ConfigError {
  Ok = 0,
  UnknownKey = -10,
  BadValue = -11,
  TooLong = -12,
  ReadOnly = -13,
  Full = -14,       // RAM cache has no room for another key or value
  NoSpace = -15,    // the store image does not fit into one sector
  Io = -16,         // the HAL reported a flash error
  NoStore = -17,    // no usable Config partition
  WrongType = -18,
}

const MAGIC: u32 = 0x46434e57; // "WNCF" little-endian
const FORMAT: u16 = 1;
const SECTOR_HEADER: i32 = 24;
const COMPLETE_OFF: i32 = 20;
const REC_MAGIC: u8 = 0xc5;
const REC_HEADER: i32 = 12;
const REC_COMMIT: u8 = 0x7f;
const RF_DELETED: u8 = 1;

export const MAX_ENTRIES: i32 = 48;
export const ARENA_BYTES: i32 = 1024;
export const MAX_SECTORS: i32 = 32;
const SLOT: i32 = 24; // keyLen u8, key[15], type u8, flags u8, valOff u16, valLen u16, pad 2
const EF_DIRTY: u8 = 1;
const EF_DELETED: u8 = 2;

const SCRATCH_BYTES: i32 = 256;
const UNKNOWN_ERASES: u32 = 0xffffffff;

@inline function align4(n: i32): i32 { return (n + 3) & ~3; }

export class ConfigStore {
  private slots: usize = 0;
  private arena: usize = 0;
  private scratch: usize = 0;
  private eraseCounts: usize = 0;
  private entries: i32 = 0;
  private arenaUsed: i32 = 0;

  partitionBytes: i32 = 0;
  sectorBytes: i32 = 0;
  sectors: i32 = 0;
  active: i32 = -1;
  appendOff: i32 = 0;
  needCompact: bool = true;
  seq: u32 = 0;
  txn: u32 = 0;
  storedSchema: u16 = 0;
  /** Bumped by every successful commit, so other parts notice new settings. */
  generation: u32 = 0;
  /** Statistics for `status` and the benches. */
  compactions: u32 = 0;
  bytesWritten: u32 = 0;
  lastError: i32 = 0;

  /** Reserves the RAM cache. Call once while the module initialises. */
  reserve(): void {
    if (this.slots) return;
    this.slots = heap.alloc(<usize>(MAX_ENTRIES * SLOT));
    this.arena = heap.alloc(<usize>ARENA_BYTES);
    this.scratch = heap.alloc(<usize>SCRATCH_BYTES);
    this.eraseCounts = heap.alloc(<usize>(MAX_SECTORS * 4));
  }

  /** Reserves memory (first call only) and loads the store from flash. Read-only on flash. */
  init(): i32 {
    this.reserve();
    this.entries = 0;
    this.arenaUsed = 0;
    this.active = -1;
    this.appendOff = 0;
    this.needCompact = true;
    this.seq = 0;
    this.txn = 0;
    this.storedSchema = 0;
    const size = flash_size(FlashPartition.Config);
    const ss = flash_sector_size(FlashPartition.Config);
    if (size <= 0 || ss < 256 || ss > 65536 || size < 2 * ss) {
      this.sectors = 0;
      return this.lastError = ConfigError.NoStore;
    }
    this.partitionBytes = size;
    this.sectorBytes = ss;
    this.sectors = min(size / ss, MAX_SECTORS);
    this.scanHeaders();
    if (this.active >= 0) this.loadActive();
    return this.lastError = ConfigError.Ok;
  }

  private scanHeaders(): void {
    const s = this.scratch;
    let bestSeq: u32 = 0;
    let maxKnown: u32 = 0;
    for (let i = 0; i < this.sectors; i++) {
      let erases = UNKNOWN_ERASES;
      if (this.read(i * this.sectorBytes, s, SECTOR_HEADER) && load<u32>(s) == MAGIC && load<u16>(s, 4) == FORMAT
        && load<u32>(s, 16) == ~crc32Update(0xffffffff, s, 16)) {
        const seq = load<u32>(s, 8);
        erases = load<u32>(s, 12);
        if (seq > this.seq) this.seq = seq;
        if (load<u32>(s, COMPLETE_OFF) == 0 && (this.active < 0 || seq > bestSeq)) {
          this.active = i;
          bestSeq = seq;
          this.storedSchema = load<u16>(s, 6);
        }
        if (erases > maxKnown) maxKnown = erases;
      }
      store<u32>(this.eraseCounts + (<usize>i << 2), erases);
    }
    // A sector whose header is unreadable (blank, torn) gets the highest known count, so
    // wear levelling never prefers a sector just because it lost its history.
    for (let i = 0; i < this.sectors; i++) {
      const p = this.eraseCounts + (<usize>i << 2);
      if (load<u32>(p) == UNKNOWN_ERASES) store<u32>(p, maxKnown);
    }
  }

  /** Parses the record at off; returns its length, 0 at clean erased space, -1 if invalid. */
  private parseRecord(base: i32, off: i32): i32 {
    const s = this.scratch;
    const ss = this.sectorBytes;
    if (off + REC_HEADER + 4 > ss) return this.restErased(base, off) ? 0 : -1;
    if (!this.read(base + off, s, REC_HEADER)) return -1;
    if (load<u8>(s) == 0xff) return this.restErased(base, off) ? 0 : -1;
    if (load<u8>(s) != REC_MAGIC) return -1;
    const keyLen = <i32>load<u8>(s, 2);
    const valLen = <i32>load<u16>(s, 4);
    if (keyLen > KEY_MAX || valLen > VALUE_MAX) return -1;
    const total = align4(REC_HEADER + keyLen + valLen) + 4;
    if (off + total > ss || total > SCRATCH_BYTES) return -1;
    if (!this.read(base + off, s, total)) return -1;
    if (load<u32>(s + total - 4) != ~crc32Update(0xffffffff, s, total - 4)) return -1;
    return total;
  }

  private restErased(base: i32, off: i32): bool {
    const s = this.scratch;
    const ss = this.sectorBytes;
    while (off < ss) {
      const n = min(SCRATCH_BYTES, ss - off);
      if (!this.read(base + off, s, n)) return false;
      for (let i = 0; i < n; i++) if (load<u8>(s + i) != 0xff) return false;
      off += n;
    }
    return true;
  }

  private loadActive(): void {
    const base = this.active * this.sectorBytes;
    // Pass 1: find the end of the last committed transaction.
    let off = SECTOR_HEADER;
    let committedEnd = SECTOR_HEADER;
    let clean = false;
    for (;;) {
      const n = this.parseRecord(base, off);
      if (n == 0) { clean = true; break; }
      if (n < 0) { count(Counter.ConfigCrcErrors); break; }
      const s = this.scratch;
      const t = load<u32>(s, 8);
      if (t > this.txn) this.txn = t;
      off += n;
      if (load<u8>(s, 1) == REC_COMMIT) committedEnd = off;
    }
    // Pass 2: apply the committed records in log order.
    let p = SECTOR_HEADER;
    while (p < committedEnd) {
      const n = this.parseRecord(base, p);
      if (n <= 0) break;
      const s = this.scratch;
      const type = load<u8>(s, 1);
      if (type != REC_COMMIT) {
        const keyLen = <i32>load<u8>(s, 2);
        const valLen = <i32>load<u16>(s, 4);
        const k = s + REC_HEADER;
        if (load<u8>(s, 3) & RF_DELETED) this.removeKey(k, keyLen);
        else if (this.put(k, keyLen, type, k + keyLen, valLen) != ConfigError.Ok) count(Counter.ConfigCrcErrors);
      }
      p += n;
    }
    for (let i = 0; i < this.entries; i++) store<u8>(this.slot(i), 0, 17);
    this.appendOff = committedEnd;
    // Anything after the last commit (a torn record, an unfinished transaction) is never
    // written over: the next commit compacts into a fresh sector instead.
    this.needCompact = !clean || off != committedEnd;
  }

  // ---- RAM table -------------------------------------------------------------------------

  @inline private slot(i: i32): usize { return this.slots + <usize>(i * SLOT); }
  get count(): i32 { return this.entries; }
  keyPtr(i: i32): usize { return this.slot(i) + 1; }
  keyLen(i: i32): i32 { return <i32>load<u8>(this.slot(i)); }
  typeOf(i: i32): u8 { return load<u8>(this.slot(i), 16); }
  valuePtr(i: i32): usize { return this.arena + <usize>load<u16>(this.slot(i), 18); }
  valueLen(i: i32): i32 { return <i32>load<u16>(this.slot(i), 20); }
  isDeleted(i: i32): bool { return (load<u8>(this.slot(i), 17) & EF_DELETED) != 0; }
  isDirty(i: i32): bool { return (load<u8>(this.slot(i), 17) & EF_DIRTY) != 0; }
  get arenaBytesUsed(): i32 { return this.arenaUsed; }
  eraseCount(sector: i32): u32 { return sector >= 0 && sector < this.sectors ? load<u32>(this.eraseCounts + (<usize>sector << 2)) : 0; }

  /** Uncommitted changes (sets and unsets). */
  get pending(): i32 {
    let n = 0;
    for (let i = 0; i < this.entries; i++) if (this.isDirty(i)) n++;
    return n;
  }

  /** Index of a key (bytes) in the RAM table, deleted entries included; -1 if absent. */
  findBytes(key: usize, len: i32): i32 {
    for (let i = 0; i < this.entries; i++) {
      const sl = this.slot(i);
      if (<i32>load<u8>(sl) != len) continue;
      if (memory.compare(sl + 1, key, <usize>len) == 0) return i;
    }
    return -1;
  }

  @ascii findStr<K>(key: K): i32 {
    const len = textLength(key);
    for (let i = 0; i < this.entries; i++) {
      const sl = this.slot(i);
      if (<i32>load<u8>(sl) != len) continue;
      let j = 0;
      while (j < len && <u32>load<u8>(sl + 1 + j) == <u32>textCharAt(key, j)) j++;
      if (j == len) return i;
    }
    return -1;
  }

  /** Live (not deleted) entry for a key, or -1. */
  @ascii lookup<K>(key: K): i32 {
    const i = this.findStr(key);
    return i >= 0 && !this.isDeleted(i) ? i : -1;
  }

  /** Stores a raw value in RAM (not marked dirty). */
  private put(key: usize, keyLen: i32, type: i32, val: usize, valLen: i32): i32 {
    if (keyLen < 1 || keyLen > KEY_MAX) return ConfigError.BadValue;
    if (valLen < 0 || valLen > VALUE_MAX) return ConfigError.TooLong;
    let i = this.findBytes(key, keyLen);
    if (i < 0) {
      if (this.entries >= MAX_ENTRIES) return ConfigError.Full;
      if (this.arenaUsed + valLen > ARENA_BYTES) return ConfigError.Full;
      i = this.entries++;
      const sl = this.slot(i);
      store<u8>(sl, <u8>keyLen);
      memory.copy(sl + 1, key, <usize>keyLen);
      store<u16>(sl, <u16>this.arenaUsed, 18);
      store<u16>(sl, 0, 20);
    }
    const sl = this.slot(i);
    const off = <i32>load<u16>(sl, 18);
    const old = <i32>load<u16>(sl, 20);
    const delta = valLen - old;
    if (this.arenaUsed + delta > ARENA_BYTES) return ConfigError.Full;
    if (delta != 0) {
      // Values are packed in table order; shift everything after this one.
      const tail = off + old;
      memory.copy(this.arena + <usize>(tail + delta), this.arena + <usize>tail, <usize>(this.arenaUsed - tail));
      for (let j = 0; j < this.entries; j++) {
        const o = this.slot(j);
        const vo = <i32>load<u16>(o, 18);
        if (j != i && vo >= tail) store<u16>(o, <u16>(vo + delta), 18);
      }
      this.arenaUsed += delta;
    }
    memory.copy(this.arena + <usize>off, val, <usize>valLen);
    store<u16>(sl, <u16>valLen, 20);
    store<u8>(sl, <u8>type, 16);
    store<u8>(sl, load<u8>(sl, 17) & ~EF_DELETED, 17);
    return ConfigError.Ok;
  }

  private removeKey(key: usize, keyLen: i32): void {
    const i = this.findBytes(key, keyLen);
    if (i >= 0) this.removeAt(i);
  }

  private removeAt(i: i32): void {
    const sl = this.slot(i);
    const off = <i32>load<u16>(sl, 18);
    const len = <i32>load<u16>(sl, 20);
    const tail = off + len;
    memory.copy(this.arena + <usize>off, this.arena + <usize>tail, <usize>(this.arenaUsed - tail));
    this.arenaUsed -= len;
    for (let j = 0; j < this.entries; j++) {
      const o = this.slot(j);
      const vo = <i32>load<u16>(o, 18);
      if (vo >= tail) store<u16>(o, <u16>(vo - len), 18);
    }
    memory.copy(sl, sl + SLOT, <usize>((this.entries - i - 1) * SLOT));
    this.entries--;
  }

  // ---- typed API for the stack ------------------------------------------------------------

  /** Stages a raw typed value (checked against the schema when the key is known). */
  setRaw(key: usize, keyLen: i32, type: i32, val: usize, valLen: i32): i32 {
    if (this.sectors == 0) return ConfigError.NoStore;
    const d = schemaFind(key, keyLen);
    if (d >= 0 && unchecked(SCHEMA[d]).type != type) return ConfigError.WrongType;
    const r = this.put(key, keyLen, type, val, valLen);
    if (r != ConfigError.Ok) return r;
    const sl = this.slot(this.findBytes(key, keyLen));
    store<u8>(sl, load<u8>(sl, 17) | EF_DIRTY, 17);
    return ConfigError.Ok;
  }

  /** Stages the removal of a key (it then reads as its default). */
  unsetRaw(key: usize, keyLen: i32): i32 {
    const i = this.findBytes(key, keyLen);
    if (i < 0) return ConfigError.Ok;
    const sl = this.slot(i);
    // Free its value now; the slot stays as a tombstone until the commit.
    this.put(key, keyLen, load<u8>(sl, 16), 0, 0);
    store<u8>(sl, load<u8>(sl, 17) | EF_DIRTY | EF_DELETED, 17);
    return ConfigError.Ok;
  }

  private keyBuf<K>(key: K): usize {
    // Copies an ASCII key literal into the scratch tail (keys are <= 15 bytes).
    const p = this.scratch + <usize>(SCRATCH_BYTES - 16);
    const n = min(textLength(key), KEY_MAX);
    for (let i = 0; i < n; i++) store<u8>(p + i, <u8>textCharAt(key, i));
    return p;
  }

  @ascii setU32<K>(key: K, v: u32): i32 {
    const p = this.scratch + <usize>(SCRATCH_BYTES - 24);
    store<u32>(p, v);
    return this.setRaw(this.keyBuf(key), min(textLength(key), KEY_MAX + 1), VType.U32, p, 4);
  }
  @ascii setBool<K>(key: K, v: bool): i32 {
    const p = this.scratch + <usize>(SCRATCH_BYTES - 24);
    store<u8>(p, v ? 1 : 0);
    return this.setRaw(this.keyBuf(key), min(textLength(key), KEY_MAX + 1), VType.Bool, p, 1);
  }
  @ascii setIp<K>(key: K, v: u32): i32 {
    const p = this.scratch + <usize>(SCRATCH_BYTES - 24);
    store<u32>(p, v);
    return this.setRaw(this.keyBuf(key), min(textLength(key), KEY_MAX + 1), VType.Ip, p, 4);
  }
  @ascii setBytes<K>(key: K, ptr: usize, len: i32): i32 {
    return this.setRaw(this.keyBuf(key), min(textLength(key), KEY_MAX + 1), VType.Bytes, ptr, len);
  }
  @ascii setStr<K>(key: K, ptr: usize, len: i32): i32 {
    return this.setRaw(this.keyBuf(key), min(textLength(key), KEY_MAX + 1), VType.Str, ptr, len);
  }
  @ascii unset<K>(key: K): i32 { return this.unsetRaw(this.keyBuf(key), min(textLength(key), KEY_MAX + 1)); }

  /** u32/ipv4/bool value, or the schema default when unset. */
  @ascii getU32<K>(key: K): u32 {
    const i = this.lookup(key);
    if (i >= 0) {
      const t = this.typeOf(i);
      if ((t == VType.U32 || t == VType.Ip) && this.valueLen(i) == 4) return load<u32>(this.valuePtr(i));
      if (t == VType.Bool && this.valueLen(i) == 1) return load<u8>(this.valuePtr(i));
    }
    const d = schemaFind(this.keyBuf(key), textLength(key));
    return d >= 0 ? unchecked(SCHEMA[d]).def : 0;
  }
  @ascii getBool<K>(key: K): bool { return this.getU32(key) != 0; }
  @ascii getIp<K>(key: K): u32 { return this.getU32(key); }

  /** Copies a string/bytes value (or the default string) into out; returns its length, -1 if it does not fit. */
  @ascii getStr<K>(key: K, out: usize, cap: i32): i32 {
    const i = this.lookup(key);
    if (i >= 0) {
      const n = this.valueLen(i);
      if (n > cap) return -1;
      memory.copy(out, this.valuePtr(i), <usize>n);
      return n;
    }
    const d = schemaFind(this.keyBuf(key), textLength(key));
    if (d < 0) return 0;
    const s = unchecked(SCHEMA[d]).defStr;
    if (s.length > cap) return -1;
    memory.copy(out, s.ptr, <usize>s.length);
    return s.length;
  }

  // ---- persistence -----------------------------------------------------------------------

  private recordSize(i: i32): i32 {
    return align4(REC_HEADER + this.keyLen(i) + this.valueLen(i)) + 4;
  }

  /** Writes every staged change as one transaction. Returns Ok or a ConfigError. */
  commit(): i32 {
    if (this.sectors == 0) return this.lastError = ConfigError.NoStore;
    let size = REC_HEADER + 4;
    let dirty = 0;
    for (let i = 0; i < this.entries; i++) if (this.isDirty(i)) { size += this.recordSize(i); dirty++; }
    if (dirty == 0) return this.lastError = ConfigError.Ok;
    let r: i32;
    if (this.active >= 0 && !this.needCompact && this.appendOff + size <= this.sectorBytes) {
      r = this.appendTransaction();
    } else {
      r = this.compact();
    }
    if (r == ConfigError.Ok) { this.settle(); this.generation++; }
    return this.lastError = r;
  }

  private appendTransaction(): i32 {
    const base = this.active * this.sectorBytes;
    const t = ++this.txn;
    let off = this.appendOff;
    for (let i = 0; i < this.entries; i++) {
      if (!this.isDirty(i)) continue;
      const n = this.writeRecord(base + off, i, t);
      if (n < 0) { this.needCompact = true; return n; }
      off += n;
    }
    const n = this.writeCommit(base + off, t);
    if (n < 0) { this.needCompact = true; return n; }
    this.appendOff = off + n;
    return ConfigError.Ok;
  }

  /** Writes the whole current state into a fresh sector. */
  compact(): i32 {
    let size = SECTOR_HEADER + REC_HEADER + 4;
    for (let i = 0; i < this.entries; i++) if (!this.isDeleted(i)) size += this.recordSize(i);
    if (size > this.sectorBytes) return ConfigError.NoSpace;
    const target = this.pickTarget();
    const base = target * this.sectorBytes;
    const ec = this.eraseCount(target) + 1;
    store<u32>(this.eraseCounts + (<usize>target << 2), ec);
    if (flash_erase(FlashPartition.Config, base, this.sectorBytes) != 0) return ConfigError.Io;
    this.compactions++;
    const s = this.scratch;
    const seq = this.seq + 1;
    store<u32>(s, MAGIC);
    store<u16>(s, FORMAT, 4);
    store<u16>(s, SCHEMA_VERSION, 6);
    store<u32>(s, seq, 8);
    store<u32>(s, ec, 12);
    store<u32>(s, ~crc32Update(0xffffffff, s, 16), 16);
    if (!this.write(base, s, 20)) return ConfigError.Io;
    this.seq = seq;
    const t = ++this.txn;
    let off = SECTOR_HEADER;
    for (let i = 0; i < this.entries; i++) {
      if (this.isDeleted(i)) continue;
      const n = this.writeRecord(base + off, i, t);
      if (n < 0) return n;
      off += n;
    }
    const n = this.writeCommit(base + off, t);
    if (n < 0) return n;
    off += n;
    store<u32>(s, 0);
    if (!this.write(base + COMPLETE_OFF, s, 4)) return ConfigError.Io;
    this.active = target;
    this.appendOff = off;
    this.needCompact = false;
    this.storedSchema = SCHEMA_VERSION;
    return ConfigError.Ok;
  }

  /** The least-erased sector other than the active one; ties go to the next one after it. */
  private pickTarget(): i32 {
    let best = -1;
    let bestCount: u32 = 0;
    const start = this.active < 0 ? 0 : this.active + 1;
    for (let k = 0; k < this.sectors; k++) {
      const i = (start + k) % this.sectors;
      if (i == this.active) continue;
      const c = this.eraseCount(i);
      if (best < 0 || c < bestCount) { best = i; bestCount = c; }
    }
    return best;
  }

  private writeRecord(at: i32, i: i32, t: u32): i32 {
    const s = this.scratch;
    const keyLen = this.keyLen(i);
    const valLen = this.valueLen(i);
    const total = this.recordSize(i);
    memory.fill(s, 0, <usize>total);
    store<u8>(s, REC_MAGIC);
    store<u8>(s, this.typeOf(i), 1);
    store<u8>(s, <u8>keyLen, 2);
    store<u8>(s, this.isDeleted(i) ? RF_DELETED : 0, 3);
    store<u16>(s, <u16>valLen, 4);
    store<u32>(s, t, 8);
    memory.copy(s + REC_HEADER, this.keyPtr(i), <usize>keyLen);
    memory.copy(s + REC_HEADER + keyLen, this.valuePtr(i), <usize>valLen);
    store<u32>(s + total - 4, ~crc32Update(0xffffffff, s, total - 4));
    return this.write(at, s, total) ? total : ConfigError.Io;
  }

  private writeCommit(at: i32, t: u32): i32 {
    const s = this.scratch;
    memory.fill(s, 0, 16);
    store<u8>(s, REC_MAGIC);
    store<u8>(s, REC_COMMIT, 1);
    store<u32>(s, t, 8);
    store<u32>(s, ~crc32Update(0xffffffff, s, 12), 12);
    return this.write(at, s, 16) ? 16 : ConfigError.Io;
  }

  /** After a successful commit: drop tombstones, clear dirty flags. */
  private settle(): void {
    for (let i = this.entries - 1; i >= 0; i--) {
      if (this.isDeleted(i)) this.removeAt(i);
      else store<u8>(this.slot(i), 0, 17);
    }
  }

  /** Discards staged changes by reloading the committed state from flash. */
  revert(): i32 { return this.init(); }

  /** Factory reset: atomically replaces the store with an empty one (everything reads as default). */
  factoryReset(): i32 {
    if (this.sectors == 0) return ConfigError.NoStore;
    this.entries = 0;
    this.arenaUsed = 0;
    const r = this.compact();
    return this.lastError = r;
  }

  private read(off: i32, buf: usize, len: i32): bool {
    return flash_read(FlashPartition.Config, off, buf, len) == 0;
  }

  private write(off: i32, buf: usize, len: i32): bool {
    if (flash_write(FlashPartition.Config, off, buf, len) != 0) return false;
    this.bytesWritten += <u32>len;
    return true;
  }
}

/** Is this schema key internal (written by the stack, not settable from the console)? */
export function isInternalDef(d: KeyDef): bool { return (d.flags & FLAG_INTERNAL) != 0; }

export const configStore = new ConfigStore();
