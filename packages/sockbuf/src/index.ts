export * from './log.js';
export * from './bprint.js';
export * from './errors.js';
export * from './sockbuf.js';
export * from './readahead.js';
export * from './debug.js';
export * from './stream.js';
