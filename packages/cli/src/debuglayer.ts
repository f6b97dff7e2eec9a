/**
 * The `-d` debug layer of the CLI: liblber's debug layer (the same
 * `<prefix>read: want=N, got=N` and `<prefix>write: want=N, written=N`
 * lines and `ber_bprint` hex dumps, through liblber's log sink) with one
 * difference: the bytes of any secret the tool was given (the bind
 * password, SASL credentials, ldappasswd's passwords) are shown as `*` in
 * the dump. OpenLDAP's `ldapsearch -d` prints the bind password in clear.
 *
 * It replaces libldap's "ldap_" layer at the top of the stack, where the
 * plaintext PDUs pass; the "tls_" layer under TLS sees only ciphertext.
 */
import { LDAP_DEBUG_PACKETS, SOCKBUF_STRERROR, SockbufError, berLogBprint, berPvtLogPrintf } from '@lber/sockbuf';
import type { SockbufIO, SockbufIODesc } from '@lber/sockbuf';

/** What the layer is set up with. */
export interface RedactingDebugArg {
  /** The line prefix (libldap's top layer uses "ldap_"). */
  prefix: string;
  /** Byte strings never to show. */
  secrets: readonly Uint8Array[];
}

/** The bytes to dump: `buf[start, end)`, with every secret masked (a copy only when one occurs). */
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

function report(sbiod: SockbufIODesc<RedactingDebugArg>, what: 'read' | 'write', len: number, ret: number, buf: Buffer, off: number): void {
  const level = sbiod.sb.debug;
  const pvt = sbiod.pvt;
  const prefix = pvt?.prefix ?? '';
  if (ret < 0) {
    berPvtLogPrintf(LDAP_DEBUG_PACKETS, level, `${prefix}${what}: want=${len} error=${SOCKBUF_STRERROR.EWOULDBLOCK}\n`);
    return;
  }
  berPvtLogPrintf(LDAP_DEBUG_PACKETS, level, `${prefix}${what}: want=${len}, ${what === 'read' ? 'got' : 'written'}=${ret}\n`);
  const shown = maskSecrets(buf, off, off + ret, pvt?.secrets ?? []);
  berLogBprint(LDAP_DEBUG_PACKETS, level, shown, 0, shown.length);
}

function reportError(sbiod: SockbufIODesc<RedactingDebugArg>, what: 'read' | 'write', len: number, err: unknown): void {
  const text = err instanceof SockbufError ? SOCKBUF_STRERROR[err.code] : 'Unknown error';
  berPvtLogPrintf(LDAP_DEBUG_PACKETS, sbiod.sb.debug, `${sbiod.pvt?.prefix ?? ''}${what}: want=${len} error=${text}\n`);
}

/**
 * The redacting debug layer. Its argument is `{ prefix, secrets }`; the
 * secrets array is read at each call, so secrets learnt later (a password
 * typed at a prompt) can be pushed onto it.
 *
 * @see ber_sockbuf_io_debug
 */
export const sockbufIoDebugRedacting: SockbufIO<RedactingDebugArg, RedactingDebugArg> = {
  name: 'debug',
  setup(sbiod, arg) {
    sbiod.pvt = arg ?? { prefix: 'sockbuf_', secrets: [] };
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
