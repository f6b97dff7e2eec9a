export {};
export * from './errors.js';
export * from './dn.js';
export * from './protocol/index.js';
export * from './filter.js';
export * from './url.js';
export * from './client/index.js';
export * from './sasl/index.js';
export * from './ldif/index.js';
