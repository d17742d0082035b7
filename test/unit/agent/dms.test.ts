import { request } from 'node:https';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountsFromDmFields } from '../../../src/dms/accounts.js';
import type { DmsServer } from '../../../src/dms/server.js';
import { authHmac, authMd5, verifyMd5 } from '../../../src/secure/dm/auth.js';
import { formatHmacHeader } from '../../../src/secure/dm/hmac-header.js';
import { pki } from '../bridge/helpers/server.js';
import { SPEC_A, SPEC_B } from './helpers/cards.js';
import { accountOf, startDms } from './helpers/dms.js';

let dms: DmsServer;
let url: string;
beforeEach(async () => {
  ({ dms, url } = await startDms([accountOf(SPEC_A), accountOf(SPEC_B)]));
});
afterEach(async () => {
  await dms.close();
});

function post(body: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, ca: pki().caCert }, (res) => {
      const c: Buffer[] = [];
      res.on('data', (d: Buffer) => c.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(c).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const challenge = Buffer.from('0123456789abcdef');
const bodyOf = (s: typeof SPEC_A) => JSON.stringify({ v: 1, serverId: s.serverId, clientName: s.clientName, devId: 'urn:uuid:test', challenge: challenge.toString('base64') });
const nonceA = Buffer.from(SPEC_A.clientNonce, 'base64');

describe('DMS', () => {
  it('authenticates syncml:auth-md5 over the current nonce, proves itself over the challenge, rotates the nonce', async () => {
    const r = await post(bodyOf(SPEC_A), { authorization: `syncml:auth-md5 ${authMd5(SPEC_A.clientName, SPEC_A.clientSecret, nonceA)}` });
    expect(r.status).toBe(200);
    expect(verifyMd5(r.body.serverCred!, SPEC_A.serverName, SPEC_A.serverSecret, challenge)).toBe(true);
    const next = Buffer.from(r.body.nextNonce!, 'base64');
    expect(next.length).toBe(16);
    const r2 = await post(bodyOf(SPEC_A), { authorization: `syncml:auth-md5 ${authMd5(SPEC_A.clientName, SPEC_A.clientSecret, next)}` });
    expect(r2.status).toBe(200);
  });

  it('refuses a replayed request (401 dm.nonce-replay, no new nonce)', async () => {
    const h = { authorization: `syncml:auth-md5 ${authMd5(SPEC_A.clientName, SPEC_A.clientSecret, nonceA)}` };
    expect((await post(bodyOf(SPEC_A), h)).status).toBe(200);
    const again = await post(bodyOf(SPEC_A), h);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('dm.nonce-replay');
    expect(again.body.nextNonce).toBeUndefined();
  });

  it('refuses a wrong secret with a fresh challenge nonce; refuses no credential with one too', async () => {
    const bad = await post(bodyOf(SPEC_A), { authorization: `syncml:auth-md5 ${authMd5(SPEC_A.clientName, 'wrong', nonceA)}` });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('dm.auth-failure');
    expect(bad.body.nextNonce).toBeDefined();
    const none = await post(bodyOf(SPEC_A), {});
    expect(none.status).toBe(401);
    expect(none.body.nextNonce).toBeDefined();
  });

  it('checks HMAC (x-syncml-hmac over the body) for an HMAC account, and refuses md5 there', async () => {
    const nonceB = Buffer.from(SPEC_B.clientNonce, 'base64');
    const body = bodyOf(SPEC_B);
    const md5 = await post(body, { authorization: `syncml:auth-md5 ${authMd5(SPEC_B.clientName, SPEC_B.clientSecret, nonceB)}` });
    expect(md5.status).toBe(401);
    const mac = authHmac(SPEC_B.clientName, SPEC_B.clientSecret, md5.body.nextNonce ? Buffer.from(md5.body.nextNonce, 'base64') : nonceB, new TextEncoder().encode(body));
    const ok = await post(body, { 'x-syncml-hmac': formatHmacHeader({ username: SPEC_B.clientName, mac }) });
    expect(ok.status).toBe(200);
    // the same MAC over a modified body fails
    const tampered = await post(body.replace('urn:uuid:test', 'urn:uuid:evil'), { 'x-syncml-hmac': formatHmacHeader({ username: SPEC_B.clientName, mac }) });
    expect(tampered.status).toBe(401);
  });

  it('answers malformed requests with 400 dms.request', async () => {
    expect((await post('not json', {})).status).toBe(400);
    expect((await post(JSON.stringify({ v: 1, serverId: 'x', clientName: 'y', devId: 'z', challenge: 'AA==' }), {})).status).toBe(400);
    expect((await post(bodyOf(SPEC_A), { authorization: 'Basic abc' })).body.code).toBe('dms.request');
  });

  it('derives its accounts from the bootstrap DM fields', () => {
    const fields = {
      './DMAcc/X/ServerID': 'srv',
      './DMAcc/X/AppAuth/srv/AAuthLevel': 'SRVCRED',
      './DMAcc/X/AppAuth/srv/AAuthType': 'DIGEST',
      './DMAcc/X/AppAuth/srv/AAuthName': 's',
      './DMAcc/X/AppAuth/srv/AAuthSecret': 'ss',
      './DMAcc/X/AppAuth/cli/AAuthLevel': 'CLCRED',
      './DMAcc/X/AppAuth/cli/AAuthType': 'DIGEST',
      './DMAcc/X/AppAuth/cli/AAuthName': 'c',
      './DMAcc/X/AppAuth/cli/AAuthSecret': 'cs',
      './DMAcc/X/AppAuth/cli/AAuthData': 'bm9uY2U= (b64)',
    };
    expect(accountsFromDmFields(fields)).toEqual([{ serverId: 'srv', clientName: 'c', clientSecret: 'cs', serverName: 's', serverSecret: 'ss', clientNonce: 'bm9uY2U=', authType: 'DIGEST' }]);
  });
});
