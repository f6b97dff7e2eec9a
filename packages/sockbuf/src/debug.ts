/**
 * The debug layer (liblber `ber_sockbuf_io_debug`): passes every read and
 * write through and, when the Sockbuf's debug level has LDAP_DEBUG_PACKETS,
 * logs liblber's exact lines to the log sink (`lberOptions.logPrint`):
 *
 *   `<prefix>read: want=<len>, got=<n>` + a `ber_bprint` hex dump of the bytes
 *   `<prefix>read: want=<len> error=<strerror>` on would-block or error
 *   `<prefix>write: want=<len>, written=<n>` + hex dump / `... error=...`
 *
 * The prefix is the `add_io` argument ("sockbuf_" when null). The argument
 * may instead be `{ prefix, secrets }`: then the bytes of every secret (a
 * bind password, SASL credentials) are shown as `*` in the dumps, which
 * liblber's layer does not do. With the level off, the layer costs one bit
 * test per call.
 */
import { SOCKBUF_STRERROR, SockbufError } from './errors.js';
import { LDAP_DEBUG_PACKETS, berPvtLogPrintf } from './log.js';
import { berLogBprint } from './bprint.js';
import type { SockbufIO, SockbufIODesc } from './sockbuf.js';

/** Prefix used when the layer is added with a null argument. */
export const SB_DEBUG_DEFAULT_PREFIX = 'sockbuf_';

/** berPvtLogPrintf cuts long messages as liblber's formatting buffer does. */
function logLine(level: number, message: string): void {
  berPvtLogPrintf(LDAP_DEBUG_PACKETS, level, message);
}

function errorText(err: unknown): string {
  return err instanceof SockbufError ? SOCKBUF_STRERROR[err.code] : 'Unknown error';
}

/** The debug layer's argument in its long form. */
export interface DebugLayerOptions {
  /** The line prefix ("sockbuf_" when absent). */
  prefix?: string;
  /**
   * Byte strings never to show in a dump; read at each call, so a secret
   * learnt later (a password typed at a prompt) can be pushed onto the array.
   */
  secrets?: readonly Uint8Array[];
}

/** What the layer keeps: the prefix and the secrets to mask. */
interface DebugState {
  prefix: string;
  secrets: readonly Uint8Array[];
}

const NO_SECRETS: readonly Uint8Array[] = [];

/** The bytes `buf[start, end)` with every secret masked by `*` (copied only when one occurs). */
export function maskSecrets(buf: Buffer, start: number, end: number, secrets: readonly Uint8Array[]): Buffer {
  let view = buf.subarray(start, end);
  let copied = false;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    let at = view.indexOf(secret);
    while (at !== -1) {
      if (!copied) {
        view = Buffer.from(view);
        copied = true;
      }
      view.fill(0x2a, at, at + secret.length);
      at = view.indexOf(secret, at + secret.length);
    }
  }
  return view;
}

function report(sbiod: SockbufIODesc<DebugState>, what: 'read' | 'write', len: number, ret: number, buf: Buffer, off: number): void {
  const level = sbiod.sb.debug;
  const prefix = sbiod.pvt?.prefix ?? '';
  if (ret < 0) {
    logLine(level, `${prefix}${what}: want=${len} error=${SOCKBUF_STRERROR.EWOULDBLOCK}\n`);
  } else {
    logLine(level, `${prefix}${what}: want=${len}, ${what === 'read' ? 'got' : 'written'}=${ret}\n`);
    const secrets = sbiod.pvt?.secrets ?? NO_SECRETS;
    if (secrets.length === 0) berLogBprint(LDAP_DEBUG_PACKETS, level, buf, off, off + ret);
    else {
      const shown = maskSecrets(buf, off, off + ret, secrets);
      berLogBprint(LDAP_DEBUG_PACKETS, level, shown, 0, shown.length);
    }
  }
}

function reportError(sbiod: SockbufIODesc<DebugState>, what: 'read' | 'write', len: number, err: unknown): void {
  logLine(sbiod.sb.debug, `${sbiod.pvt?.prefix ?? ''}${what}: want=${len} error=${errorText(err)}\n`);
}

/**
 * The debug layer. `add_io` argument: the line prefix (null: "sockbuf_"),
 * or {@link DebugLayerOptions} to mask secrets in the dumps as well.
 * @see ber_sockbuf_io_debug
 */
export const sockbufIoDebug: SockbufIO<DebugState, string | DebugLayerOptions> = {
  name: 'debug',
  setup(sbiod, arg) {
    sbiod.pvt =
      typeof arg === 'string' || arg === null || arg === undefined
        ? { prefix: arg ?? SB_DEBUG_DEFAULT_PREFIX, secrets: NO_SECRETS }
        : { prefix: arg.prefix ?? SB_DEBUG_DEFAULT_PREFIX, secrets: arg.secrets ?? NO_SECRETS };
    return 0;
  },
  remove(sbiod) {
    sbiod.pvt = null;
    return 0;
  },
  ctrl(sbiod, opt, arg) {
    return sbiod.ctrlNext(opt, arg);
  },
  read(sbiod, buf, off, len) {
    if ((sbiod.sb.debug & LDAP_DEBUG_PACKETS) === 0) return sbiod.readNext(buf, off, len);
    let ret: number;
    try {
      ret = sbiod.readNext(buf, off, len);
    } catch (err) {
      reportError(sbiod, 'read', len, err);
      throw err;
    }
    report(sbiod, 'read', len, ret, buf, off);
    return ret;
  },
  write(sbiod, buf, off, len) {
    if ((sbiod.sb.debug & LDAP_DEBUG_PACKETS) === 0) return sbiod.writeNext(buf, off, len);
    let ret: number;
    try {
      ret = sbiod.writeNext(buf, off, len);
    } catch (err) {
      reportError(sbiod, 'write', len, err);
      throw err;
    }
    report(sbiod, 'write', len, ret, buf, off);
    return ret;
  },
};

export { sockbufIoDebug as ber_sockbuf_io_debug };
