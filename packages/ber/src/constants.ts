/**
 * lber.h constants. Tags are `bigint` because liblber's `ber_tag_t` is a
 * 64-bit unsigned integer holding the raw identifier octets big-endian
 * (`[APPLICATION 3]` constructed is 0x63n; context tag 31 primitive is
 * 0x9f1fn), and LBER_DEFAULT is all ones.
 */
export type BerTag = bigint;

export const LBER_CLASS_UNIVERSAL: BerTag = 0x00n;
export const LBER_CLASS_APPLICATION: BerTag = 0x40n;
export const LBER_CLASS_CONTEXT: BerTag = 0x80n;
export const LBER_CLASS_PRIVATE: BerTag = 0xc0n;
export const LBER_CLASS_MASK: BerTag = 0xc0n;
export const LBER_PRIMITIVE: BerTag = 0x00n;
export const LBER_CONSTRUCTED: BerTag = 0x20n;
export const LBER_ENCODING_MASK: BerTag = 0x20n;
export const LBER_BIG_TAG_MASK: BerTag = 0x1fn;
export const LBER_MORE_TAG_MASK: BerTag = 0x80n;

/** `(ber_tag_t) -1`: "no tag" / failure. */
export const LBER_DEFAULT: BerTag = 0xffff_ffff_ffff_ffffn;
export const LBER_ERROR: BerTag = LBER_DEFAULT;

export const LBER_BOOLEAN: BerTag = 0x01n;
export const LBER_INTEGER: BerTag = 0x02n;
export const LBER_BITSTRING: BerTag = 0x03n;
export const LBER_OCTETSTRING: BerTag = 0x04n;
export const LBER_NULL: BerTag = 0x05n;
export const LBER_ENUMERATED: BerTag = 0x0an;
export const LBER_SEQUENCE: BerTag = 0x30n;
export const LBER_SET: BerTag = 0x31n;

/** BerElement option bit: minimal (DER) lengths for sequences and sets. */
export const LBER_USE_DER = 0x01;

/** ber_set_option / ber_get_option option numbers. */
export const LBER_OPT_BER_OPTIONS = 0x01;
export const LBER_OPT_BER_DEBUG = 0x02;
export const LBER_OPT_BER_REMAINING_BYTES = 0x03;
export const LBER_OPT_BER_TOTAL_BYTES = 0x04;
export const LBER_OPT_BER_BYTES_TO_WRITE = 0x05;
export const LBER_OPT_BER_MEMCTX = 0x06;
export const LBER_OPT_DEBUG_LEVEL = LBER_OPT_BER_DEBUG;
export const LBER_OPT_REMAINING_BYTES = LBER_OPT_BER_REMAINING_BYTES;
export const LBER_OPT_TOTAL_BYTES = LBER_OPT_BER_TOTAL_BYTES;
export const LBER_OPT_BYTES_TO_WRITE = LBER_OPT_BER_BYTES_TO_WRITE;
export const LBER_OPT_LOG_PRINT_FN = 0x8001;
export const LBER_OPT_MEMORY_FNS = 0x8002;
export const LBER_OPT_ERROR_FN = 0x8003;
export const LBER_OPT_LOG_PRINT_FILE = 0x8004;
export const LBER_OPT_MEMORY_INUSE = 0x8005;
export const LBER_OPT_LOG_PROC = 0x8006;
export const LBER_OPT_SUCCESS = 0;
export const LBER_OPT_ERROR = -1;

/** ber_get_stringbv flags. */
export const LBER_BV_ALLOC = 0x01;
export const LBER_BV_NOTERM = 0x02;
export const LBER_BV_STRING = 0x04;

/** ber_flush2 `freeit` values. */
export const LBER_FLUSH_FREE_NEVER = 0x0;
export const LBER_FLUSH_FREE_ON_SUCCESS = 0x1;
export const LBER_FLUSH_FREE_ON_ERROR = 0x2;
export const LBER_FLUSH_FREE_ALWAYS = 0x3;
