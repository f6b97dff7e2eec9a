export * from './errors.js';
export * from './types.js';
export * from './writer.js';
export * from './parser.js';
export * from './reader.js';
