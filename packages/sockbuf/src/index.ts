export * from './log.js';
export * from './bprint.js';
