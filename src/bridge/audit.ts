/**
 * The bridge audit log: one JSON object per line, appended. Each line says who (principal id, or
 * the peer address for refused connections), which reader, what (INS name and header bytes, SW,
 * duration) and when. It never holds APDU data of any kind by default; with `data: true` it logs
 * command and response data except the command data of SECRET_COMMAND_INS (PINs, keys) and the
 * response data of SECRET_RESPONSE_INS (AUTHENTICATE's RES/CK/IK), which are never written.
 */
import { appendFileSync } from 'node:fs';
import { decodeCommand } from '../apdu/command.js';
import { insName, SECRET_COMMAND_INS, SECRET_RESPONSE_INS } from '../apdu/ins.js';

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
  cmdData?: string;
  rspData?: string;
}

export type AuditSink = (r: AuditRecord) => void;

const hx = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex').toUpperCase();
const h2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

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

  /**
   * `secretResponse`: the response data is secret although the INS is not in SECRET_RESPONSE_INS
   * (a GET RESPONSE fetching what an AUTHENTICATE left in T=0).
   */
  apdu(who: string, reader: string, capdu: Uint8Array, rapdu: Uint8Array | undefined, ms: number, refused?: { code: string }, secretResponse = false): void {
    const ins = capdu[1] ?? 0;
    const r: Omit<AuditRecord, 'time'> = {
      event: refused ? 'refused' : 'apdu',
      who,
      reader,
      ins: insName(ins),
      cla: h2(capdu[0] ?? 0),
      p1p2: h2(capdu[2] ?? 0) + h2(capdu[3] ?? 0),
      ms: Math.round(ms * 1000) / 1000,
    };
    if (refused) r.code = refused.code;
    if (rapdu && rapdu.length >= 2) r.sw = hx(rapdu.subarray(rapdu.length - 2));
    if (this.withData && !refused) {
      if (!SECRET_COMMAND_INS.has(ins)) {
        const data = commandData(capdu);
        if (data && data.length > 0) r.cmdData = hx(data);
      }
      if (rapdu && !secretResponse && !SECRET_RESPONSE_INS.has(ins) && rapdu.length > 2) r.rspData = hx(rapdu.subarray(0, rapdu.length - 2));
    }
    this.event(r);
  }
}

function commandData(capdu: Uint8Array): Uint8Array | undefined {
  try {
    return decodeCommand(capdu).data;
  } catch {
    return undefined;
  }
}
