export * from './constants.js';
export * from './errors.js';
export * from './berelement.js';
export * from './dump.js';
export * from './reader.js';
export * from './writer.js';
export * from './encode.js';
export * from './oid.js';
