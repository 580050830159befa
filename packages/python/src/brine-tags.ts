/**
 * Brine's tag bytes (RPyC `rpyc/core/brine.py`): one byte per value kind, then its payload,
 * big-endian. Small ints -48..159 are the single byte `value + 0x50`.
 */
export const Tag = Object.freeze({
  NONE: 0x00,
  EMPTY_BYTES: 0x01,
  EMPTY_TUPLE: 0x02,
  TRUE: 0x03,
  FALSE: 0x04,
  NOT_IMPLEMENTED: 0x05,
  ELLIPSIS: 0x06,
  STR: 0x08,
  BYTES1: 0x0a,
  BYTES4: 0x0d,
  BYTES_L1: 0x0e,
  BYTES_L4: 0x0f,
  TUP1: 0x10,
  TUP4: 0x13,
  TUP_L1: 0x14,
  TUP_L4: 0x15,
  INT_L1: 0x16,
  INT_L4: 0x17,
  FLOAT: 0x18,
  SLICE: 0x19,
  FROZENSET: 0x1a,
  COMPLEX: 0x1b,
});

/** Smallest int encoded as one byte. */
export const IMM_INT_MIN = -0x30;
/** Largest int encoded as one byte. */
export const IMM_INT_MAX = 0x9f;
/** Offset of the one-byte ints: tag = value + 0x50. */
export const IMM_INT_BIAS = 0x50;
