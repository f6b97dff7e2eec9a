export * from './vectors.js';
export * from './errors.js';
export * from './fixtures.js';
export * from './tls.js';
export * from './reaper.js';
export * from './slapd.js';
export * from './proxy.js';
export * from './prng.js';
