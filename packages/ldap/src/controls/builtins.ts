/**
 * The built-in control codecs, registered in the default registry when the
 * package is loaded.
 */
import { assertion, proxiedAuthorization } from './authz.js';
import { pagedResults } from './paged.js';
import { passwordExpired, passwordExpiring, passwordPolicy } from './ppolicy.js';
import { entryChangeNotification, persistentSearch } from './psearch.js';
import { postRead, preRead } from './readentry.js';
import { defaultControlRegistry, type ControlCodec } from './registry.js';
import { dontUseCopy, manageDsaIT, relaxRules, subtreeDelete } from './simple.js';
import { sortRequest, sortResponse } from './sort.js';
import { syncDone, syncRequest, syncState } from './sync.js';
import { vlvRequest, vlvResponse } from './vlv.js';

/** Every built-in codec. */
export const BUILTIN_CONTROLS: readonly ControlCodec<unknown, unknown>[] = Object.freeze([
  pagedResults,
  sortRequest,
  sortResponse,
  vlvRequest,
  vlvResponse,
  proxiedAuthorization,
  assertion,
  preRead,
  postRead,
  manageDsaIT,
  subtreeDelete,
  relaxRules,
  dontUseCopy,
  passwordPolicy,
  passwordExpired,
  passwordExpiring,
  persistentSearch,
  entryChangeNotification,
  syncRequest,
  syncState,
  syncDone,
]);

for (const codec of BUILTIN_CONTROLS) defaultControlRegistry.add(codec);
