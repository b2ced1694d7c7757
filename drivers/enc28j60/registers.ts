// ENC28J60 control registers and bits (DS39662E Table 3-1/3-2, Table 3-3 for the PHY).
// A register constant packs: bits 0-4 the address, bits 5-6 the bank, bit 7 set for MAC/MII
// registers (their RCR answer follows a dummy byte, DS39662E 4.2.1), bit 8 set for the five
// registers present in every bank (0x1B..0x1F).

// @ts-ignore: decorator
@inline export const REG_ADDR_MASK: i32 = 0x1f;
// @ts-ignore: decorator
@inline export const REG_MAC_MII: i32 = 0x80;
// @ts-ignore: decorator
@inline export const REG_COMMON: i32 = 0x100;

export enum Reg {
  // Common
  EIE = REG_COMMON | 0x1b, EIR = REG_COMMON | 0x1c, ESTAT = REG_COMMON | 0x1d,
  ECON2 = REG_COMMON | 0x1e, ECON1 = REG_COMMON | 0x1f,
  // Bank 0
  ERDPTL = 0x00, ERDPTH = 0x01, EWRPTL = 0x02, EWRPTH = 0x03, ETXSTL = 0x04, ETXSTH = 0x05,
  ETXNDL = 0x06, ETXNDH = 0x07, ERXSTL = 0x08, ERXSTH = 0x09, ERXNDL = 0x0a, ERXNDH = 0x0b,
  ERXRDPTL = 0x0c, ERXRDPTH = 0x0d, ERXWRPTL = 0x0e, ERXWRPTH = 0x0f,
  // Bank 1
  ERXFCON = (1 << 5) | 0x18, EPKTCNT = (1 << 5) | 0x19,
  // Bank 2
  MACON1 = REG_MAC_MII | (2 << 5) | 0x00, MACON3 = REG_MAC_MII | (2 << 5) | 0x02, MACON4 = REG_MAC_MII | (2 << 5) | 0x03,
  MABBIPG = REG_MAC_MII | (2 << 5) | 0x04, MAIPGL = REG_MAC_MII | (2 << 5) | 0x06, MAIPGH = REG_MAC_MII | (2 << 5) | 0x07,
  MAMXFLL = REG_MAC_MII | (2 << 5) | 0x0a, MAMXFLH = REG_MAC_MII | (2 << 5) | 0x0b,
  MICMD = REG_MAC_MII | (2 << 5) | 0x12, MIREGADR = REG_MAC_MII | (2 << 5) | 0x14,
  MIWRL = REG_MAC_MII | (2 << 5) | 0x16, MIWRH = REG_MAC_MII | (2 << 5) | 0x17,
  MIRDL = REG_MAC_MII | (2 << 5) | 0x18, MIRDH = REG_MAC_MII | (2 << 5) | 0x19,
  // Bank 3 (MAADR1 is the first address byte on the wire)
  MAADR5 = REG_MAC_MII | (3 << 5) | 0x00, MAADR6 = REG_MAC_MII | (3 << 5) | 0x01,
  MAADR3 = REG_MAC_MII | (3 << 5) | 0x02, MAADR4 = REG_MAC_MII | (3 << 5) | 0x03,
  MAADR1 = REG_MAC_MII | (3 << 5) | 0x04, MAADR2 = REG_MAC_MII | (3 << 5) | 0x05,
  MISTAT = REG_MAC_MII | (3 << 5) | 0x0a, EREVID = (3 << 5) | 0x12,
}

export enum Phy { PHCON1 = 0x00, PHSTAT1 = 0x01, PHCON2 = 0x10, PHSTAT2 = 0x11, PHIE = 0x12, PHIR = 0x13, PHLCON = 0x14 }

export namespace Bit {
  // EIE / EIR
  export const INTIE: i32 = 0x80, PKTIE: i32 = 0x40, LINKIE: i32 = 0x10, TXIE: i32 = 0x08, TXERIE: i32 = 0x02, RXERIE: i32 = 0x01;
  export const PKTIF: i32 = 0x40, LINKIF: i32 = 0x10, TXIF: i32 = 0x08, TXERIF: i32 = 0x02, RXERIF: i32 = 0x01;
  // ESTAT
  export const CLKRDY: i32 = 0x01, TXABRT: i32 = 0x02;
  // ECON1 / ECON2
  export const TXRST: i32 = 0x80, RXRST: i32 = 0x40, TXRTS: i32 = 0x08, RXEN: i32 = 0x04, BSEL: i32 = 0x03;
  export const AUTOINC: i32 = 0x80, PKTDEC: i32 = 0x40;
  // ERXFCON
  export const UCEN: i32 = 0x80, CRCEN: i32 = 0x20, MCEN: i32 = 0x02, BCEN: i32 = 0x01;
  // MACON1 / MACON3 / MACON4
  export const TXPAUS: i32 = 0x08, RXPAUS: i32 = 0x04, MARXEN: i32 = 0x01;
  export const PADCFG0: i32 = 0x20, TXCRCEN: i32 = 0x10, FRMLNEN: i32 = 0x02, FULDPX: i32 = 0x01;
  export const DEFER: i32 = 0x40;
  // MICMD / MISTAT
  export const MIIRD: i32 = 0x01, BUSY: i32 = 0x01;
  // PHY
  export const PDPXMD: i32 = 0x0100, HDLDIS: i32 = 0x0100, LSTAT: i32 = 0x0400, PLNKIE: i32 = 0x0010, PGEIE: i32 = 0x0002;
}

// SPI opcodes (DS39662E Table 4-1).
export namespace Op {
  export const RCR: u8 = 0x00, WCR: u8 = 0x40, BFS: u8 = 0x80, BFC: u8 = 0xa0;
  export const RBM: u8 = 0x3a, WBM: u8 = 0x7a, SRC: u8 = 0xff;
}

// Receive status vector (DS39662E Table 7-3), byte 4 of the 6-byte packet header holds bits 16-23.
// @ts-ignore: decorator
@inline export const RSV_RECEIVED_OK: i32 = 0x80; // bit 23
// Transmit status vector (Table 7-1), byte 3 holds bits 24-31.
// @ts-ignore: decorator
@inline export const TSV_LATE_COLLISION: i32 = 0x20; // bit 29
