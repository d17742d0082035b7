/**
 * A server message the device refuses (its credential is missing or wrong) is answered with the
 * refusal in the SyncHdr Status and, one for one, the same code for each of its commands, none
 * executed (SyncML RepPro: one Status per command; DM_Security 5.5.2). Driven against a scripted
 * server that never authenticates itself.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { dmSession } from '../../../src/agent/dm-client.js';
import { emptyTree } from '../../../src/agent/tree.js';
import { decodeDmMessage, DM_CONTENT_TYPE, type DmCommand, type DmMessage, encodeDmMessage } from '../../../src/dm/message.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('agent refusing a server message', () => {
  it('answers 407 for the SyncHdr and 407 for each command, and executes none', async () => {
    const seen: DmMessage[] = [];
    server = createServer((req, res) => {
      const c: Buffer[] = [];
      req.on('data', (d: Buffer) => c.push(d));
      req.on('end', () => {
        const m = decodeDmMessage(Buffer.concat(c), req.headers['content-type']);
        seen.push(m);
        // accepts the device, sends a Replace and a Get, and no credential of its own
        const body: DmCommand[] = [
          { kind: 'Status', cmdId: 1, msgRef: m.header.msgId, cmdRef: 0, cmd: 'SyncHdr', chal: { type: 'syncml:auth-md5', nextNonce: 'bm9uY2U=' }, data: 212 },
          { kind: 'Replace', cmdId: 2, items: [{ target: './DMAcc/A/Name', data: 'hijacked' }] },
          { kind: 'Get', cmdId: 3, items: [{ target: './DMAcc/A/Name' }] },
        ];
        const out = encodeDmMessage(
          { header: { sessionId: m.header.sessionId, msgId: seen.length, target: m.header.source, source: m.header.target }, body, final: true },
          'xml',
        );
        res.writeHead(200, { 'content-type': DM_CONTENT_TYPE.xml });
        res.end(out);
      });
    });
    const port = await new Promise<number>((r) => server!.listen(0, '127.0.0.1', () => r((server!.address() as { port: number }).port)));
    const tree = emptyTree();
    tree.dm['./DMAcc/A/Name'] = 'mine';
    const acc = {
      nodeName: 'A',
      serverId: 'srv',
      addr: `http://127.0.0.1:${port}/dm`,
      auth: [
        { level: 'CLCRED', type: 'DIGEST', name: 'dev', secret: 'devpw', data: 'Y2xpZW50' },
        { level: 'SRVCRED', type: 'DIGEST', name: 'srv', secret: 'srvpw', data: 'c2VydmVy' },
      ],
    };
    await expect(dmSession(acc, tree, { devId: 'IMEI:1', allowHttp: true, encoding: 'xml' })).rejects.toThrow(/failed to authenticate itself/);
    const second = seen[1]!;
    const st = second.body.filter((c): c is Extract<DmCommand, { kind: 'Status' }> => c.kind === 'Status');
    expect(st.map((s) => [s.cmd, s.cmdRef, s.data])).toEqual([
      ['SyncHdr', 0, 407],
      ['Replace', 2, 407],
      ['Get', 3, 407],
    ]);
    expect(st[0]!.chal?.type).toBe('syncml:auth-md5');
    expect(second.body.some((c) => c.kind === 'Results')).toBe(false);
    expect(tree.dm['./DMAcc/A/Name']).toBe('mine');
  });
});
