export * from './operation.js';
export * from './whoami.js';
export * from './passwd.js';
export * from './cancel.js';
