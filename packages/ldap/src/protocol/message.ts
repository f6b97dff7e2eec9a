/**
 * The LDAPMessage envelope (RFC 4511 section 4.2): requests encoded into a
 * reusable BerWriter (append several, then write `w.view()` once), and
 * received PDUs decoded into a discriminated union on `protocolOp.type`.
 *
 * ```asn1
 * LDAPMessage ::= SEQUENCE {
 *      messageID       MessageID,
 *      protocolOp      CHOICE {
 *           bindRequest           BindRequest,
 *           bindResponse          BindResponse,
 *           unbindRequest         UnbindRequest,
 *           searchRequest         SearchRequest,
 *           searchResEntry        SearchResultEntry,
 *           searchResDone         SearchResultDone,
 *           searchResRef          SearchResultReference,
 *           modifyRequest         ModifyRequest,
 *           modifyResponse        ModifyResponse,
 *           addRequest            AddRequest,
 *           addResponse           AddResponse,
 *           delRequest            DelRequest,
 *           delResponse           DelResponse,
 *           modDNRequest          ModifyDNRequest,
 *           modDNResponse         ModifyDNResponse,
 *           compareRequest        CompareRequest,
 *           compareResponse       CompareResponse,
 *           abandonRequest        AbandonRequest,
 *           extendedReq           ExtendedRequest,
 *           extendedResp          ExtendedResponse,
 *           ...,
 *           intermediateResponse  IntermediateResponse },
 *      controls       [0] Controls OPTIONAL }
 *
 * MessageID ::= INTEGER (0 ..  maxInt)
 * ```
 */
import { BerError, BerReader, BerTags, type BerWriter } from '@lber/ber';
import { readAbandonRequest, writeAbandonRequest, type AbandonRequest } from './abandon.js';
import { readAddRequest, readAddResponse, writeAddRequest, writeAddResponse, type AddRequest, type AddResponse } from './add.js';
import { readBindRequest, readBindResponse, writeBindRequest, writeBindResponse, type BindRequest, type BindResponse } from './bind.js';
import { readCompareRequest, readCompareResponse, writeCompareRequest, writeCompareResponse, type CompareRequest, type CompareResponse } from './compare.js';
import { NO_CONTROLS, readControls, writeControls, type Control } from './controls.js';
import { readDelRequest, readDelResponse, writeDelRequest, writeDelResponse, type DelRequest, type DelResponse } from './delete.js';
import { decodeError, encodeError } from './errors.js';
import {
  readExtendedRequest,
  readExtendedResponse,
  readIntermediateResponse,
  writeExtendedRequest,
  writeExtendedResponse,
  writeIntermediateResponse,
  type ExtendedRequest,
  type ExtendedResponse,
  type IntermediateResponse,
} from './extended.js';
import { readModifyRequest, readModifyResponse, writeModifyRequest, writeModifyResponse, type ModifyRequest, type ModifyResponse } from './modify.js';
import { readModifyDNRequest, readModifyDNResponse, writeModifyDNRequest, writeModifyDNResponse, type ModifyDNRequest, type ModifyDNResponse } from './modifydn.js';
import {
  readSearchRequest,
  readSearchResultDone,
  readSearchResultEntry,
  readSearchResultReference,
  writeSearchRequest,
  writeSearchResultDone,
  writeSearchResultEntry,
  writeSearchResultReference,
  type SearchRequest,
  type SearchResultDone,
  type SearchResultEntry,
  type SearchResultEntryInput,
  type SearchResultReference,
} from './search.js';
import { LDAP_MAX_INT, LdapOp, LdapTag } from './tags.js';
import { readUnbindRequest, writeUnbindRequest, type UnbindRequest } from './unbind.js';

/** Every request protocolOp, discriminated by `type` (the RFC's CHOICE names). */
export type LdapRequest =
  | BindRequest
  | UnbindRequest
  | SearchRequest
  | ModifyRequest
  | AddRequest
  | DelRequest
  | ModifyDNRequest
  | CompareRequest
  | AbandonRequest
  | ExtendedRequest;

/** Every response protocolOp, discriminated by `type` (the RFC's CHOICE names). */
export type LdapResponse =
  | BindResponse
  | SearchResultEntry
  | SearchResultReference
  | SearchResultDone
  | ModifyResponse
  | AddResponse
  | DelResponse
  | ModifyDNResponse
  | CompareResponse
  | ExtendedResponse
  | IntermediateResponse;

/** A response to encode (a search entry's values may be strings). */
export type LdapResponseInput = Exclude<LdapResponse, SearchResultEntry> | SearchResultEntry | SearchResultEntryInput;

