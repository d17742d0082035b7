export * from './channel.js';
export * from './commands.js';
export * from './common.js';
export * from './diversify.js';
export * from './errors.js';
export * from './putkey.js';
export * from './scp02.js';
export * from './scp03.js';
