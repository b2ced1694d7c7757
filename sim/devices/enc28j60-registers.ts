// ENC28J60 register map, as tabulated in the datasheet (DS39662E, Table 3-1 and 3-2, and
// the PHY registers of Table 3-3). One line per register: bank, address, name, value after
// reset, which bits the host may write, and its kind: "eth" registers answer an RCR with
// one data byte and accept BFS/BFC; "mac" and "mii" registers answer after a dummy byte
// (DS39662E 4.2.1) and take only WCR.

export type RegisterKind = "eth" | "mac" | "mii";

export interface RegisterDef {
  /** 0..3, or -1 for the five registers present in every bank (0x1B..0x1F). */
  bank: number;
  addr: number;
  name: string;
  reset: number;
  /** Bits a WCR/BFS/BFC may change. 0 = read-only register. */
  writable: number;
  /** Bits the host may only clear (R/C in the datasheet). */
  clearOnly?: number;
  kind: RegisterKind;
}

const eth = (bank: number, addr: number, name: string, reset: number, writable: number, clearOnly = 0): RegisterDef =>
  ({ bank, addr, name, reset, writable, clearOnly, kind: "eth" });
const mac = (bank: number, addr: number, name: string, reset: number, writable: number): RegisterDef =>
  ({ bank, addr, name, reset, writable, kind: "mac" });
const mii = (bank: number, addr: number, name: string, reset: number, writable: number): RegisterDef =>
  ({ bank, addr, name, reset, writable, kind: "mii" });

export const REGISTERS: readonly RegisterDef[] = [
  // Common to all banks.
  eth(-1, 0x1b, "EIE", 0x00, 0xfb),
  eth(-1, 0x1c, "EIR", 0x00, 0x00, 0x2b),     // PKTIF, LINKIF read-only; DMAIF/TXIF/TXERIF/RXERIF R/C
  eth(-1, 0x1d, "ESTAT", 0x00, 0x00, 0x42),   // BUFER, TXABRT R/C; CLKRDY, INT, LATECOL, RXBUSY read-only
  eth(-1, 0x1e, "ECON2", 0x80, 0xe8),
  eth(-1, 0x1f, "ECON1", 0x00, 0xff),
  // Bank 0: buffer pointers.
  eth(0, 0x00, "ERDPTL", 0xfa, 0xff), eth(0, 0x01, "ERDPTH", 0x05, 0x1f),
  eth(0, 0x02, "EWRPTL", 0x00, 0xff), eth(0, 0x03, "EWRPTH", 0x00, 0x1f),
  eth(0, 0x04, "ETXSTL", 0x00, 0xff), eth(0, 0x05, "ETXSTH", 0x00, 0x1f),
  eth(0, 0x06, "ETXNDL", 0x00, 0xff), eth(0, 0x07, "ETXNDH", 0x00, 0x1f),
  eth(0, 0x08, "ERXSTL", 0xfa, 0xff), eth(0, 0x09, "ERXSTH", 0x05, 0x1f),
  eth(0, 0x0a, "ERXNDL", 0xff, 0xff), eth(0, 0x0b, "ERXNDH", 0x1f, 0x1f),
  eth(0, 0x0c, "ERXRDPTL", 0xfa, 0xff), eth(0, 0x0d, "ERXRDPTH", 0x05, 0x1f),
  eth(0, 0x0e, "ERXWRPTL", 0x00, 0x00), eth(0, 0x0f, "ERXWRPTH", 0x00, 0x00),
  eth(0, 0x10, "EDMASTL", 0x00, 0xff), eth(0, 0x11, "EDMASTH", 0x00, 0x1f),
  eth(0, 0x12, "EDMANDL", 0x00, 0xff), eth(0, 0x13, "EDMANDH", 0x00, 0x1f),
  eth(0, 0x14, "EDMADSTL", 0x00, 0xff), eth(0, 0x15, "EDMADSTH", 0x00, 0x1f),
  eth(0, 0x16, "EDMACSL", 0x00, 0x00), eth(0, 0x17, "EDMACSH", 0x00, 0x00),
  // Bank 1: filters and the packet counter.
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => eth(1, i, `EHT${i}`, 0x00, 0xff)),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => eth(1, 8 + i, `EPMM${i}`, 0x00, 0xff)),
  eth(1, 0x10, "EPMCSL", 0x00, 0xff), eth(1, 0x11, "EPMCSH", 0x00, 0xff),
  eth(1, 0x14, "EPMOL", 0x00, 0xff), eth(1, 0x15, "EPMOH", 0x00, 0x1f),
  eth(1, 0x18, "ERXFCON", 0xa1, 0xff),
  eth(1, 0x19, "EPKTCNT", 0x00, 0x00),
  // Bank 2: MAC and MII.
  mac(2, 0x00, "MACON1", 0x00, 0x0f),
  mac(2, 0x02, "MACON3", 0x00, 0xff),
  mac(2, 0x03, "MACON4", 0x00, 0x70),
  mac(2, 0x04, "MABBIPG", 0x00, 0x7f),
  mac(2, 0x06, "MAIPGL", 0x00, 0x7f),
  mac(2, 0x07, "MAIPGH", 0x00, 0x7f),
  mac(2, 0x08, "MACLCON1", 0x0f, 0x0f),
  mac(2, 0x09, "MACLCON2", 0x37, 0x3f),
  mac(2, 0x0a, "MAMXFLL", 0x00, 0xff), mac(2, 0x0b, "MAMXFLH", 0x06, 0xff),
  mii(2, 0x12, "MICMD", 0x00, 0x03),
  mii(2, 0x14, "MIREGADR", 0x00, 0x1f),
  mii(2, 0x16, "MIWRL", 0x00, 0xff), mii(2, 0x17, "MIWRH", 0x00, 0xff),
  mii(2, 0x18, "MIRDL", 0x00, 0x00), mii(2, 0x19, "MIRDH", 0x00, 0x00),
  // Bank 3: station address (MAADR1 is the first byte on the wire), MII status, revision.
  mac(3, 0x00, "MAADR5", 0x00, 0xff), mac(3, 0x01, "MAADR6", 0x00, 0xff),
  mac(3, 0x02, "MAADR3", 0x00, 0xff), mac(3, 0x03, "MAADR4", 0x00, 0xff),
  mac(3, 0x04, "MAADR1", 0x00, 0xff), mac(3, 0x05, "MAADR2", 0x00, 0xff),
  eth(3, 0x06, "EBSTSD", 0x00, 0xff), eth(3, 0x07, "EBSTCON", 0x00, 0xff),
  eth(3, 0x08, "EBSTCSL", 0x00, 0x00), eth(3, 0x09, "EBSTCSH", 0x00, 0x00),
  mii(3, 0x0a, "MISTAT", 0x00, 0x00),
  eth(3, 0x12, "EREVID", 0x00, 0x00),
  eth(3, 0x15, "ECOCON", 0x04, 0x07),
  eth(3, 0x17, "EFLOCON", 0x00, 0x03),
  eth(3, 0x18, "EPAUSL", 0x00, 0xff), eth(3, 0x19, "EPAUSH", 0x10, 0xff),
];

