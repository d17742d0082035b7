/**
 * The bridge audit log: one JSON object per line, appended. Each line says who (principal id, or
 * the peer address for refused connections), which reader, what (INS name and header bytes, SW,
 * duration) and when. It never holds file contents, PINs, keys or AUTHENTICATE answers: with
 * `data: true` it adds the lengths of command and response data and the file IDs/AIDs that
 * SELECT and MANAGE CHANNEL carry.
 */
import { appendFileSync } from 'node:fs';
import { decodeCommand } from '../apdu/command.js';
import { insName, SECRET_COMMAND_INS } from '../apdu/ins.js';
import { hexNum, toHex } from '../util/hex.js';

export interface AuditRecord {
  time: string;
  event: 'auth-failed' | 'session' | 'acquire' | 'release' | 'apdu' | 'refused' | 'card';
  who: string;
  reader?: string;
  ins?: string;
  cla?: string;
  p1p2?: string;
  sw?: string;
  ms?: number;
  code?: string;
  detail?: string;
  /** with --audit-data: command data of addressing commands only (SELECT, MANAGE CHANNEL) */
  cmdData?: string;
  /** with --audit-data: lengths of the command and response data (contents are never logged) */
  cmdLen?: number;
  rspLen?: number;
}

export type AuditSink = (r: AuditRecord) => void;

export class AuditLog {
  constructor(
    private readonly sink: AuditSink,
    private readonly withData = false,
  ) {}

  static toFile(path: string, withData = false): AuditLog {
    return new AuditLog((r) => appendFileSync(path, JSON.stringify(r) + '\n', { mode: 0o600 }), withData);
  }

  event(r: Omit<AuditRecord, 'time'>): void {
    this.sink({ time: new Date().toISOString(), ...r });
  }

  apdu(who: string, reader: string, capdu: Uint8Array, rapdu: Uint8Array | undefined, ms: number, refused?: { code: string }): void {
    const ins = capdu[1] ?? 0;
    const r: Omit<AuditRecord, 'time'> = {
      event: refused ? 'refused' : 'apdu',
      who,
      reader,
      ins: insName(ins),
      cla: hexNum(capdu[0] ?? 0),
      p1p2: hexNum(capdu[2] ?? 0) + hexNum(capdu[3] ?? 0),
      ms: Math.round(ms * 1000) / 1000,
    };
    if (refused) r.code = refused.code;
    if (rapdu && rapdu.length >= 2) r.sw = toHex(rapdu.subarray(rapdu.length - 2));
    if (this.withData && !refused) {
      // File contents may hold keys and credentials (K/OPc written by perso, DM passwords and PSKs
      // in bootstrap files), and a PIN may travel under any INS: only addressing data (file IDs,
      // AIDs) is logged, everything else as a length.
      const data = commandData(capdu);
      if (data && data.length > 0) {
        r.cmdLen = data.length;
        if (ADDRESSING_INS.has(ins) && !SECRET_COMMAND_INS.has(ins)) r.cmdData = toHex(data);
      }
      if (rapdu && rapdu.length > 2) r.rspLen = rapdu.length - 2;
    }
    this.event(r);
  }
}

/** SELECT and MANAGE CHANNEL: their data names files, applications and channels */
const ADDRESSING_INS = new Set([0xa4, 0x70]);

function commandData(capdu: Uint8Array): Uint8Array | undefined {
  try {
    return decodeCommand(capdu).data;
  } catch {
    return undefined;
  }
}
