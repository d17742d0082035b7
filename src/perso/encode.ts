/**
 * Encoders from a row's text values to EF contents, each citing its clause. `${NAME}` in a value
 * template is replaced by the row's column NAME (secret columns included, decrypted in memory).
 */
import { PersoError } from './errors.js';
import { iccidContent } from '../card/spec/ts-102-221.js';
import { imsiContent } from '../card/spec/ts-31-102.js';

/**
 * EF.SPN (TS 31.102 4.2.12): display condition byte, then the name in the SMS default alphabet
 * (TS 23.038 6.2.1, one char per byte) or UCS2 with prefix 80 (TS 102 221 Annex A), FF-padded to 16.
 */
export function encodeSpn(name: string, displayCondition = 0x01): Uint8Array {
  const out = new Uint8Array(17).fill(0xff);
  out[0] = displayCondition;
  let body: Buffer;
  if (/^[A-Za-z0-9 .-]*$/.test(name))
    body = Buffer.from(name, 'ascii'); // identical in the default alphabet
  else body = Buffer.concat([Buffer.of(0x80), Buffer.from(name, 'utf16le').swap16()]);
  if (body.length > 16) throw new PersoError('encode', `SPN does not fit 16 bytes`);
  out.set(body, 1);
  return out;
}

export type Encoding = 'imsi' | 'iccid' | 'spn' | 'hex' | 'ascii';

/** Substitutes `${NAME}` from `vars`; unknown names are an error (named, never the values). */
export function substitute(template: string, vars: (name: string) => string | undefined, where: string): string {
  return template.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const v = vars(name.toUpperCase());
    if (v === undefined) throw new PersoError('variable', `${where}: no value for \${${name}} in this row`);
    return v;
  });
}

export function encodeValue(enc: Encoding, text: string, where: string): Uint8Array {
  switch (enc) {
    case 'imsi':
      if (!/^\d{6,15}$/.test(text)) throw new PersoError('encode', `${where}: not an IMSI`);
      return imsiContent(text); // EF.IMSI, TS 31.102 4.2.2
    case 'iccid':
      if (!/^\d{18,20}$/.test(text)) throw new PersoError('encode', `${where}: not an ICCID`);
      return iccidContent(text); // EF.ICCID, TS 102 221 13.2
    case 'spn':
      return encodeSpn(text);
    case 'hex':
      if (!/^([0-9A-Fa-f]{2})*$/.test(text)) throw new PersoError('encode', `${where}: not hex`);
      return Uint8Array.from(Buffer.from(text, 'hex'));
    case 'ascii':
      return Uint8Array.from(Buffer.from(text, 'utf8'));
  }
}
