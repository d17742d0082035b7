/**
 * The `remote://host:port/READER` reader scheme, registered with the transport layer's scheme
 * registry by whoever sets the program up (cli/schemes.ts). Cheap to register: the bridge client
 * (./scheme.ts, WebSocket, TLS) loads only when a remote reader is opened.
 */
import { registerScheme } from '../transport/open.js';

export const REMOTE_SCHEME = 'remote://';

export function registerRemoteScheme(): void {
  registerScheme(REMOTE_SCHEME, async (spec, options) => (await import('./scheme.js')).openRemoteReader(spec, options));
}
