/**
 * liblber's process-wide logging state (options.c `ber_int_options`,
 * bprint.c `ber_pvt_log_print`) and the printf-style entry point every
 * module logs through.
 *
 * This is the one deliberate global in the port: liblber's debug level and
 * log sink are global (`ber_set_option(NULL, LBER_OPT_DEBUG_LEVEL, ...)`),
 * a new Sockbuf or BerElement copies the level when it is allocated, and the
 * vectors record that inheritance. Everything else is per Sockbuf / per
 * BerElement.
 */

/** liblber debug bits (ldap_log.h). */
export const LDAP_DEBUG_TRACE = 0x0001;
export const LDAP_DEBUG_PACKETS = 0x0002;
export const LDAP_DEBUG_ARGS = 0x0004;
export const LDAP_DEBUG_CONNS = 0x0008;
export const LDAP_DEBUG_BER = 0x0010;
export const LDAP_DEBUG_ANY = -1;

/** Receives one log message, as liblber's `BER_LOG_PRINT_FN` does. */
export type LogPrintFn = (message: string) => void;

/** The global options: `ber_int_options.lbo_debug` and `ber_pvt_log_print`. */
export interface LberGlobalOptions {
  /** Debug level new Sockbufs and BerElements inherit (LBER_OPT_DEBUG_LEVEL). */
  debug: number;
  /** Where log messages go (LBER_OPT_LOG_PRINT_FN); stderr by default. */
  logPrint: LogPrintFn;
}

/**
 * The default log sink: writes the message to stderr as it is.
 * @see ber_error_print
 */
export function berErrorPrint(message: string): void {
  process.stderr.write(message);
}
export { berErrorPrint as ber_error_print };

export const lberOptions: LberGlobalOptions = {
  debug: 0,
  logPrint: berErrorPrint,
};

/**
 * liblber formats into a 1024-byte buffer with `vsnprintf(buf, sizeof(buf)-1,
 * ...)`, so a message keeps at most 1022 characters (log.json
 * trace.scanf.0008 pins it).
 */
const LOG_BUFFER_CHARS = 1022;

/** `ber_log_check`: is `errlvl` enabled in `loglvl`? */
export function berLogCheck(errlvl: number, loglvl: number): boolean {
  return (errlvl & loglvl) !== 0;
}
export { berLogCheck as ber_log_check };

/**
 * Emits an already formatted message when `errlvl` is enabled in `loglvl`.
 * Returns 1 when it printed, 0 when it did not.
 * @see ber_pvt_log_printf
 */
export function berPvtLogPrintf(errlvl: number, loglvl: number, message: string): number {
  if (!berLogCheck(errlvl, loglvl)) return 0;
  lberOptions.logPrint(message.length > LOG_BUFFER_CHARS ? message.slice(0, LOG_BUFFER_CHARS) : message);
  return 1;
}
export { berPvtLogPrintf as ber_pvt_log_printf };
