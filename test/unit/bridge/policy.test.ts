import { describe, expect, it } from 'vitest';
import { readerAllowed, readOnlyAllows } from '../../../src/bridge/policy.js';
import { generateToken, hashToken, TokenStore } from '../../../src/bridge/tokens.js';
import { parseRemoteSpec } from '../../../src/bridge/client.js';
import { remoteOptions } from '../../../src/bridge/scheme.js';
import { fromHex } from '../../../src/util/hex.js';

describe('read-only policy', () => {
  it('allows reads and refuses every writing or secret-bearing INS', () => {
    for (const h of ['00A40004023F00', '00B0000010', '00B2010400', '00C0000010', '80F2000000', '00CA9F7F00', '0070000001', '00200001'])
      expect(readOnlyAllows(fromHex(h)), h).toBe(true);
    for (const ins of [
      0xd6, 0xd7, 0xdc, 0xdd, 0xe2, 0x32, 0x24, 0x26, 0x28, 0x2c, 0x88, 0x89, 0x82, 0x86, 0xe0, 0xe4, 0xe6, 0xe8, 0xd8, 0xda, 0xdb, 0x04, 0x44, 0xfe, 0xf0,
      0x50, 0xc2, 0x14, 0x10, 0x76,
    ]) {
      expect(readOnlyAllows(Uint8Array.of(0x00, ins, 0, 0, 1, 0)), ins.toString(16)).toBe(false);
    }
    expect(readOnlyAllows(fromHex('002000010831323334FFFFFFFF'))).toBe(false);
  });

  it('judges (CLA, INS), not INS alone: proprietary classes, secure messaging, chaining and CLA FF are refused unless listed', () => {
    // issue 12 item 5: each of these was forwarded by the INS-only filter
    for (const h of [
      '80B000000A',
      'A0B000000A',
      '0CB000000A',
      '84F2000000',
      'FFCA000000',
      'FF70000000',
      '10B000000A',
      '60B000000A',
      '80CA9F7F00',
      'E0F2000000',
    ]) {
      expect(readOnlyAllows(fromHex(h)), h).toBe(false);
    }
    // logical channels of both interindustry classes, and STATUS in the UICC class 'CX'
    for (const h of ['03B000000A', '40B000000A', '4FB2010400', 'C1F2000000']) expect(readOnlyAllows(fromHex(h)), h).toBe(true);
    expect(readOnlyAllows(fromHex('A0B000000A'), ['A0B0'])).toBe(true);
    expect(readOnlyAllows(fromHex('A0D6000002AAAA'), ['A0B0'])).toBe(false);
    expect(readOnlyAllows(fromHex('00B0'))).toBe(false);
  });

  it('matches readers by exact name or * glob', () => {
    const p = { id: 'x', readOnly: false, readers: ['Virtual PCD 00 0*', 'exact'] };
    expect(readerAllowed(p, 'Virtual PCD 00 01')).toBe(true);
    expect(readerAllowed(p, 'Virtual PCD 00 10')).toBe(false);
    expect(readerAllowed(p, 'exact')).toBe(true);
    expect(readerAllowed(p, 'exac')).toBe(false);
    expect(readerAllowed({ ...p, readers: ['a.b'] }, 'axb')).toBe(false);
  });
});

describe('token store', () => {
  it('finds principals by token hash and certificate CN, never by a wrong token', () => {
    const t = generateToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const s = TokenStore.parse({
      principals: [
        { id: 'a', sha256: Buffer.from(hashToken(t)).toString('hex'), readers: ['*'] },
        { id: 'c', certCN: 'cn1', readers: ['r'], readOnly: true },
      ],
    });
    expect(s.byToken(t)?.id).toBe('a');
    expect(s.byToken(t + 'x')).toBeUndefined();
    expect(s.byCertCn('cn1')).toEqual({ id: 'c', readers: ['r'], readOnly: true });
  });

  it('rejects entries with both or neither of sha256/certCN, and plain tokens', () => {
    expect(() => TokenStore.parse({ principals: [{ id: 'a', readers: ['*'] }] })).toThrow(/exactly one/);
    expect(() => TokenStore.parse({ principals: [{ id: 'a', token: 'abc', readers: ['*'] }] })).toThrow(/bridge|token/);
  });
});

describe('remote:// addresses', () => {
  it('parses host, port and the URL-encoded reader; refuses credentials in the address', () => {
    expect(parseRemoteSpec('remote://127.0.0.1:7000/Virtual%20PCD%2000%2000')).toMatchObject({ host: '127.0.0.1', port: 7000, reader: 'Virtual PCD 00 00' });
    expect(() => parseRemoteSpec('remote://user:secret@h:1/r')).toThrow(/credentials/);
    expect(() => parseRemoteSpec('remote://h/r')).toThrow(/remote:/);
  });

  it('takes the token from SIMDM_BRIDGE_TOKEN', () => {
    const r = remoteOptions('remote://h:1/r', {}, { SIMDM_BRIDGE_TOKEN: 'tok' });
    expect(r.opts.token).toBe('tok');
  });
});
