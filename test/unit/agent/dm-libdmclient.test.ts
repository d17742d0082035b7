/**
 * What Intel's libdmclient (github intel/libdmclient 9d4e3e8, a C OMA DM 1.2 client) sends, as
 * recorded from sessions with `simdm dms serve` (test/fixtures/dm/libdmclient/README.md), replayed
 * against the DMS without the peer. Each case pins one incompatibility found with it:
 *  1. no SyncHdr Source LocName: the account is the one whose md5 Cred verifies (DM_Security 5.5.2);
 *  2. a refused package 1 gets a Status for each command too (SyncML RepPro: one Status per
 *     command), so the client re-sends its Alert and Replace over the new nonce;
 *  3. every message after the first starts with a line feed before `<?xml`;
 *  4. a SyncHdr Status `<Data>0</Data>` (libdmclient: the server has not authenticated yet);
 *  5. its test client's content type application/vnd.syncml+xml (SyncML DS) is taken as XML;
 *  6. the device's refusal of the server credential (401 + Chal) is answered over its new nonce;
 *  7. it answers the commands of an Atomic one by one and gives the Atomic no Status: logged
 *     `incomplete` with `Atomic -> no Status`, not `ok`;
 *  8. it announces no MaxObjSize and does not take large objects (it wrote each chunk as the whole
 *     value): a long value goes to such a device whole; a device that answers a chunk other than
 *     213 has the object abandoned and the session logged incomplete.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeDmMessage, DM_CONTENT_TYPE, type DmCommand, type DmItem, type DmMessage, encodeDmMessage } from '../../../src/dm/message.js';
import { type DmsAccount, DmsServer, type DmsCommand, type DmsSessionLog } from '../../../src/dms/server.js';
import { authHmac, authMd5 } from '../../../src/secure/dm/auth.js';
import { formatHmacHeader } from '../../../src/secure/dm/hmac-header.js';

const DIR = join(import.meta.dirname, '../../fixtures/dm/libdmclient');
const fx = (name: string): Buffer => readFileSync(join(DIR, name));

/** The account the recordings were made with (README.md). */
const ACCOUNT: DmsAccount = {
  serverId: 'simdm',
  clientName: 'ldm-client',
  clientSecret: 'client-pw',
  serverName: 'simdm-server',
  serverSecret: 'server-pw',
  clientNonce: Buffer.from('client-nonce').toString('base64'),
  serverNonce: Buffer.from('server-nonce').toString('base64'),
  authType: 'DIGEST',
  addr: 'http://127.0.0.1:38443/dm',
};
/** The x-syncml-hmac of hmac-1.xml over the client nonce (computed by the driver, DM_Security 5.5.3). */
const HMAC_1 = 'algorithm=MD5, username="ldm-client", mac=q1wuEm+GRCJ2qS5WR3Vr9g==';

type Status = Extract<DmCommand, { kind: 'Status' }>;
const statuses = (m: DmMessage): Status[] => m.body.filter((c): c is Status => c.kind === 'Status');

let dms: DmsServer | undefined;
afterEach(async () => {
  await dms?.close();
  dms = undefined;
});

async function start(accounts: DmsAccount[], commands: DmsCommand[] = [], group?: 'Atomic'): Promise<{ port: number; log: DmsSessionLog[] }> {
  const log: DmsSessionLog[] = [];
  dms = new DmsServer({ accounts, commands, onSession: (l) => log.push(l), ...(group ? { group } : {}) });
  return { port: (await dms.listen()).port, log };
}

