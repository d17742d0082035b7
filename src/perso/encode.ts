/**
 * Encoders from a row's text values to EF contents, each citing its clause. `${NAME}` in a value
 * template is replaced by the row's column NAME (secret columns included, decrypted in memory).
 */
import { PersoError } from './errors.js';
import { iccidContent } from '../card/spec/ts-102-221.js';
import { EF_SPN, imsiContent } from '../card/spec/ts-31-102.js';
import { SimdmError } from '../errors.js';

/**
 * EF.SPN (TS 31.102 4.2.12) through the card model's one codec: display condition b1 set (the
 * registered PLMN name shown at home), the name in the SMS default alphabet (TS 23.038 6.2.1) where
 * every character has one, else UCS2 with prefix 80 (TS 102 221 Annex A), FF-padded to 17 bytes.
 */
export function encodeSpn(name: string, where?: string): Uint8Array {
  try {
    return EF_SPN.encode({ showPlmnNameAtHome: true, hideSpnWhenRoaming: false, name }, 17);
  } catch (e) {
    if (e instanceof SimdmError) throw new PersoError('encode', where ? `${where}: ${e.message}` : e.message);
    throw e;
  }
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
      return encodeSpn(text, where);
    case 'hex':
      if (!/^([0-9A-Fa-f]{2})*$/.test(text)) throw new PersoError('encode', `${where}: not hex`);
      return Uint8Array.from(Buffer.from(text, 'hex'));
    case 'ascii':
      return Uint8Array.from(Buffer.from(text, 'utf8'));
  }
}
