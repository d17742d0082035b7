/**
 * The DM wire format against published examples and an independent WBXML implementation:
 *  - a package 1 written as in the OMA-TS-DM_Protocol V1.2 examples (client Bruce2, password
 *    OhBehave, nonce "Nonce": Cred Zz6EivR3yeaaENcRN6lpAQ==, the DM_Security/Protocol example
 *    digest) is accepted by the DMS as XML and as WBXML made by libwbxml's xml2wbxml;
 *  - what simdm encodes as WBXML, libwbxml's wbxml2xml decodes to the same tree as simdm's XML.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalTree, parseXml } from '../../../src/codec/wbxml/index.js';
import { decodeDmMessage, DM_CONTENT_TYPE, encodeDmMessage, type DmMessage } from '../../../src/dm/message.js';
import { pki } from '../bridge/helpers/server.js';
import { startDms } from './helpers/dms.js';

const dir = mkdtempSync(join(tmpdir(), 'simdm-dm-wire-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tools(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v xml2wbxml && command -v wbxml2xml'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TOOLS = tools();

const PKG1 = (target: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" "http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd">
<SyncML xmlns="SYNCML:SYNCML1.2">
  <SyncHdr>
    <VerDTD>1.2</VerDTD>
    <VerProto>DM/1.2</VerProto>
    <SessionID>1</SessionID>
    <MsgID>1</MsgID>
    <Target><LocURI>${target}</LocURI></Target>
    <Source><LocURI>IMEI:493005100592800</LocURI><LocName>Bruce2</LocName></Source>
    <Cred>
      <Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta>
      <Data>Zz6EivR3yeaaENcRN6lpAQ==</Data>
    </Cred>
    <Meta><MaxMsgSize xmlns="syncml:metinf">5000</MaxMsgSize></Meta>
  </SyncHdr>
  <SyncBody>
    <Alert><CmdID>1</CmdID><Data>1201</Data></Alert>
    <Replace>
      <CmdID>3</CmdID>
      <Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>IMEI:493005100592800</Data></Item>
      <Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Device Factory, Inc.</Data></Item>
      <Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>SmartPhone2000</Data></Item>
      <Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.2</Data></Item>
      <Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>
    </Replace>
    <Final/>
  </SyncBody>
</SyncML>
`;

const account = {
  serverId: 'dm.example',
  clientName: 'Bruce2',
  clientSecret: 'OhBehave',
  serverName: 'Server',
  serverSecret: 'ServerSecret',
  clientNonce: Buffer.from('Nonce').toString('base64'),
  authType: 'DIGEST' as const,
};

function post(url: string, body: Uint8Array, ct: string): Promise<{ ct: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': ct }, ca: pki().caCert }, (res) => {
      const c: Buffer[] = [];
      res.on('data', (d: Buffer) => c.push(d));
      res.on('end', () => resolve({ ct: String(res.headers['content-type']), body: Buffer.concat(c) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hdrStatus = (m: DmMessage) => m.body.find((c) => c.kind === 'Status' && c.cmdRef === 0) as Extract<DmMessage['body'][number], { kind: 'Status' }>;

describe('DM wire format', () => {
  it('the spec example package 1 (XML) authenticates with the example digest', async () => {
    const { dms, url } = await startDms([account]);
    try {
      const a = await post(url, new TextEncoder().encode(PKG1(url)), DM_CONTENT_TYPE.xml);
      expect(a.ct).toBe(DM_CONTENT_TYPE.xml);
      const m = decodeDmMessage(a.body, a.ct);
      expect(hdrStatus(m).data).toBe(212);
      expect(m.body.filter((c) => c.kind === 'Status').map((c) => (c as { cmd: string; data: number }).cmd + ' ' + (c as { data: number }).data)).toEqual([
        'SyncHdr 212',
        'Alert 200',
        'Replace 200',
      ]);
    } finally {
      await dms.close();
    }
  });

  it.skipIf(!TOOLS)("libwbxml: xml2wbxml of the example is accepted; wbxml2xml reads simdm's WBXML answer and messages as simdm's XML", async () => {
    const { dms, url } = await startDms([account]);
    try {
      writeFileSync(join(dir, 'p1.xml'), PKG1(url));
      execFileSync('xml2wbxml', ['-v', '1.2', '-o', join(dir, 'p1.wbxml'), join(dir, 'p1.xml')], { stdio: 'pipe' });
      const a = await post(url, new Uint8Array(readFileSync(join(dir, 'p1.wbxml'))), DM_CONTENT_TYPE.wbxml);
      expect(a.ct).toBe(DM_CONTENT_TYPE.wbxml);
      const m = decodeDmMessage(a.body, a.ct);
      expect(hdrStatus(m).data).toBe(212);
      // the answer, decoded by libwbxml, is the tree simdm's XML encoder gives for the same message
      writeFileSync(join(dir, 'a.wbxml'), a.body);
      execFileSync('wbxml2xml', ['-o', join(dir, 'a.xml'), join(dir, 'a.wbxml')], { stdio: 'pipe' });
      const peer = canonicalTree(parseXml(readFileSync(join(dir, 'a.xml'), 'utf8')).root);
      const ours = canonicalTree(parseXml(new TextDecoder().decode(encodeDmMessage(m, 'xml'))).root);
      expect(peer).toEqual(ours);
      expect(JSON.stringify(peer)).toContain('NextNonce');
    } finally {
      await dms.close();
    }
  });
});
