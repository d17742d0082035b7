/**
 * ACLs on the agent's DM tree (OMA-TS-DM_TND V1.2.1 7.7.1): syntax (7.7.1.5, the spec's example
 * value), inheritance from the parent, the rights each command needs, 425 when not permitted,
 * `?prop=ACL` Get/Replace with the 7.7.1.3 rules, and the accounts a bootstrap seals per server.
 */
import { describe, expect, it } from 'vitest';
import { effectiveAcl, ownerAcl, parseAcl, permits, ROOT_ACL } from '../../../src/agent/acl.js';
import { executeBody, type TreeSession } from '../../../src/agent/dm-tree.js';
import { applyBootstrap, emptyTree } from '../../../src/agent/tree.js';
import type { DmCommand, DmMessage } from '../../../src/dm/message.js';

const msg = (body: DmCommand[]): DmMessage => ({ header: { sessionId: '1', msgId: 2, target: 'dev', source: 'srv' }, body, final: true });
const cmd = (kind: 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec', target: string, data?: string): DmCommand => ({
  kind,
  cmdId: 1,
  items: [{ target, ...(data !== undefined ? { data } : {}) }],
});
function exec(s: TreeSession, c: DmCommand) {
  const r = executeBody(s, msg([c]));
  const st = r.answers.find((a) => a.kind === 'Status') as Extract<DmCommand, { kind: 'Status' }>;
  const res = r.answers.find((a) => a.kind === 'Results') as Extract<DmCommand, { kind: 'Results' }> | undefined;
  return { status: st.data, data: res?.items[0]?.data };
}

/** Two accounts from two servers' bootstraps, as the agent builds them. */
function twoAccounts(serverId: string): TreeSession {
  const tree = emptyTree();
  const acc = (node: string, sid: string) => ({
    [`./DMAcc/${node}`]: '(node)',
    [`./DMAcc/${node}/ServerID`]: sid,
    [`./DMAcc/${node}/Name`]: node,
    [`./DMAcc/${node}/AppAuth/cli/AAuthLevel`]: 'CLCRED',
    [`./DMAcc/${node}/AppAuth/cli/AAuthType`]: 'DIGEST',
  });
  applyBootstrap(tree, 'pair', [
    { kind: 'dm', authority: 'op', fields: acc('A', 'srv-a') },
    { kind: 'dm', authority: 'ent', fields: acc('B', 'srv-b') },
  ]);
  return { tree, serverId, cardChanges: new Set(), changed: [] };
}

describe('ACL syntax (TND 7.7.1.5)', () => {
  it("reads the spec's example value", () => {
    const acl = parseAcl('Add=www.sonera.fi-8765&Delete=www.sonera.fi-8765&Replace=www.sonera.fi-8765+321_&Get=*')!;
    expect([...acl.get('Replace')!]).toEqual(['www.sonera.fi-8765', '321_']);
    expect([...acl.get('Get')!]).toEqual(['*']);
  });

  it('refuses what the grammar does not allow', () => {
    for (const bad of ['Get', 'Copy=*', 'Get=a b', 'Get=a&', 'Get=', 'Get=a*b', 'get=*']) expect(parseAcl(bad), bad).toBeUndefined();
    expect(parseAcl('')!.size).toBe(0); // "no value": inherit
  });
});

describe('ACL inheritance and rights', () => {
  it('a node without an ACL takes its parent’s, up to the root', () => {
    const tree = { acl: { './A': 'Get=s1', './A/B/C': 'Get=s2' } };
    expect(effectiveAcl(tree, './A/B')).toBe('Get=s1');
    expect(effectiveAcl(tree, './A/B/C')).toBe('Get=s2');
    expect(effectiveAcl(tree, './X')).toBe(ROOT_ACL);
    expect(permits(tree, './A/B', 'Get', 's1')).toBe(true);
    expect(permits(tree, './A/B', 'Get', 's2')).toBe(false);
    expect(permits(tree, './A/B', 'Replace', 's1')).toBe(false);
  });

  it('a bootstrap seals each account for its server: the other server gets 425 on every command', () => {
    const a = twoAccounts('srv-a');
    expect(a.tree.acl!['./DMAcc/A']).toBe(ownerAcl('srv-a'));
    expect(exec(a, cmd('Get', './DMAcc/A/Name'))).toEqual({ status: 200, data: 'A' });
    expect(exec(a, cmd('Replace', './DMAcc/A/Name', 'mine'))).toMatchObject({ status: 200 });
    expect(exec(a, cmd('Get', './DMAcc/B/Name')).status).toBe(425);
    expect(exec(a, cmd('Replace', './DMAcc/B/Name', 'x')).status).toBe(425);
    expect(exec(a, cmd('Add', './DMAcc/B/Ext/x', '1')).status).toBe(425);
    expect(exec(a, cmd('Delete', './DMAcc/B')).status).toBe(425);
    expect(a.tree.dm['./DMAcc/B/Name']).toBe('B');
    // ./DMAcc itself: anyone lists and adds (Add=*&Get=*)
    expect(exec(a, cmd('Get', './DMAcc'))).toEqual({ status: 200, data: 'A/B' });
    expect(exec(a, cmd('Add', './DMAcc/C/Name', 'new')).status).toBe(200);
  });

  it('Add needs Add on the nearest existing ancestor; Delete drops the subtree’s ACLs', () => {
    const b = twoAccounts('srv-b');
    expect(exec(b, cmd('Add', './DMAcc/B/Ext/deep/x', '1')).status).toBe(200);
    expect(exec(b, cmd('Replace', './DMAcc/B/Ext?prop=ACL', 'Get=*')).status).toBe(200);
    expect(exec(b, cmd('Delete', './DMAcc/B')).status).toBe(200);
    expect(Object.keys(b.tree.acl!).filter((k) => k.startsWith('./DMAcc/B'))).toEqual([]);
  });

  it('without a session ServerID (local tools) no ACL is checked', () => {
    const s = twoAccounts('srv-a');
    delete s.serverId;
    expect(exec(s, cmd('Get', './DMAcc/B/Name')).status).toBe(200);
  });
});