function post(
  port: number,
  body: Uint8Array,
  contentType: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; msg: DmMessage; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/dm', method: 'POST', headers: { 'content-type': contentType, ...extra } }, (res) => {
      const c: Buffer[] = [];
      res.on('data', (d: Buffer) => c.push(d));
      res.on('end', () => {
        const raw = Buffer.concat(c);
        try {
          resolve({ status: res.statusCode ?? 0, msg: decodeDmMessage(raw, res.headers['content-type']), raw });
        } catch (e) {
          reject(new Error(`HTTP ${res.statusCode}: ${raw.toString().slice(0, 200)}`, { cause: e }));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('libdmclient messages decode', () => {
  it('reads a message that starts with a line feed before <?xml (messages 2.. of a session)', () => {
    const raw = fx('md5-2.xml');
    expect(raw[0]).toBe(0x0a);
    const m = decodeDmMessage(raw, DM_CONTENT_TYPE.xml);
    expect(m.header).toMatchObject({ sessionId: '1', msgId: 2, source: 'DMCtest' });
    const results = m.body.find((c) => c.kind === 'Results');
    expect(results).toMatchObject({ msgRef: 1, cmdRef: 4, items: [{ source: './DevInfo/DevId', data: 'DMCtest' }] });
    expect(decodeDmMessage(fx('hmac-2.xml'), DM_CONTENT_TYPE.xml).header.msgId).toBe(2);
  });

  it('reads its WBXML (SyncML 1.2 code pages, public id 0x1201) like its XML', () => {
    const x = decodeDmMessage(fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    const w = decodeDmMessage(fx('md5-1.wbxml'), DM_CONTENT_TYPE.wbxml);
    expect(w.body).toEqual(x.body);
    expect(w.header.cred?.type).toBe('syncml:auth-md5');
    expect(x.header.sourceName).toBeUndefined(); // no LocName: the account is found by its Cred
  });

  it('reads a SyncHdr Status with <Data>0</Data> (its answer to a server message without Cred)', () => {
    const m = decodeDmMessage(fx('bad-client-secret-2.xml'), DM_CONTENT_TYPE.xml);
    expect(statuses(m)[0]).toMatchObject({ cmdRef: 0, cmd: 'SyncHdr', data: 0 });
  });
});

describe('DMS against recorded libdmclient sessions', () => {
  it('md5: finds the account without LocName by the credential, accepts it, authenticates itself, runs the session to the end', async () => {
    // another DIGEST account served at the same address: the credential, not "the only one", decides
    const other: DmsAccount = { ...ACCOUNT, serverId: 'other', clientName: 'someone-else', clientSecret: 'x' };
    const { port, log } = await start(
      [other, ACCOUNT],
      [
        { verb: 'Get', uri: './DevInfo/DevId' },
        { verb: 'Replace', uri: './DMAcc/simdm/Name', data: 'renamed' },
      ],
    );
    const a1 = await post(port, fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    const st = statuses(a1.msg);
    expect(st[0]).toMatchObject({ cmdRef: 0, cmd: 'SyncHdr', data: 212, chal: { type: 'syncml:auth-md5', format: 'b64' } });
    expect(st.slice(1).map((s) => [s.cmd, s.cmdRef, s.data])).toEqual([
      ['Alert', 1, 200],
      ['Replace', 2, 200],
    ]);
    // its own md5 Cred over the SRVCRED nonce, which libdmclient checks
    expect(a1.msg.header.cred).toEqual({ type: 'syncml:auth-md5', format: 'b64', data: authMd5('simdm-server', 'server-pw', Buffer.from('server-nonce')) });
    // the commands carry the CmdIDs libdmclient's message 2 refers to
    expect(a1.msg.body.filter((c) => c.kind === 'Get' || c.kind === 'Replace').map((c) => c.cmdId)).toEqual([4, 5]);
    const a2 = await post(port, fx('md5-2.xml'), DM_CONTENT_TYPE.xml);
    expect(statuses(a2.msg)[0]).toMatchObject({ cmdRef: 0, msgRef: 2, data: 200 });
    expect(a2.msg.body.filter((c) => c.kind !== 'Status')).toEqual([]);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      clientName: 'ldm-client',
      serverId: 'simdm',
      devId: 'DMCtest',
      result: 'ok',
      commands: ['Get ./DevInfo/DevId -> 200', 'Replace ./DMAcc/simdm/Name -> 200'],
    });
  });

  it('md5 WBXML: the same session, answered in WBXML', async () => {
    const { port, log } = await start(
      [ACCOUNT],
      [
        { verb: 'Get', uri: './DevInfo/DevId' },
        { verb: 'Replace', uri: './DMAcc/simdm/Name', data: 'renamed' },
      ],
    );
    const a1 = await post(port, fx('md5-1.wbxml'), DM_CONTENT_TYPE.wbxml);
    expect(a1.raw[0]).toBe(0x03); // WBXML 1.3, which libdmclient reads
    expect(statuses(a1.msg)[0]!.data).toBe(212);
    await post(port, fx('md5-2.wbxml'), DM_CONTENT_TYPE.wbxml);
    expect(log[0]).toMatchObject({ result: 'ok', results: [{ source: './DevInfo/DevId', data: 'DMCtest' }] });
  });

  it('a refused package 1 answers each command 401 too, with a fresh Chal (libdmclient re-sends only commands answered 401/407)', async () => {
    const { port, log } = await start([{ ...ACCOUNT, clientSecret: 'not-what-the-device-has' }]);
    const a = await post(port, fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    const st = statuses(a.msg);
    expect(st.map((s) => [s.cmd, s.cmdRef, s.data])).toEqual([
      ['SyncHdr', 0, 401],
      ['Alert', 1, 401],
      ['Replace', 2, 401],
    ]);
    expect(st[0]!.chal?.nextNonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(log[0]).toMatchObject({ clientName: 'ldm-client', serverId: 'simdm', result: 'dm.auth-failure' });
  });

  it('when libdmclient refuses the server credential (401 + Chal), the server tries once more over the nonce it gave', async () => {
    const { port, log } = await start([ACCOUNT], [{ verb: 'Get', uri: './DevInfo/DevId' }]);
    await post(port, fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    const refusal = decodeDmMessage(fx('bad-server-secret-2.xml'), DM_CONTENT_TYPE.xml);
    const chal = statuses(refusal)[0]!.chal!;
    expect(chal.type).toBe('syncml:auth-md5');
    const a2 = await post(port, fx('bad-server-secret-2.xml'), DM_CONTENT_TYPE.xml);
    // libdmclient's nonce: base64 of the text it uses as the nonce bytes
    expect(a2.msg.header.cred?.data).toBe(authMd5('simdm-server', 'server-pw', Buffer.from(chal.nextNonce!, 'base64')));
    expect(a2.msg.body.some((c) => c.kind === 'Get')).toBe(true);
    expect(log).toEqual([]); // the session goes on
  });

  it('an Atomic libdmclient gave no Status is logged incomplete (it ran the commands one by one)', async () => {
    const { port, log } = await start(
      [ACCOUNT],
      [
        { verb: 'Get', uri: './DevInfo/DevId' },
        { verb: 'Replace', uri: './DMAcc/simdm/Name', data: 'renamed' },
      ],
      'Atomic',
    );
    const a1 = await post(port, fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    expect(a1.msg.body.find((c) => c.kind === 'Atomic')).toMatchObject({
      cmdId: 4,
      body: [
        { kind: 'Get', cmdId: 5 },
        { kind: 'Replace', cmdId: 6 },
      ],
    });
    const reply = decodeDmMessage(fx('atomic-2.xml'), DM_CONTENT_TYPE.xml);
    expect(statuses(reply).map((x) => x.cmdRef)).toEqual([0, 5, 6]); // nothing for CmdRef 4
    await post(port, fx('atomic-2.xml'), DM_CONTENT_TYPE.xml);
    expect(log[0]).toMatchObject({
      result: 'incomplete',
      commands: ['Get ./DevInfo/DevId -> 200', 'Replace ./DMAcc/simdm/Name -> 200', 'Atomic -> no Status'],
    });
  });

  it('sends a long value whole to a device without MaxObjSize (libdmclient), in chunks to one with it', async () => {
    const long = 'x'.repeat(6000);
    const { port } = await start([ACCOUNT], [{ verb: 'Replace', uri: './DMAcc/simdm/Name', data: long }]);
    const a = await post(port, fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    expect(decodeDmMessage(fx('md5-1.xml'), DM_CONTENT_TYPE.xml).header.maxObjSize).toBeUndefined();
    const r = a.msg.body.find((c) => c.kind === 'Replace') as { cmdId: number; items: DmItem[] };
    expect(r.items[0]).toMatchObject({ data: long });
    expect(r.items[0]!.moreData).toBeUndefined();
    expect(a.msg.final).toBe(true);
  });

  it('abandons a large object the device does not buffer (200 on a chunk) and logs incomplete; refuses one over MaxObjSize', async () => {
    const long = 'y'.repeat(6000);
    const { port, log } = await start([ACCOUNT], [{ verb: 'Replace', uri: './DMAcc/simdm/Name', data: long }]);
    // libdmclient's package 1 as if it announced MaxObjSize (its Cred does not cover the header Meta)
    const pkg1 = decodeDmMessage(fx('md5-1.xml'), DM_CONTENT_TYPE.xml);
    pkg1.header.maxObjSize = 65536;
    const a1 = await post(port, encodeDmMessage(pkg1, 'xml'), DM_CONTENT_TYPE.xml);
    const chunk = a1.msg.body.find((c) => c.kind === 'Replace') as { cmdId: number; items: DmItem[] };
    expect(chunk.items[0]).toMatchObject({ moreData: true, meta: { size: 6000 } });
    expect(a1.msg.final).toBe(false);
    const answer: DmMessage = {
      header: { sessionId: pkg1.header.sessionId, msgId: 2, target: pkg1.header.target, source: pkg1.header.source },
      body: [
        { kind: 'Status', cmdId: 1, msgRef: 1, cmdRef: 0, cmd: 'SyncHdr', data: 212 },
        { kind: 'Status', cmdId: 2, msgRef: 1, cmdRef: chunk.cmdId, cmd: 'Replace', data: 200 },
      ],
      final: true,
    };
    const a2 = await post(port, encodeDmMessage(answer, 'xml'), DM_CONTENT_TYPE.xml);
    expect(a2.msg.body.filter((c) => c.kind === 'Replace')).toEqual([]); // no second chunk
    expect(log[0]).toMatchObject({ result: 'incomplete', commands: ['Replace ./DMAcc/simdm/Name -> 200 on a chunk (large object abandoned)'] });

    const big = await start([ACCOUNT], [{ verb: 'Replace', uri: './DMAcc/simdm/Name', data: 'z'.repeat(70000) }]);
    const b1 = await post(big.port, encodeDmMessage(pkg1, 'xml'), DM_CONTENT_TYPE.xml);
    expect(b1.msg.body.filter((c) => c.kind === 'Replace')).toEqual([]);
    await post(big.port, encodeDmMessage({ ...answer, body: [answer.body[0]!] }, 'xml'), DM_CONTENT_TYPE.xml);
    expect(big.log[0]).toMatchObject({
      result: 'incomplete',
      commands: ["Replace ./DMAcc/simdm/Name -> not sent (larger than the device's MaxObjSize 65536)"],
    });
  });

  it("takes libdmclient's test client content type application/vnd.syncml+xml and answers in XML", async () => {
    const { port } = await start([ACCOUNT]);
    const a = await post(port, fx('md5-1.xml'), 'application/vnd.syncml+xml');
    expect(a.raw.subarray(0, 5).toString()).toBe('<?xml');
    expect(statuses(a.msg)[0]!.data).toBe(212);
  });

  it('HMAC: finds the account by the x-syncml-hmac username and accepts libdmclient body + header', async () => {
    const { port, log } = await start([{ ...ACCOUNT, authType: 'HMAC' }], [{ verb: 'Get', uri: './DevInfo/DevId' }]);
    // the recorded header is what DM_Security 5.5.3 gives for this body and nonce
    expect(HMAC_1).toBe(formatHmacHeader({ username: 'ldm-client', mac: authHmac('ldm-client', 'client-pw', Buffer.from('client-nonce'), fx('hmac-1.xml')) }));
    const a = await post(port, fx('hmac-1.xml'), DM_CONTENT_TYPE.xml, { 'x-syncml-hmac': HMAC_1 });
    expect(statuses(a.msg)[0]).toMatchObject({ data: 212, chal: { type: 'syncml:auth-MAC' } });
    expect(log).toEqual([]);
  });
});