/** The responses that end an operation (all but entries, references and intermediate responses). */
export type LdapFinalResponse = Exclude<LdapResponse, SearchResultEntry | SearchResultReference | IntermediateResponse>;

/** One LDAPMessage. */
export interface LdapMessage<Op> {
  /** MessageID: 0 only for unsolicited notifications. */
  messageID: number;
  protocolOp: Op;
  /** controls [0]: empty (the shared NO_CONTROLS) when the message has none. */
  controls: readonly Control[];
}

/** Whether a response ends its operation (carries the final LDAPResult). */
export function isFinalResponse(op: LdapResponse): op is LdapFinalResponse {
  return op.type !== 'searchResEntry' && op.type !== 'searchResRef' && op.type !== 'intermediateResponse';
}

/** A reader sized for LDAP messages (filters are read as raw elements, so 16 levels is plenty). */
export function createMessageReader(): BerReader {
  return new BerReader({ maxDepth: 16 });
}

function checkMessageID(messageID: number): void {
  if (!Number.isInteger(messageID) || messageID < 0 || messageID > LDAP_MAX_INT) encodeError(`MessageID ${messageID} is not in 0..maxInt`);
}

/** Writes a request protocolOp. */
export function writeRequestOp(w: BerWriter, op: LdapRequest): void {
  switch (op.type) {
    case 'bindRequest':
      return writeBindRequest(w, op);
    case 'unbindRequest':
      return writeUnbindRequest(w, op);
    case 'searchRequest':
      return writeSearchRequest(w, op);
    case 'modifyRequest':
      return writeModifyRequest(w, op);
    case 'addRequest':
      return writeAddRequest(w, op);
    case 'delRequest':
      return writeDelRequest(w, op);
    case 'modDNRequest':
      return writeModifyDNRequest(w, op);
    case 'compareRequest':
      return writeCompareRequest(w, op);
    case 'abandonRequest':
      return writeAbandonRequest(w, op);
    case 'extendedReq':
      return writeExtendedRequest(w, op);
    default:
      return encodeError(`unknown request type ${String((op as { type: unknown }).type)}`);
  }
}

/** Writes a response protocolOp. */
export function writeResponseOp(w: BerWriter, op: LdapResponseInput): void {
  switch (op.type) {
    case 'bindResponse':
      return writeBindResponse(w, op);
    case 'searchResEntry':
      return writeSearchResultEntry(w, op);
    case 'searchResRef':
      return writeSearchResultReference(w, op);
    case 'searchResDone':
      return writeSearchResultDone(w, op);
    case 'modifyResponse':
      return writeModifyResponse(w, op);
    case 'addResponse':
      return writeAddResponse(w, op);
    case 'delResponse':
      return writeDelResponse(w, op);
    case 'modDNResponse':
      return writeModifyDNResponse(w, op);
    case 'compareResponse':
      return writeCompareResponse(w, op);
    case 'extendedResp':
      return writeExtendedResponse(w, op);
    case 'intermediateResponse':
      return writeIntermediateResponse(w, op);
    default:
      return encodeError(`unknown response type ${String((op as { type: unknown }).type)}`);
  }
}

/**
 * Appends one LDAPMessage to `w` (which may already hold other messages:
 * requests queued in one tick go out in one write of `w.view()`). On an
 * encoding error nothing of this message stays in `w`. Returns the offset
 * in `w.buf` where the message starts.
 */
function encodeEnvelope<Op>(w: BerWriter, messageID: number, op: Op, controls: readonly Control[] | undefined, writeOp: (w: BerWriter, op: Op) => void): number {
  checkMessageID(messageID);
  const start = w.offset;
  const depth = w.depth;
  try {
    w.startSequence();
    w.writeInt(messageID);
    writeOp(w, op);
    writeControls(w, controls);
    w.endSequence();
  } catch (error) {
    w.offset = start;
    w.depth = depth;
    if (error instanceof BerError) encodeError(`cannot encode the message: ${error.message}`);
    throw error;
  }
  return start;
}

/**
 * Appends one request LDAPMessage `{ messageID, protocolOp, controls }` to
 * `w`, byte-identical to libldap's request builders (minimal lengths: libldap
 * encodes with LBER_USE_DER). Returns where the message starts in `w.buf`.
 *
 * @see ldap_send_initial_request
 */
export function encodeRequest(w: BerWriter, messageID: number, op: LdapRequest, controls?: readonly Control[]): number {
  return encodeEnvelope(w, messageID, op, controls, writeRequestOp);
}

