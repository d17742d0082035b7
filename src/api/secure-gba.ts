/** GBA for `simdm/secure` (namespace `gba`). */
export * from '../secure/gba/gba.js';
export { GbaError, kdf } from '../secure/gba/kdf.js';