// Bits (DS39662E registers 12-1..12-3, 3-1, 6-1..6-4, 7-1, 8-1).
export const EIE = { INTIE: 0x80, PKTIE: 0x40, DMAIE: 0x20, LINKIE: 0x10, TXIE: 0x08, TXERIE: 0x02, RXERIE: 0x01 };
export const EIR = { PKTIF: 0x40, DMAIF: 0x20, LINKIF: 0x10, TXIF: 0x08, TXERIF: 0x02, RXERIF: 0x01 };
export const ESTAT = { INT: 0x80, BUFER: 0x40, LATECOL: 0x10, RXBUSY: 0x04, TXABRT: 0x02, CLKRDY: 0x01 };
export const ECON2 = { AUTOINC: 0x80, PKTDEC: 0x40, PWRSV: 0x20, VRPS: 0x08 };
export const ECON1 = { TXRST: 0x80, RXRST: 0x40, DMAST: 0x20, CSUMEN: 0x10, TXRTS: 0x08, RXEN: 0x04, BSEL: 0x03 };
export const ERXFCON = { UCEN: 0x80, ANDOR: 0x40, CRCEN: 0x20, PMEN: 0x10, MPEN: 0x08, HTEN: 0x04, MCEN: 0x02, BCEN: 0x01 };
export const MACON1 = { TXPAUS: 0x08, RXPAUS: 0x04, PASSALL: 0x02, MARXEN: 0x01 };
export const MACON3 = { PADCFG: 0xe0, TXCRCEN: 0x10, PHDREN: 0x08, HFRMEN: 0x04, FRMLNEN: 0x02, FULDPX: 0x01 };
export const MICMD = { MIISCAN: 0x02, MIIRD: 0x01 };
export const MISTAT = { NVALID: 0x04, SCAN: 0x02, BUSY: 0x01 };

/** SPI opcodes (DS39662E Table 4-1): the top three bits; RBM/WBM/SRC also fix the argument. */
export const OP = { RCR: 0, RBM: 1, WCR: 2, WBM: 3, BFS: 4, BFC: 5, SRC: 7 };
export const OPCODE_RBM = 0x3a, OPCODE_WBM = 0x7a, OPCODE_SRC = 0xff;

/** PHY registers (DS39662E Table 3-3), reached through MIREGADR/MICMD/MIWR/MIRD. */
export interface PhyRegisterDef { addr: number; name: string; reset: number; writable: number }
export const PHY_REGISTERS: readonly PhyRegisterDef[] = [
  { addr: 0x00, name: "PHCON1", reset: 0x0000, writable: 0xc900 },
  { addr: 0x01, name: "PHSTAT1", reset: 0x1800, writable: 0 },
  { addr: 0x02, name: "PHID1", reset: 0x0083, writable: 0 },
  { addr: 0x03, name: "PHID2", reset: 0x1400, writable: 0 },
  { addr: 0x10, name: "PHCON2", reset: 0x0000, writable: 0x6500 },
  { addr: 0x11, name: "PHSTAT2", reset: 0x0000, writable: 0 },
  { addr: 0x12, name: "PHIE", reset: 0x0000, writable: 0x0012 },
  { addr: 0x13, name: "PHIR", reset: 0x0000, writable: 0 },
  { addr: 0x14, name: "PHLCON", reset: 0x3422, writable: 0x0ffe },
];
export const PHCON1 = { PRST: 0x8000, PLOOPBK: 0x4000, PPWRSV: 0x0800, PDPXMD: 0x0100 };
export const PHSTAT1 = { PFDPX: 0x1000, PHDPX: 0x0800, LLSTAT: 0x0004, JBSTAT: 0x0002 };
export const PHSTAT2 = { TXSTAT: 0x2000, RXSTAT: 0x1000, COLSTAT: 0x0800, LSTAT: 0x0400, DPXSTAT: 0x0200, PLRITY: 0x0020 };
export const PHIE = { PLNKIE: 0x0010, PGEIE: 0x0002 };
export const PHIR = { PLNKIF: 0x0010, PGIF: 0x0004 };

/** EREVID by silicon revision (errata DS80349). */
export const REVISION_ID = { B1: 0x02, B4: 0x04, B5: 0x05, B7: 0x06 } as const;
