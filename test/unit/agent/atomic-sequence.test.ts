/**
 * Atomic and Sequence on the device (OMA-TS-DM_RepPro V1.2 6.6.3 Atomic: all or none, 507 for the
 * Atomic, 216 for its commands rolled back, 215 for those not executed; 6.6.13 Sequence: in
 * order), on the wire (XML and WBXML, nested) and through a session with `dms serve --group`.
 */
import { describe, expect, it } from 'vitest';
import { executeBody, type TreeSession } from '../../../src/agent/dm-tree.js';
import { emptyTree } from '../../../src/agent/tree.js';
import { SPEC_A } from './helpers/cards.js';
import { sessionWithAgent } from './helpers/agent-session.js';
import { decodeDmMessage, DM_CONTENT_TYPE, type DmCommand, type DmMessage, encodeDmMessage } from '../../../src/dm/message.js';

function session(): TreeSession {
  const tree = emptyTree();
  tree.dm['./DevInfo'] = '(node)';
  tree.dm['./DevInfo/Man'] = 'ACME';
  tree.dm['./DMAcc'] = '(node)';
  tree.dm['./DMAcc/Op'] = '(node)';
  tree.dm['./DMAcc/Op/Name'] = 'Operator';
  tree.owners.dmacc.Op = { pair: 'p', authority: 'a' };
  return { tree, cardChanges: new Set(), changed: [] };
}

const msg = (body: DmCommand[]): DmMessage => ({ header: { sessionId: '1', msgId: 3, target: 'dev', source: 'srv' }, body, final: true });
const replace = (cmdId: number, uri: string, data: string): DmCommand => ({ kind: 'Replace', cmdId, items: [{ target: uri, data }] });
const add = (cmdId: number, uri: string, data: string): DmCommand => ({ kind: 'Add', cmdId, items: [{ target: uri, data }] });
const get = (cmdId: number, uri: string): DmCommand => ({ kind: 'Get', cmdId, items: [{ target: uri }] });
/** [Cmd, CmdRef, code] of each Status, in order */
const codes = (answers: DmCommand[]): [string, number, number][] =>
  answers.filter((a): a is Extract<DmCommand, { kind: 'Status' }> => a.kind === 'Status').map((a) => [a.cmd, a.cmdRef, a.data]);

describe('Atomic (RepPro 6.6.3)', () => {
  it('all succeed: 200 for the Atomic and each command, the changes stay', () => {
    const s = session();
    const r = executeBody(s, msg([{ kind: 'Atomic', cmdId: 1, body: [replace(2, './DMAcc/Op/Name', 'New'), add(3, './DMAcc/Op/Ext/x', '1')] }]));
    expect(codes(r.answers)).toEqual([
      ['Atomic', 1, 200],
      ['Replace', 2, 200],
      ['Add', 3, 200],
    ]);
    expect(r.commands).toBe(1);
    expect(s.tree.dm['./DMAcc/Op/Name']).toBe('New');
    expect(s.tree.dm['./DMAcc/Op/Ext/x']).toBe('1');
    expect([...s.cardChanges]).toEqual(['Op']);
  });

  it('one fails: everything rolled back (tree, changed list, card write-back), 507 / 216 / own code / 215', () => {
    const s = session();
    const before = structuredClone(s.tree.dm);
    const r = executeBody(
      s,
      msg([
        {
          kind: 'Atomic',
          cmdId: 1,
          body: [replace(2, './DMAcc/Op/Name', 'New'), add(3, './DMAcc/Op/Ext/x', '1'), replace(4, './DevInfo/Man', 'x'), add(5, './DMAcc/Op/Ext/y', '2')],
        },
        get(6, './DMAcc/Op/Name'),
      ]),
    );
    expect(codes(r.answers)).toEqual([
      ['Atomic', 1, 507],
      ['Replace', 2, 216],
      ['Add', 3, 216],
      ['Replace', 4, 405], // ./DevInfo is read-only for the server
      ['Add', 5, 215],
      ['Get', 6, 200],
    ]);
    expect(s.tree.dm).toEqual(before);
    expect(s.changed).toEqual([]);
    expect(s.cardChanges.size).toBe(0);
    // the Get after the Atomic sees the old value
    expect(r.answers.find((a) => a.kind === 'Results')).toMatchObject({ cmdRef: 6, items: [{ data: 'Operator' }] });
  });

  it('keeps the Results of a Get in a successful Atomic and drops them from a failed one', () => {
    const ok = executeBody(session(), msg([{ kind: 'Atomic', cmdId: 1, body: [get(2, './DMAcc/Op/Name')] }]));
    expect(ok.answers.filter((a) => a.kind === 'Results')).toHaveLength(1);
    const failed = executeBody(session(), msg([{ kind: 'Atomic', cmdId: 1, body: [get(2, './DMAcc/Op/Name'), get(3, './Nowhere')] }]));
    expect(codes(failed.answers)).toEqual([
      ['Atomic', 1, 507],
      ['Get', 2, 216],
      ['Get', 3, 404],
    ]);
    expect(failed.answers.filter((a) => a.kind === 'Results')).toEqual([]);
  });

  it('an Atomic inside an Atomic is refused 500 and fails the outer one', () => {
    const s = session();
    const r = executeBody(
      s,
      msg([{ kind: 'Atomic', cmdId: 1, body: [replace(2, './DMAcc/Op/Name', 'New'), { kind: 'Atomic', cmdId: 3, body: [add(4, './DMAcc/Op/z', '1')] }] }]),
    );
    expect(codes(r.answers)).toEqual([
      ['Atomic', 1, 507],
      ['Replace', 2, 216],
      ['Atomic', 3, 500],
      ['Add', 4, 215],
    ]);
    expect(s.tree.dm['./DMAcc/Op/Name']).toBe('Operator');
    expect(s.tree.dm['./DMAcc/Op/z']).toBeUndefined();
  });
});

