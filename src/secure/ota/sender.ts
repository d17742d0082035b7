/**
 * The sending entity side, what `simdm ota wrap|unwrap` uses: a list of C-APDUs to a secured
 * command packet (compact or expanded RFM script), and a PoR back to the script result.
 */
import type { CommandApdu } from '../../apdu/command.js';
import { OtaError } from './errors.js';
import { buildCommandPacket, openResponsePacket, type OtaKeys, type OtaSecurityOptions } from './packet.js';
import { decodeCompactResult, decodeExpandedResult, encodeCompactScript, encodeExpandedScript, type ScriptResult } from './rfm.js';
import type { Spi } from './spi.js';
import { porStatusText } from './status.js';

export type ScriptFormat = 'compact' | 'expanded' | 'expanded-indefinite';

export interface WrapRequest {
  spi: Spi;
  kic: number;
  kid: number;
  tar: Uint8Array;
  counter: number;
  commands: CommandApdu[];
  format?: ScriptFormat;
}

export function wrapScript(req: WrapRequest, keys: OtaKeys, o: OtaSecurityOptions & { udh?: boolean } = {}): Uint8Array {
  const f = req.format ?? 'compact';
  const data = f === 'compact' ? encodeCompactScript(req.commands) : encodeExpandedScript(req.commands, { indefinite: f === 'expanded-indefinite' });
  return buildCommandPacket({ spi: req.spi, kic: req.kic, kid: req.kid, tar: req.tar, counter: req.counter, data }, keys, o);
}

export interface UnwrappedPor {
  status: number;
  statusText: string;
  counter: number;
  tar: Uint8Array;
  verified: boolean;
  result?: ScriptResult;
}

/** Opens a PoR; a non-OK status is returned (not thrown) so callers can report it. */
export function unwrapPor(
  por: Uint8Array,
  cmd: { spi: Spi; kic: number; kid: number; format?: ScriptFormat },
  keys: OtaKeys,
  o: OtaSecurityOptions = {},
): UnwrappedPor {
  const r = openResponsePacket(por, cmd, keys, o);
  const out: UnwrappedPor = { status: r.status, statusText: porStatusText(r.status), counter: r.counter, tar: r.tar, verified: r.verified };
  if (r.status === 0 && r.data.length > 0) {
    const expanded = r.data[0] === 0xab || r.data[0] === 0xaf;
    if ((cmd.format === 'compact' && expanded) || ((cmd.format ?? 'compact') !== 'compact' && !expanded)) {
      throw new OtaError('format', 'PoR data is not in the script format of the command');
    }
    out.result = expanded ? decodeExpandedResult(r.data) : decodeCompactResult(r.data);
  }
  return out;
}
