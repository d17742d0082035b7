/** `simdm/bridge`: the client of a simdm bridge (readers shared over WebSocket + TLS). */
export { BridgeClient, parseRemoteSpec, RemoteTransport, type RemoteOptions, type RemoteSpec } from '../bridge/client.js';
export { registerRemoteScheme, REMOTE_SCHEME } from '../bridge/remote-scheme.js';
export { BridgeError, type BridgeErrorCode } from '../bridge/errors.js';
