/**
 * Cancel (RFC 3909): like Abandon, but the server answers both the
 * cancelled operation (resultCode canceled, 118) and the Cancel itself
 * (success, or noSuchOperation 119, tooLate 120, cannotCancel 121), so the
 * caller knows when the operation is really over.
 */
import { BerTags } from '@lber/ber';
import type { ExtendedOptions, ExtendedResult } from '../client/ops/extended.js';
import { checkMaxInt, checkReadInt, decodeValue, encodeValue } from '../controls/ber.js';
import { LdapProtocolError } from '../protocol/errors.js';
import { defineExtendedOperation, runExtended, type ExtendedClient } from './operation.js';

/** LDAP_EXOP_CANCEL */
export const CANCEL_OID = '1.3.6.1.1.8';

/**
 * Cancel. The response has neither name nor value.
 *
 * ```asn1
 * cancelRequestValue ::= SEQUENCE {
 *     cancelID        MessageID
 *                     -- MessageID is as defined in [RFC2251]
 * }
 * MessageID ::= INTEGER (0 .. maxInt)
 * ```
 *
 * @see ldap_cancel_s
 */
export const cancelOperation = defineExtendedOperation<number, undefined>({
  oid: CANCEL_OID,
  name: 'cancel',
  encode(cancelID) {
    checkMaxInt('cancel cancelID', cancelID);
    return encodeValue((w) => {
      w.startSequence();
      w.writeInt(cancelID);
      w.endSequence();
    });
  },
  decodeRequest: (value) =>
    decodeValue('cancel', value, (r) => {
      r.enter(BerTags.SEQUENCE);
      const id = checkReadInt('cancel', 'cancelID', r.readInt(), r.offset);
      r.leave();
      return id;
    }),
  decode({ responseValue }) {
    if (responseValue !== undefined) throw new LdapProtocolError('cancel: the response has no value', -1);
    return undefined;
  },
  encodeResponse: () => ({}),
});

/**
 * Cancels the outstanding operation `messageId` (a search stream's
 * `messageId`, for instance). Resolves when the server has cancelled it;
 * rejects with LdapResultError noSuchOperation (119), tooLate (120) or
 * cannotCancel (121) otherwise.
 *
 * @see ldap_cancel_s
 */
export async function cancel(client: ExtendedClient, messageId: number, options?: ExtendedOptions): Promise<ExtendedResult> {
  checkMaxInt('cancel messageId', messageId, 1);
  return runExtended(client, cancelOperation, messageId, options);
}

/**
 * Sends a Cancel for `target` when `signal` aborts (instead of the Abandon
 * the client sends for an operation's own `signal`): the server then ends
 * the operation with canceled (118), which its promise or iterator
 * reports. Pass the signal here, not to the operation. `onSettled` gets the
 * Cancel's result or error. Returns a function that detaches the listener.
 */
export function cancelOnAbort(
  client: ExtendedClient,
  signal: AbortSignal,
  target: number | { readonly messageId: number },
  onSettled?: (outcome: ExtendedResult | Error) => void,
): () => void {
  const fire = (): void => {
    const id = typeof target === 'number' ? target : target.messageId;
    cancel(client, id).then(
      (result) => onSettled?.(result),
      (error: unknown) => onSettled?.(error instanceof Error ? error : new Error(String(error))),
    );
  };
  if (signal.aborted) {
    fire();
    return () => undefined;
  }
  signal.addEventListener('abort', fire, { once: true });
  return () => signal.removeEventListener('abort', fire);
}
