export * from './errors.js';
export * from './mechanism.js';
export * from './layer.js';
export * from './simple.js';
export * from './scram.js';
export * from './digestmd5.js';
export * from './bind.js';
