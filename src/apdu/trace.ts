/**
 * APDU trace: every C-APDU and R-APDU with the instruction's name and the SW's meaning.
 * Secret-bearing data (VERIFY/CHANGE/UNBLOCK PIN, PUT KEY, AUTHENTICATE results, anything marked
 * secret) is printed as `**`: a trace can be pasted into a ticket without leaking a PIN or key.
 */
import { toHex } from '../util/hex.js';
import { type CommandApdu, formatCommand } from './command.js';
import { insName, SECRET_COMMAND_INS, SECRET_RESPONSE_INS } from './ins.js';
import { swHex, swText } from './sw.js';

export interface TraceEntry {
  dir: 'C' | 'R';
  /** logical channel */
  channel: number;
  /** already redacted text of the APDU */
  text: string;
  /** instruction or SW description */
  note: string;
  /** why this APDU was sent by the layer itself (GET RESPONSE after 61xx, re-issue after 6Cxx) */
  auto?: string;
}

export type TraceSink = (e: TraceEntry) => void;

export function isSecretCommand(c: CommandApdu): boolean {
  return !!c.secret || SECRET_COMMAND_INS.has(c.ins);
}

export function traceCommand(c: CommandApdu, channel: number, auto?: string): TraceEntry {
  const red: CommandApdu = isSecretCommand(c) ? { ...c, secret: true } : c;
  return { dir: 'C', channel, text: formatCommand(red), note: insName(c.ins), ...(auto ? { auto } : {}) };
}

/**
 * VERIFY or UNBLOCK PIN without data asks for the retry counter (TS 102 221 11.1.9.1 /
 * 11.1.13.1): its 63Cx is the counter, not a failed verification, and its 9000 means no
 * verification is needed (verified already, or disabled).
 */
export function isRetryCounterQuery(c: CommandApdu): boolean {
  return (c.ins === 0x20 || c.ins === 0x2c) && !c.data?.length;
}

function retryCounterNote(sw: number): string {
  if (sw >> 4 === 0x63c) return `retry counter: ${sw & 0xf} ${(sw & 0xf) === 1 ? 'try' : 'tries'} left`;
  if (sw === 0x9000) return 'retry counter: no verification needed (verified, or disabled)';
  return swText(sw);
}

/** `about`: the command answered (a GET RESPONSE fetches another command's answer) */
export function traceResponse(data: Uint8Array, sw: number, channel: number, forIns: number, secret = false, about?: CommandApdu): TraceEntry {
  const hide = secret || SECRET_RESPONSE_INS.has(forIns);
  const body = data.length ? (hide ? `** (${data.length} bytes) ` : toHex(data) + ' ') : '';
  return { dir: 'R', channel, text: `${body}${swHex(sw)}`, note: about && isRetryCounterQuery(about) ? retryCounterNote(sw) : swText(sw) };
}

/** A sink that writes readable lines to a stream (stderr for --trace). */
export function streamSink(write: (line: string) => void): TraceSink {
  return (e) => {
    const ch = e.channel ? `[ch${e.channel}] ` : '';
    const arrow = e.dir === 'C' ? '>>' : '<<';
    write(`${ch}${arrow} ${e.text}  ${e.dir === 'C' ? `(${e.note}${e.auto ? `, ${e.auto}` : ''})` : `(${e.note})`}\n`);
  };
}

/** A sink that keeps entries in memory (tests, `--json` trace). */
export function memorySink(): TraceSink & { entries: TraceEntry[] } {
  const entries: TraceEntry[] = [];
  const f: TraceSink = (e) => {
    entries.push(e);
  };
  return Object.assign(f, { entries });
}
