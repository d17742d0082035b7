import { describe, expect, it } from 'vitest';
import { describeSw, isSuccess, SwError, swText } from '../../../src/apdu/sw.js';

// Meanings from ETSI TS 102 221 section 10.2.1 and ISO/IEC 7816-4 section 5.6
describe('status words', () => {
  it.each([
    [0x9000, 'ok', 'normal ending'],
    [0x6982, 'error', 'security status not satisfied'],
    [0x6983, 'error', 'authentication/PIN method blocked'],
    [0x6a82, 'error', 'file or application not found'],
    [0x6a83, 'error', 'record not found'],
    [0x6d00, 'error', 'instruction code not supported or invalid'],
    [0x6e00, 'error', 'class not supported'],
    [0x6881, 'error', 'logical channel not supported'],
    [0x9862, 'error', 'authentication error, incorrect MAC'],
    [0x6282, 'warning', 'end of file/record reached before reading Le bytes'],
  ] as const)('%s', (sw, status, message) => {
    const i = describeSw(sw);
    expect(i.status).toBe(status);
    expect(i.message).toBe(message);
  });
  it('63Cx gives the retries left', () => {
    expect(describeSw(0x63c2)).toMatchObject({ status: 'warning', retries: 2, message: 'verification failed, 2 retries left' });
    expect(describeSw(0x63c1).message).toBe('verification failed, 1 retry left');
    expect(swText(0x63c2)).toBe('63C2 verification failed, 2 retries left');
  });
  it('61xx, 6Cxx and 91xx announce byte counts', () => {
    expect(describeSw(0x6110)).toMatchObject({ status: 'ok', available: 16 });
    expect(describeSw(0x6100).available).toBe(256);
    expect(describeSw(0x6c09)).toMatchObject({ status: 'error', available: 9 });
    expect(describeSw(0x9120)).toMatchObject({ status: 'ok', available: 0x20 });
  });
  it('unknown SWs still get their class', () => {
    expect(describeSw(0x6a99).message).toBe('wrong parameters');
    expect(describeSw(0x1234).message).toBe('unknown status word 1234');
  });
  it('success and SwError', () => {
    expect(isSuccess(0x9000)).toBe(true);
    expect(isSuccess(0x6982)).toBe(false);
    const e = new SwError(0x6982, 'READ BINARY EF.IMSI', 'verify PIN1 first');
    expect(e.message).toBe('READ BINARY EF.IMSI: security status not satisfied (6982): verify PIN1 first');
    expect(e.code).toBe('sw.6982');
  });
});