describe('Sequence (RepPro 6.6.13)', () => {
  it('runs its commands in order, each answered on its own; a failure does not undo the others', () => {
    const s = session();
    const r = executeBody(
      s,
      msg([
        {
          kind: 'Sequence',
          cmdId: 1,
          // the Replace needs the Add before it
          body: [add(2, './DMAcc/Op/Ext/x', 'a'), replace(3, './DMAcc/Op/Ext/x', 'b'), get(4, './DMAcc/Op/Ext/x'), replace(5, './DevInfo/Man', 'x')],
        },
      ]),
    );
    expect(codes(r.answers)).toEqual([
      ['Sequence', 1, 200],
      ['Add', 2, 200],
      ['Replace', 3, 200],
      ['Get', 4, 200],
      ['Replace', 5, 405],
    ]);
    expect(r.answers.find((a) => a.kind === 'Results')).toMatchObject({ cmdRef: 4, items: [{ source: './DMAcc/Op/Ext/x', data: 'b' }] });
    expect(s.tree.dm['./DMAcc/Op/Ext/x']).toBe('b');
  });

  it('a Sequence inside an Atomic is rolled back with it', () => {
    const s = session();
    const r = executeBody(
      s,
      msg([{ kind: 'Atomic', cmdId: 1, body: [{ kind: 'Sequence', cmdId: 2, body: [add(3, './DMAcc/Op/q', '1')] }, get(4, './Nowhere')] }]),
    );
    expect(codes(r.answers)).toEqual([
      ['Atomic', 1, 507],
      ['Sequence', 2, 216],
      ['Add', 3, 216],
      ['Get', 4, 404],
    ]);
    expect(s.tree.dm['./DMAcc/Op/q']).toBeUndefined();
  });
});

describe('Atomic/Sequence on the wire', () => {
  const m = msg([
    {
      kind: 'Atomic',
      cmdId: 1,
      body: [replace(2, './A/b', 'c'), { kind: 'Sequence', cmdId: 3, body: [get(4, './A/b'), { kind: 'Delete', cmdId: 5, items: [{ target: './A' }] }] }],
    },
  ]);
  for (const enc of ['xml', 'wbxml'] as const) {
    it(`nested groups encode and decode (${enc})`, () => {
      const bytes = encodeDmMessage(m, enc);
      expect(decodeDmMessage(bytes, DM_CONTENT_TYPE[enc]).body).toEqual(m.body);
    });
  }

  it('XML as RepPro writes it: <Atomic><CmdID/> commands </Atomic>', () => {
    const text = new TextDecoder().decode(encodeDmMessage(m, 'xml'));
    expect(text).toContain('<Atomic><CmdID>1</CmdID><Replace><CmdID>2</CmdID>');
    expect(text).toContain('<Sequence><CmdID>3</CmdID><Get><CmdID>4</CmdID>');
  });

  it('refuses groups nested deeper than 4 with dm.message', () => {
    let c: DmCommand = get(99, './x');
    for (let i = 0; i < 5; i++) c = { kind: 'Sequence', cmdId: 10 + i, body: [c] };
    expect(() => decodeDmMessage(encodeDmMessage(msg([c]), 'xml'), DM_CONTENT_TYPE.xml)).toThrow(/nested deeper than 4/);
  });
});

describe('dms serve --group atomic against the agent', () => {
  const run = (group: 'Atomic' | 'Sequence', uris: [string, string][]) =>
    sessionWithAgent({ group, commands: uris.map(([uri, data]) => ({ verb: 'Replace' as const, uri, data })) });

  it('a failing Atomic leaves the device tree as it was and the DMS logs 507/216/405', async () => {
    const name = `./DMAcc/${SPEC_A.account}/Name`;
    const r = await run('Atomic', [
      [name, 'changed'],
      ['./DevInfo/Man', 'not allowed'],
    ]);
    expect(r.log.map((l) => l.result)).toEqual(['ok']);
    expect(r.log[0]!.commands).toEqual(['Atomic -> 507', `Replace ${name} -> 216`, 'Replace ./DevInfo/Man -> 405']);
    expect(r.tree.dm[name]).not.toBe('changed');
  });

  it('a Sequence applies what succeeds, in order', async () => {
    const name = `./DMAcc/${SPEC_A.account}/Name`;
    const r = await run('Sequence', [
      [name, 'first'],
      [name, 'second'],
    ]);
    expect(r.log[0]!.commands).toEqual(['Sequence -> 200', `Replace ${name} -> 200`, `Replace ${name} -> 200`]);
    expect(r.tree.dm[name]).toBe('second');
  });
});
