export * from './main.js';
export * from './common.js';
export * from './err2string.js';
export * from './ufn.js';
export * from './getopt.js';
export * from './output.js';
export * from './sasl.js';