/** Appends one response LDAPMessage to `w` (for tests, proxies and servers). */
export function encodeResponse(w: BerWriter, messageID: number, op: LdapResponseInput, controls?: readonly Control[]): number {
  return encodeEnvelope(w, messageID, op, controls, writeResponseOp);
}

/** Reads a response protocolOp at the cursor. */
export function readResponseOp(r: BerReader): LdapResponse {
  const at = r.offset;
  switch (r.peekTag()) {
    case LdapOp.searchResEntry:
      return readSearchResultEntry(r);
    case LdapOp.searchResDone:
      return readSearchResultDone(r);
    case LdapOp.searchResRef:
      return readSearchResultReference(r);
    case LdapOp.bindResponse:
      return readBindResponse(r);
    case LdapOp.modifyResponse:
      return readModifyResponse(r);
    case LdapOp.addResponse:
      return readAddResponse(r);
    case LdapOp.delResponse:
      return readDelResponse(r);
    case LdapOp.modDNResponse:
      return readModifyDNResponse(r);
    case LdapOp.compareResponse:
      return readCompareResponse(r);
    case LdapOp.extendedResp:
      return readExtendedResponse(r);
    case LdapOp.intermediateResponse:
      return readIntermediateResponse(r);
    case -1:
      return decodeError('the LDAPMessage has no protocolOp', at);
    default:
      return decodeError(`protocolOp tag 0x${r.peekTag().toString(16)} is not a response`, at);
  }
}

/** Reads a request protocolOp at the cursor. */
export function readRequestOp(r: BerReader): LdapRequest {
  const at = r.offset;
  switch (r.peekTag()) {
    case LdapOp.bindRequest:
      return readBindRequest(r);
    case LdapOp.unbindRequest:
      return readUnbindRequest(r);
    case LdapOp.searchRequest:
      return readSearchRequest(r);
    case LdapOp.modifyRequest:
      return readModifyRequest(r);
    case LdapOp.addRequest:
      return readAddRequest(r);
    case LdapOp.delRequest:
      return readDelRequest(r);
    case LdapOp.modDNRequest:
      return readModifyDNRequest(r);
    case LdapOp.compareRequest:
      return readCompareRequest(r);
    case LdapOp.abandonRequest:
      return readAbandonRequest(r);
    case LdapOp.extendedReq:
      return readExtendedRequest(r);
    case -1:
      return decodeError('the LDAPMessage has no protocolOp', at);
    default:
      return decodeError(`protocolOp tag 0x${r.peekTag().toString(16)} is not a request`, at);
  }
}

function decodeEnvelope<Op>(pdu: Uint8Array, r: BerReader, readOp: (r: BerReader) => Op): LdapMessage<Op> {
  try {
    r.reset(pdu);
    r.enter(BerTags.SEQUENCE);
    const idAt = r.offset;
    const messageID = r.readInt();
    if (messageID < 0 || messageID > LDAP_MAX_INT) decodeError(`MessageID ${messageID} is not in 0..maxInt`, idAt);
    const protocolOp = readOp(r);
    let controls = NO_CONTROLS;
    // controls [0]; anything else after the protocolOp is an extension, skipped
    while (r.hasMore()) {
      if (r.peekTag() === LdapTag.controls) controls = readControls(r);
      else r.skip();
    }
    r.leave();
    if (r.offset !== r.limit) decodeError(`${r.limit - r.offset} bytes after the LDAPMessage`, r.offset);
    return { messageID, protocolOp, controls };
  } catch (error) {
    if (error instanceof BerError) decodeError(`malformed LDAPMessage: ${error.message}`, error.offset, error);
    throw error;
  }
}

/**
 * Decodes one received LDAPMessage (a whole PDU, as framing delivers it)
 * into a typed response. Strings are decoded as UTF-8; attribute values,
 * control values and other OCTET STRINGs are views into `pdu`, valid while
 * `pdu` is. Malformed or unknown input throws an LdapProtocolError with
 * code DECODE_ERROR and the offset in `pdu`.
 *
 * Pass a reader (`createMessageReader()`) kept per connection: it is reset
 * for each PDU and saves an allocation per message.
 */
export function decodeResponse(pdu: Uint8Array, reader: BerReader = createMessageReader()): LdapMessage<LdapResponse> {
  return decodeEnvelope(pdu, reader, readResponseOp);
}

/** Decodes one request LDAPMessage (for tests, proxies and servers). */
export function decodeRequest(pdu: Uint8Array, reader: BerReader = createMessageReader()): LdapMessage<LdapRequest> {
  return decodeEnvelope(pdu, reader, readRequestOp);
}
