/**
 * The virtual ISD as GP hosts find and use it (issue 17): selection by the GP and OP AIDs and by the
 * empty DF name, FCI / FCP naming the AID selected, what is answered before authentication
 * (GP CS 2.3.1 11.3 GET DATA objects) and what only inside a session (GET STATUS 11.4, 2F00, FF21),
 * and the GET STATUS forms (P1 80/40/20/10, TLV and deprecated formats, AID filter, tag list).
 * Expected bytes are written out from the GP tables, not computed by the code under test.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeCommand } from '../../../../src/apdu/command.js';
import { CardLink } from '../../../../src/apdu/link.js';
import { listStatus, openSecureChannel } from '../../../../src/secure/gp/channel.js';
import { getData, parseCardData, parseKeyInformation } from '../../../../src/secure/gp/commands.js';
import { getStatus, parseStatusResponse } from '../../../../src/secure/gp/registry.js';
import { provisionIsd, defaultIsdState } from '../../../../src/sim/applets/isd.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { fromHex, toHex } from '../../../../src/util/hex.js';
import { GP_TEST_KEYS, virtualCardLink } from '../../../helpers/gp.js';

const K = GP_TEST_KEYS;
const apdu = (h: string) => decodeCommand(fromHex(h));

let card: VirtualUicc;
let link: CardLink;
beforeEach(async () => {
  ({ card, link } = await virtualCardLink({ t0: false }));
});

describe('ISD selection (GP CS 2.3.1 11.9, ISO/IEC 7816-4 7.1.1)', () => {
  it('A000000003000000 with P2=04 answers the FCP naming that AID', async () => {
    const r = await link.transmit(apdu('00A4040408A00000000300000000'));
    expect(r.sw).toBe(0x9000);
    // 62 { 82 01 38 (DF), 84 08 AID, 8A 01 05 (operational, activated), A5 ... }
    expect(toHex(r.data).slice(0, 30)).toBe('62' + toHex(r.data.subarray(1, 2)) + '820138' + '8408A000000003000000'.slice(0, 20));
    expect(toHex(r.data)).toContain('8408A0000000030000008A0105');
  });
  it('P2=00 answers the FCI (6F { 84 AID, A5 { 73 card recognition data, 9F65 } }), P2=0C nothing', async () => {
    const r = await link.transmit(apdu('00A4040008A00000015100000000'));
    expect(toHex(r.data).startsWith('6F')).toBe(true);
    expect(toHex(r.data)).toContain('8408A000000151000000A5');
    expect(toHex(r.data)).toContain('9F6501FF');
    const none = await link.transmit(apdu('00A4040C08A000000151000000'));
    expect(none).toEqual({ sw: 0x9000, data: new Uint8Array(0) });
  });
  it('the empty DF name (00 A4 04 00 00) selects the ISD and names its AID', async () => {
    const r = await link.transmit(apdu('00A4040000'));
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data)).toContain('8408A000000151000000');
  });
  it('a partial DF name (the old 7-byte form) selects the ISD; the FCI names the full AID', async () => {
    const r = await link.transmit(apdu('00A4040007A000000003000000'));
    expect(r.sw).toBe(0x9000);
    expect(toHex(r.data)).toContain('8408A000000003000000');
  });
  it('an image can give the ISD its own AID (e.g. an eUICC ISD-R)', async () => {
    provisionIsd(card, { ...defaultIsdState(), aid: 'A0000005591010FFFFFFFF8900000100' });
    const r = await link.transmit(apdu('00A4040000'));
    expect(toHex(r.data)).toContain('8410A0000005591010FFFFFFFF8900000100');
    expect((await link.transmit(apdu('00A4040008A00000000300000000'))).sw).toBe(0x9000);
  });
});

describe('before authentication: only what GP allows', () => {
  beforeEach(async () => {
    expect((await link.transmit(apdu('00A4040000'))).sw).toBe(0x9000);
  });
  const get = async (tag: number) => link.transmit(getData(tag));

  it('GET DATA of the public objects: 42, 45, 66, 67, C1, C2, CF, D3, E0', async () => {
    // IIN / CIN from EF.ICCID 89 44 10 00 00 00 00 00 01 5F (TS 102 221 13.2, digits in order)
    expect(toHex((await get(0x42)).data)).toBe('420489441000');
    expect(toHex((await get(0x45)).data)).toBe('450A8944100000000000015F');
    const cd = await get(0x66);
    expect(parseCardData(cd.data)).toEqual([
      { scp: 3, i: 0x70 },
      { scp: 2, i: 0x55 },
    ]);
    // 67 { A0 { 80 01 02, 81 01 55 }, A0 { 80 01 03, 81 02 70 71, 82 01 01 (AES-128) } } (GP CS H.4 Table H-6)
    expect(toHex((await get(0x67)).data)).toBe('6714A006800102810155A00A800103810270718201' + '01');
    // sequence counter of the default key set (SCP03: 3 bytes), confirmation counter, KDD, security level
    expect(toHex((await get(0xc1)).data)).toBe('C103000000');
    expect(toHex((await get(0xc2)).data)).toBe('C2020000');
    expect(toHex((await get(0xcf)).data)).toBe('CF0A00000000000000000000');
    expect(toHex((await get(0xd3)).data)).toBe('D30100');
    const ki = parseKeyInformation((await get(0xe0)).data);
    expect(ki.filter((k) => k.id === 1).map((k) => [k.version, k.type, k.length])).toEqual([
      [0x30, 0x88, 16],
      [0x20, 0x80, 16],
      [0x32, 0x88, 16],
    ]);
  });
  it('content information is refused (6982): GET STATUS in all four forms, GET DATA 2F00 and FF21, PUT KEY', async () => {
    for (const p1 of ['80', '40', '20', '10']) expect((await link.transmit(apdu(`80F2${p1}02024F0000`))).sw).toBe(0x6982);
    expect((await get(0x2f00)).sw).toBe(0x6982);
    expect((await get(0xff21)).sw).toBe(0x6982);
    expect((await link.transmit(apdu('80D80181058000000000'))).sw).toBe(0x6982);
    // secure messaging without a session
    expect((await link.transmit(apdu('84F28002024F0000'))).sw).toBe(0x6982);
  });
  it('an unknown object is 6A88; 5F50 answers once the image sets a Security Domain Manager URL', async () => {
    expect((await get(0x9f7f)).sw).toBe(0x6a88);
    expect((await get(0x5f50)).sw).toBe(0x6a88);
    provisionIsd(card, { ...defaultIsdState(), sdManagerUrl: 'https://sdm.example' });
    expect(toHex((await get(0x5f50)).data)).toBe('5F5013' + toHex(new TextEncoder().encode('https://sdm.example')));
  });
});

describe('inside SCP03 at level 33, selected as A000000003000000 with P2=04', () => {
  it('the done-when scenario: FCP, key information inside the channel, the whole registry', async () => {
    const sel = await link.transmit(apdu('00A4040408A00000000300000000'));
    expect(toHex(sel.data)).toContain('8408A000000003000000');
    const ch = await openSecureChannel(link, { keys: K, level: 0x33, select: fromHex('A000000003000000') });
    expect(ch.info).toMatchObject({ scp: 3, kvn: 0x30, aid: 'A000000003000000' });
    const ki = parseKeyInformation(await ch.send(getData(0xe0)));
    expect(ki.some((k) => k.version === 0x30 && k.type === 0x88)).toBe(true);
    // D3: AUTHENTICATED (80) | C-MAC C-DEC R-MAC R-ENC (33)
    expect(toHex(await ch.send(getData(0xd3)))).toBe('D301B3');
    expect(toHex(await ch.send(getData(0x2f00)))).toBe('2F0014' + '6112' + '4F10A0000000871002FF33FF018900000100');
    const ff21 = await ch.send(getData(0xff21));
    expect(toHex(ff21)).toBe('FF210D' + '810102' + '820400008000' + '83022000');
    const isd = await listStatus(ch, 'isd');
    expect(isd).toEqual([{ aid: fromHex('A000000003000000'), lifeCycle: 0x0f, privileges: fromHex('9EFE80') }]);
    const apps = await listStatus(ch, 'apps');
    expect(toHex(apps[0]!.aid)).toBe('A0000000871002FF33FF018900000100');
    expect(apps[0]!.lifeCycle).toBe(0x07);
    const lf = await listStatus(ch, 'loadfiles');
    expect(lf.map((e) => [toHex(e.aid), e.lifeCycle])).toEqual([['A0000001515350', 0x01]]);
    const mods = await listStatus(ch, 'modules');
    expect(mods[0]!.modules!.map((m) => toHex(m))).toEqual(['A000000151535041']);
  });

  it('GET STATUS forms: deprecated format bytes (GP CS 11.4.3.2), tag list 5C, AID filter, next occurrence', async () => {
    const ch = await openSecureChannel(link, { keys: K, level: 0x03, select: true });
    // deprecated format, P1 = 80: length AID | AID | life cycle | privileges (1 byte)
    const legacyIsd = await ch.transmit(getStatus({ scope: 'isd', format: 'legacy' }));
    expect(toHex(legacyIsd.data)).toBe('08A000000151000000' + '0F' + '9E');
    // P1 = 10: ... | 00 | number of modules | length | module AID
    const legacyMods = await ch.transmit(getStatus({ scope: 'modules', format: 'legacy' }));
    expect(toHex(legacyMods.data)).toBe('07A0000001515350' + '01' + '00' + '01' + '08A000000151535041');
    expect(parseStatusResponse(legacyMods.data, 'legacy', 'modules')[0]!.modules!.map((m) => toHex(m))).toEqual(['A000000151535041']);
    // tag list: only 4F and 9F70 (pySim sends 5C 05 4F 9F70 C5)
    const tagged = await ch.transmit(getStatus({ scope: 'isd', tags: [0x4f, 0x9f70] }));
    expect(toHex(tagged.data)).toBe('E30E' + '4F08A000000151000000' + '9F70010F');
    // an AID that is not there, and "next occurrence" after a complete answer: 6A88
    expect((await ch.transmit(getStatus({ scope: 'loadfiles', aid: fromHex('1234') }))).sw).toBe(0x6a88);
    expect((await ch.transmit(getStatus({ scope: 'isd', next: true }))).sw).toBe(0x6a88);
    // an AID prefix that is there
    const byPrefix = await ch.transmit(getStatus({ scope: 'apps', aid: fromHex('A0000000871002') }));
    expect(byPrefix.sw).toBe(0x9000);
  });
});

describe('GP Card Data parsed from a real card (pySim global_platform sample)', () => {
  it('66 31 73 2F ... 64 0B 06 09 2A864886FC6B040215: SCP02 with i=15', () => {
    const sample = fromHex('6631732f06072a864886fc6b01600c060a2a864886fc6b02020101630906072a864886fc6b03640b06092a864886fc6b040215');
    expect(parseCardData(sample)).toEqual([{ scp: 2, i: 0x15 }]);
  });
});