describe('?prop=ACL (TND 7.7.1.3, 8)', () => {
  it('Get returns the node’s own ACL (empty when inherited); needs Get on the node', () => {
    const a = twoAccounts('srv-a');
    expect(exec(a, cmd('Get', './DMAcc/A?prop=ACL'))).toEqual({ status: 200, data: ownerAcl('srv-a') });
    expect(exec(a, cmd('Get', './DMAcc/A/Name?prop=ACL'))).toEqual({ status: 200, data: '' });
    expect(exec(a, cmd('Get', './DMAcc/B?prop=ACL')).status).toBe(425);
    expect(exec(a, cmd('Get', './DMAcc/A?prop=Title')).status).toBe(406);
    expect(exec(a, cmd('Get', './DMAcc/Nope?prop=ACL')).status).toBe(404);
  });

  it('an interior node’s ACL: Replace on the node or its parent; a leaf’s: on its parent only', () => {
    const a = twoAccounts('srv-a');
    // interior ./DMAcc/A: srv-a has Replace on it
    expect(exec(a, cmd('Replace', './DMAcc/A?prop=ACL', `${ownerAcl('srv-a')}&Get=srv-b`)).status).toBe(200);
    // leaf ./DMAcc/A/Name: srv-a has Replace on the parent ./DMAcc/A
    expect(exec(a, cmd('Replace', './DMAcc/A/Name?prop=ACL', 'Get=*&Replace=srv-a')).status).toBe(200);
    // srv-b may now Get the account, but not re-ACL it (no Replace on it nor on ./DMAcc)
    const b: TreeSession = { ...a, serverId: 'srv-b' };
    expect(exec(b, cmd('Get', './DMAcc/A/ServerID'))).toEqual({ status: 200, data: 'srv-a' });
    expect(exec(b, cmd('Replace', './DMAcc/A?prop=ACL', 'Get=*&Replace=*')).status).toBe(425);
    // a leaf with Replace on itself cannot change its own ACL
    a.tree.acl!['./DMAcc/A'] = 'Get=*';
    a.tree.acl!['./DMAcc/A/Name'] = 'Replace=srv-a';
    expect(exec(a, cmd('Replace', './DMAcc/A/Name', 'ok')).status).toBe(200);
    expect(exec(a, cmd('Replace', './DMAcc/A/Name?prop=ACL', 'Get=*')).status).toBe(425);
  });

  it('refuses a malformed ACL (400) and an empty root ACL', () => {
    const a = twoAccounts('srv-a');
    expect(exec(a, cmd('Replace', './DMAcc/A?prop=ACL', 'Get=a b')).status).toBe(400);
    expect(exec(a, cmd('Replace', '.?prop=ACL', '')).status).toBe(400);
  });

  it('an ACL change inside a failed Atomic is rolled back', () => {
    const a = twoAccounts('srv-a');
    const before = structuredClone(a.tree.acl);
    const r = executeBody(
      a,
      msg([
        {
          kind: 'Atomic',
          cmdId: 1,
          body: [
            { kind: 'Replace', cmdId: 2, items: [{ target: './DMAcc/A?prop=ACL', data: 'Get=*' }] },
            { kind: 'Replace', cmdId: 3, items: [{ target: './DMAcc/B/Name', data: 'x' }] },
          ],
        },
      ]),
    );
    expect(r.answers.filter((x) => x.kind === 'Status').map((x) => (x as { data: number }).data)).toEqual([507, 216, 425]);
    expect(a.tree.acl).toEqual(before);
  });
});
