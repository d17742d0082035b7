/**
 * The x-syncml-hmac transport header (OMA-TS-DM_Security V1.2 5.5.3, and OMA-TS-SyncML_HTTPBinding):
 *   x-syncml-hmac: algorithm=MD5, username="Bruce2", mac=<base64>
 * Parameters are comma-separated name=value pairs, names case-insensitive, values a token or a
 * quoted-string; `algorithm` defaults to MD5 (the only one defined). Unknown parameters are ignored.
 */
import { DmError } from './errors.js';

export interface HmacHeader {
  algorithm: 'MD5';
  username: string;
  mac: string;
}

export const HMAC_HEADER = 'x-syncml-hmac';

export function formatHmacHeader(h: { username: string; mac: string; algorithm?: 'MD5' }): string {
  if (/["\\\r\n]/.test(h.username)) throw new DmError('dm.header', 'username cannot contain quotes, backslashes or line breaks');
  return `algorithm=${h.algorithm ?? 'MD5'}, username="${h.username}", mac=${h.mac}`;
}

export function parseHmacHeader(value: string): HmacHeader {
  if (value.length > 8192) throw new DmError('dm.header', 'x-syncml-hmac: header longer than 8192 characters');
  const params = new Map<string, string>();
  let i = 0;
  const n = value.length;
  const ws = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  while (i < n) {
    ws();
    if (i >= n) break;
    const m = /^[A-Za-z][A-Za-z0-9_-]*/.exec(value.slice(i));
    if (!m) throw new DmError('dm.header', `x-syncml-hmac: parameter name expected at ${i}`);
    const name = m[0].toLowerCase();
    i += m[0].length;
    ws();
    if (value[i] !== '=') throw new DmError('dm.header', `x-syncml-hmac: '=' expected after ${name}`);
    i++;
    ws();
    let v = '';
    if (value[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = value[i]!;
        if (c === '\\' && i + 1 < n) {
          v += value[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          v += c;
          i++;
        }
      }
      if (!closed) throw new DmError('dm.header', `x-syncml-hmac: unterminated quoted value of ${name}`);
    } else {
      const t = /^[^,\s"]*/.exec(value.slice(i))![0];
      v = t;
      i += t.length;
    }
    if (params.has(name)) throw new DmError('dm.header', `x-syncml-hmac: ${name} given twice`);
    params.set(name, v);
    ws();
    if (i < n) {
      if (value[i] !== ',') throw new DmError('dm.header', `x-syncml-hmac: ',' expected at ${i}`);
      i++;
    }
  }
  const algorithm = params.get('algorithm') ?? 'MD5';
  if (algorithm.toUpperCase() !== 'MD5') throw new DmError('dm.unsupported', `x-syncml-hmac: algorithm ${algorithm.slice(0, 20)} is not supported (MD5)`);
  const username = params.get('username');
  const mac = params.get('mac');
  if (username === undefined) throw new DmError('dm.header', 'x-syncml-hmac: username missing');
  if (!mac) throw new DmError('dm.header', 'x-syncml-hmac: mac missing');
  if (!/^[A-Za-z0-9+/]{22}==$/.test(mac)) throw new DmError('dm.header', 'x-syncml-hmac: mac is not base64 of a 16-byte MD5 digest');
  return { algorithm: 'MD5', username, mac };
}
