/**
 * Bridge errors. Stable codes: `bridge.auth` (no/bad credentials), `bridge.forbidden` (reader or
 * command not allowed for this principal), `bridge.replay` (sequence number reused or out of
 * order), `bridge.frame` (malformed frame), `bridge.busy` (reader held by another session),
 * `bridge.reader` (unknown reader), `bridge.state` (request not valid in this session state),
 * `bridge.tls` (TLS setup), `bridge.closed` (connection gone), `bridge.config` (bad server config), `bridge.idle` (reader released after
 * the idle timeout).
 * Messages never contain tokens, keys or APDU data.
 */
import { SimdmError } from '../errors.js';

export type BridgeErrorCode =
  | 'bridge.auth'
  | 'bridge.forbidden'
  | 'bridge.replay'
  | 'bridge.frame'
  | 'bridge.busy'
  | 'bridge.reader'
  | 'bridge.state'
  | 'bridge.tls'
  | 'bridge.closed'
  | 'bridge.config'
  | 'bridge.idle';

export class BridgeError extends SimdmError {
  declare readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
