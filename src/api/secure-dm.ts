/** OMA DM authentication for `simdm/secure` (namespace `dm`). */
export * from '../secure/dm/auth.js';
export { DmError } from '../secure/dm/errors.js';
export * from '../secure/dm/hmac-header.js';
export * from '../secure/dm/notification.js';
