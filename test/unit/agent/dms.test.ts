/**
 * The DMS over the wire, driven message by message (OMA-TS-DM_Protocol 8, OMA-TS-DM_Security
 * 5.5): authentication, the nonce rules that keep a device from being locked out, truthful logs,
 * content types, accounts.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERT, decodeDmMessage, DM_CONTENT_TYPE, type DmEncoding, type DmMessage, encodeDmMessage } from '../../../src/dm/message.js';
import { accountsFromDmFields, accountsFromDmFieldsReport, loadAccounts } from '../../../src/dms/accounts.js';
import { DmsServer } from '../../../src/dms/server.js';
import { authHmac, authMd5, verifyMd5 } from '../../../src/secure/dm/auth.js';
import { formatHmacHeader } from '../../../src/secure/dm/hmac-header.js';
import { pki } from '../bridge/helpers/server.js';
import { SPEC_A, SPEC_B } from './helpers/cards.js';
import { accountOf, startDms } from './helpers/dms.js';

let dms: DmsServer;
let url: string;
const rejects: string[] = [];
beforeEach(async () => {
  ({ dms, url } = await startDms([accountOf(SPEC_A, { serverNonce: Buffer.from('server-nonce-a').toString('base64') }), accountOf(SPEC_B)], {
    onReject: (l) => rejects.push(l),
  }));
});
afterEach(async () => {
  await dms.close();
});
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  msg?: DmMessage;
}

function post(body: Uint8Array | string, headers: Record<string, string>, path = new URL(url).pathname): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'POST', headers, ca: pki().caCert }, (res) => {
      const c: Buffer[] = [];
      res.on('data', (d: Buffer) => c.push(d));
      res.on('end', () => {
        const raw = Buffer.concat(c);
        const ct = res.headers['content-type'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, ...(res.statusCode === 200 ? { msg: decodeDmMessage(raw, ct) } : {}) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let session = 0;
function pkg1(name: string, cred?: string, enc: DmEncoding = 'wbxml', sessionId = String(++session)): Uint8Array {
  return encodeDmMessage(
    {
      header: {
        sessionId,
        msgId: 1,
        target: url,
        source: 'IMEI:493005100592800',
        sourceName: name,
        ...(cred ? { cred: { type: 'syncml:auth-md5', format: 'b64', data: cred } } : {}),
      },
      body: [{ kind: 'Alert', cmdId: 1, data: ALERT.clientInitiated, items: [] }],
      final: true,
    },
    enc,
  );
}
const wb = { 'content-type': DM_CONTENT_TYPE.wbxml };
const nonceA = Buffer.from(SPEC_A.clientNonce, 'base64');
const md5A = (nonce: Uint8Array, secret = SPEC_A.clientSecret) => authMd5(SPEC_A.clientName, secret, nonce);
const hdrStatus = (a: Answer) => a.msg!.body.find((c) => c.kind === 'Status' && c.cmdRef === 0) as Extract<DmMessage['body'][number], { kind: 'Status' }>;

describe('DMS: OMA DM 1.2 authentication', () => {
  it('accepts syncml:auth-md5 over the bootstrap nonce (212 + Chal NextNonce) and proves its SRVCRED over the server nonce', async () => {
    for (const enc of ['wbxml', 'xml'] as const) {
      if (enc === 'xml') {
        await dms.close();
        ({ dms, url } = await startDms([accountOf(SPEC_A, { serverNonce: Buffer.from('server-nonce-a').toString('base64') })]));
      }
      const a = await post(pkg1(SPEC_A.clientName, md5A(nonceA), enc), { 'content-type': DM_CONTENT_TYPE[enc] });
      expect(a.status).toBe(200);
      expect(a.headers['content-type']).toBe(DM_CONTENT_TYPE[enc]);
      const st = hdrStatus(a);
      expect(st.data).toBe(212);
      expect(st.chal?.type).toBe('syncml:auth-md5');
      expect(Buffer.from(st.chal!.nextNonce!, 'base64')).toHaveLength(16);
      expect(a.msg!.header.cred?.type).toBe('syncml:auth-md5');
      expect(verifyMd5(a.msg!.header.cred!.data, SPEC_A.serverName, SPEC_A.serverSecret, Buffer.from('server-nonce-a'))).toBe(true);
      // Alert 1201 acknowledged
      expect(a.msg!.body.some((c) => c.kind === 'Status' && c.cmd === 'Alert' && c.data === 200)).toBe(true);
    }
  });

  it('unauthenticated requests naming the client do not lock it out: its stored nonce still works afterwards', async () => {
    for (let i = 0; i < 6; i++) {
      const none = await post(pkg1(SPEC_A.clientName), wb);
      expect(hdrStatus(none).data).toBe(407);
      const wrong = await post(pkg1(SPEC_A.clientName, md5A(nonceA, 'guess')), wb);
      expect(hdrStatus(wrong).data).toBe(401);
    }
    const ok = await post(pkg1(SPEC_A.clientName, md5A(nonceA)), wb);
    expect(hdrStatus(ok).data).toBe(212);
    expect(dms.sessions.map((s) => s.result)).toEqual([...Array(6).fill(['dm.auth-required', 'dm.auth-failure']).flat()]);
  });

  it('every refusal carries a fresh challenge, and the device may authenticate over it', async () => {
    const r1 = hdrStatus(await post(pkg1(SPEC_A.clientName, md5A(nonceA, 'wrong')), wb));
    const r2 = hdrStatus(await post(pkg1(SPEC_A.clientName, md5A(nonceA, 'wrong')), wb));
    expect(r1.chal?.nextNonce).toBeDefined();
    expect(r2.chal?.nextNonce).toBeDefined();
    expect(r1.chal!.nextNonce).not.toBe(r2.chal!.nextNonce);
    const ok = await post(pkg1(SPEC_A.clientName, md5A(Buffer.from(r1.chal!.nextNonce!, 'base64'))), wb);
    expect(hdrStatus(ok).data).toBe(212);
  });

  it('a credential over a nonce an authenticated session used is a replay, refused with a fresh challenge; a superseded challenge is not a replay', async () => {
    const cred = md5A(nonceA);
    expect(hdrStatus(await post(pkg1(SPEC_A.clientName, cred), wb)).data).toBe(212);
    const again = hdrStatus(await post(pkg1(SPEC_A.clientName, cred), wb));
    expect(again.data).toBe(401);
    expect(again.chal?.nextNonce).toBeDefined();
    expect(dms.sessions.at(-1)!.result).toBe('dm.nonce-replay');
    // five refusals: the first challenge is superseded (four are kept)
    const chals: string[] = [];
    for (let i = 0; i < 5; i++) chals.push(hdrStatus(await post(pkg1(SPEC_A.clientName), wb)).chal!.nextNonce!);
    const stale = hdrStatus(await post(pkg1(SPEC_A.clientName, md5A(Buffer.from(chals[0]!, 'base64'))), wb));
    expect(stale.data).toBe(401);
    expect(dms.sessions.at(-1)!.result).toBe('dm.nonce-stale');
    expect(hdrStatus(await post(pkg1(SPEC_A.clientName, md5A(Buffer.from(chals[4]!, 'base64'))), wb)).data).toBe(212);
  });

  it('HMAC accounts: x-syncml-hmac over the message, a changed body fails, md5 is refused', async () => {
    const nonceB = Buffer.from(SPEC_B.clientNonce, 'base64');
    const md5 = hdrStatus(await post(pkg1(SPEC_B.clientName, authMd5(SPEC_B.clientName, SPEC_B.clientSecret, nonceB)), wb));
    expect(md5.data).toBe(407);
    expect(md5.chal?.type).toBe('syncml:auth-MAC');
    const body = pkg1(SPEC_B.clientName);
    const h = {
      ...wb,
      'x-syncml-hmac': formatHmacHeader({ username: SPEC_B.clientName, mac: authHmac(SPEC_B.clientName, SPEC_B.clientSecret, nonceB, body) }),
    };
    const tampered = pkg1(SPEC_B.clientName, undefined, 'wbxml', 'other');
    expect(hdrStatus(await post(tampered, h)).data).toBe(401);
    const ok = await post(body, h);
    expect(hdrStatus(ok).data).toBe(212);
    // the server MACs its answer with its SRVCRED over the server nonce
    const sm = String(ok.headers['x-syncml-hmac']);
    expect(sm).toContain(`username="${SPEC_B.serverName}"`);
    expect(sm).toContain(`mac=${authHmac(SPEC_B.serverName, SPEC_B.serverSecret, new Uint8Array(Buffer.from('c2VydmVyLW5vbmNl', 'base64')), ok.raw)}`);
  });

  it('logs the account as presented, never "?": unknown accounts, malformed messages', async () => {
    const u = await post(pkg1('nobody', md5A(nonceA)), wb);
    expect(hdrStatus(u).data).toBe(401);
    expect(dms.sessions.at(-1)).toMatchObject({ clientName: 'nobody', serverId: '-', devId: 'IMEI:493005100592800', result: 'dm.unknown-account' });
    const bad = await post(Buffer.from('<SyncML><SyncHdr/></SyncML>'), { 'content-type': DM_CONTENT_TYPE.xml });
    expect(bad.status).toBe(400);
    expect(dms.sessions.at(-1)!.result).toBe('dm.message');
    expect(JSON.stringify(dms.sessions)).not.toContain('"?"');
  });

  it('answers other content types with 415 and other paths with 404, and says so', async () => {
    expect((await post('{"v":1}', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await post(pkg1(SPEC_A.clientName), wb, '/oma-dm')).status).toBe(404);
    expect(rejects.some((l) => l.includes('/oma-dm') && l.includes('404'))).toBe(true);
  });
});

describe('DMS accounts', () => {
  const fields = {
    './DMAcc/X/ServerID': 'srv',
    './DMAcc/X/AppAddr/srv/Addr': 'https://dm.example/oma-dm',
    './DMAcc/X/AppAuth/srv/AAuthLevel': 'SRVCRED',
    './DMAcc/X/AppAuth/srv/AAuthType': 'DIGEST',
    './DMAcc/X/AppAuth/srv/AAuthName': 's',
    './DMAcc/X/AppAuth/srv/AAuthSecret': 'ss',
    './DMAcc/X/AppAuth/srv/AAuthData': 'c2Vydg== (b64)',
    './DMAcc/X/AppAuth/cli/AAuthLevel': 'CLCRED',
    './DMAcc/X/AppAuth/cli/AAuthType': 'DIGEST',
    './DMAcc/X/AppAuth/cli/AAuthName': 'c',
    './DMAcc/X/AppAuth/cli/AAuthSecret': 'cs',
    './DMAcc/X/AppAuth/cli/AAuthData': 'bm9uY2U= (b64)',
  };

  it('derives accounts (with the address whose path it serves) from the bootstrap DM fields', async () => {
    expect(accountsFromDmFields(fields)).toEqual([
      {
        serverId: 'srv',
        clientName: 'c',
        clientSecret: 'cs',
        serverName: 's',
        serverSecret: 'ss',
        clientNonce: 'bm9uY2U=',
        serverNonce: 'c2Vydg==',
        authType: 'DIGEST',
        addr: 'https://dm.example/oma-dm',
      },
    ]);
    const s = new DmsServer({ accounts: accountsFromDmFields(fields) });
    expect(s.servedPaths).toEqual(['/dm', '/oma-dm']);
  });

  it('takes a GBA-only client credential (no secrets) and skips what it cannot serve, saying why', () => {
    const gba = {
      './DMAcc/G/ServerID': 'g',
      './DMAcc/G/AppAuth/cli/AAuthLevel': 'CLCRED',
      './DMAcc/G/AppAuth/cli/AAuthType': 'GBA',
      './DMAcc/G/AppAuth/cli/AAuthName': 'dev',
    };
    expect(accountsFromDmFields(gba)).toMatchObject([{ serverId: 'g', clientName: 'dev', authType: 'GBA' }]);
    const r = accountsFromDmFieldsReport({
      './DMAcc/B/ServerID': 'b',
      './DMAcc/B/AppAuth/cli/AAuthLevel': 'CLCRED',
      './DMAcc/B/AppAuth/cli/AAuthType': 'X509',
    });
    expect(r.accounts).toEqual([]);
    expect(r.skipped[0]).toMatch(/X509 is not served/);
  });

  it('refuses authType bogus, unknown fields and bad nonces in the accounts file, and in the API', () => {
    const d = mkdtempSync(join(tmpdir(), 'simdm-dms-'));
    tmp.push(d);
    const good = { serverId: 's', clientName: 'c', clientSecret: 'x', serverName: 'n', serverSecret: 'y', clientNonce: 'bm9uY2U=', authType: 'DIGEST' };
    const f = join(d, 'a.json');
    const write = (o: unknown) => {
      writeFileSync(f, JSON.stringify(o));
      chmodSync(f, 0o600);
    };
    write({ accounts: [good] });
    expect(loadAccounts(f)).toEqual([good]);
    write({ accounts: [{ ...good, authType: 'bogus' }] });
    expect(() => loadAccounts(f)).toThrow(/accounts\.0\.authType/);
    write({ accounts: [{ ...good, clientNonce: 'not base64!' }] });
    expect(() => loadAccounts(f)).toThrow(/clientNonce: must be base64/);
    write({ accounts: [{ ...good, secret: 'typo' }] });
    expect(() => loadAccounts(f)).toThrow(/Unrecognized key/);
    expect(() => new DmsServer({ accounts: [{ ...good, authType: 'bogus' as 'DIGEST' }] })).toThrow(/authType bogus/);
  });
});
