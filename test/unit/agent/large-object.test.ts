/**
 * Large objects (OMA-TS-DM_Protocol V1.2 large object handling; RepPro MoreData, MetInf Size and
 * MaxObjSize, Status 213 / 413 / 424): an object longer than one message's data goes in chunks,
 * one per message, each but the last with <MoreData/>, the first with the object's Size; the
 * device buffers (213) and runs the command once with the whole object.
 */
import { describe, expect, it } from 'vitest';
import { executeBody, MAX_OBJECT, type TreeSession } from '../../../src/agent/dm-tree.js';
import { emptyTree } from '../../../src/agent/tree.js';
import { decodeDmMessage, DM_CONTENT_TYPE, type DmCommand, type DmItem, type DmMessage, encodeDmMessage } from '../../../src/dm/message.js';
import { sessionWithAgent } from './helpers/agent-session.js';

const msg = (body: DmCommand[], final = true): DmMessage => ({ header: { sessionId: '1', msgId: 2, target: 'dev', source: 'srv' }, body, final });
const replace = (cmdId: number, item: DmItem): DmCommand => ({ kind: 'Replace', cmdId, items: [{ target: './Vendor/Blob', ...item }] });
const status = (s: TreeSession, c: DmCommand): number => (executeBody(s, msg([c])).answers[0] as { data: number }).data;
function session(): TreeSession {
  const tree = emptyTree();
  tree.dm['./Vendor'] = '(node)';
  tree.dm['./Vendor/Blob'] = 'old';
  return { tree, cardChanges: new Set(), changed: [] };
}

describe('large objects on the wire', () => {
  const m: DmMessage = {
    header: { sessionId: '1', msgId: 1, target: 'srv', source: 'dev', maxMsgSize: 65536, maxObjSize: MAX_OBJECT },
    body: [replace(1, { meta: { format: 'chr', size: 10 }, data: 'abcde', moreData: true })],
    final: false,
  };
  for (const enc of ['xml', 'wbxml'] as const) {
    it(`MoreData, Meta Size and MaxObjSize encode and decode (${enc})`, () => {
      expect(decodeDmMessage(encodeDmMessage(m, enc), DM_CONTENT_TYPE[enc])).toEqual(m);
    });
  }
  it('XML in the DTD order: Data then MoreData; MetInf Format, Size; MaxMsgSize before MaxObjSize', () => {
    const x = new TextDecoder().decode(encodeDmMessage(m, 'xml'));
    expect(x).toContain('<Data>abcde</Data><MoreData/></Item>');
    expect(x).toMatch(/<Format xmlns="syncml:metinf">chr<\/Format><Size xmlns="syncml:metinf">10<\/Size>/);
    expect(x).toMatch(/<MaxMsgSize xmlns="syncml:metinf">65536<\/MaxMsgSize><MaxObjSize xmlns="syncml:metinf">262144<\/MaxObjSize>/);
    expect(x).not.toContain('<Final/>');
  });
});

describe('the device receiving a large object', () => {
  it('213 for each chunk with MoreData, then the command runs once with the whole object', () => {
    const s = session();
    expect(status(s, replace(1, { meta: { format: 'chr', size: 9 }, data: 'abc', moreData: true }))).toBe(213);
    expect(s.tree.dm['./Vendor/Blob']).toBe('old');
    expect(status(s, replace(2, { data: 'def', moreData: true }))).toBe(213);
    expect(status(s, replace(3, { data: 'ghi' }))).toBe(200);
    expect(s.tree.dm['./Vendor/Blob']).toBe('abcdefghi');
    expect(s.changed).toEqual(['./Vendor/Blob']);
  });

  it('424 when the chunks do not add up to the Size; 400 without a Size; 413 beyond MaxObjSize', () => {
    const s = session();
    expect(status(s, replace(1, { meta: { size: 5 }, data: 'abc', moreData: true }))).toBe(213);
    expect(status(s, replace(2, { data: 'd' }))).toBe(424);
    expect(s.tree.dm['./Vendor/Blob']).toBe('old');
    expect(status(s, replace(3, { meta: { size: 2 }, data: 'abc', moreData: true }))).toBe(424);
    expect(status(s, replace(4, { data: 'abc', moreData: true }))).toBe(400);
    expect(status(s, replace(5, { meta: { size: MAX_OBJECT + 1 }, data: 'a', moreData: true }))).toBe(413);
    // nothing buffered: an ordinary Replace goes through
    expect(status(s, replace(6, { data: 'plain' }))).toBe(200);
    expect(s.tree.dm['./Vendor/Blob']).toBe('plain');
  });

  it('Size counts UTF-8 bytes', () => {
    const s = session();
    expect(status(s, replace(1, { meta: { size: 4 }, data: 'é', moreData: true }))).toBe(213);
    expect(status(s, replace(2, { data: 'é' }))).toBe(200);
    expect(s.tree.dm['./Vendor/Blob']).toBe('éé');
  });
});

describe('dms serve sends a large object to the agent', () => {
  it('an Add of 20000 characters (more than one Data of 8192) arrives whole in 5 chunks', async () => {
    const blob = Array.from({ length: 20000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const r = await sessionWithAgent({
      commands: [
        { verb: 'Add', uri: './Vendor/Blob', data: blob },
        { verb: 'Get', uri: './DevInfo/Man' },
      ],
    });
    expect(r.log).toHaveLength(1);
    expect(r.log[0]).toMatchObject({ result: 'ok', commands: ['Add ./Vendor/Blob -> 200', 'Get ./DevInfo/Man -> 200'] });
    // whole: one Data of 20000 characters would not pass a decoder (8192 at most per value)
    expect(r.tree.dm['./Vendor/Blob']).toBe(blob);
    // package 1, then one message per chunk (the device answering 213 and Alert 1222), then the end
    expect(r.events.find((e) => e.type === 'connected')).toMatchObject({ roundTrips: 6 });
  });
});
