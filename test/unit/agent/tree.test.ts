import { describe, expect, it } from 'vitest';
import { accountsOf, applyBootstrap, emptyTree, indicationsOf, setDevInfo, setNonce } from '../../../src/agent/tree.js';

const acc = (n: string, serverId: string, extra: Record<string, string> = {}) => ({
  [`./DMAcc/${n}`]: '(node)',
  [`./DMAcc/${n}/ServerID`]: serverId,
  [`./DMAcc/${n}/AppAddr/srv/Addr`]: `https://${serverId}/dm`,
  [`./DMAcc/${n}/AppAddr/srv/Port/p1/PortNbr`]: '443 (int)',
  [`./DMAcc/${n}/AppAuth/cli/AAuthLevel`]: 'CLCRED',
  [`./DMAcc/${n}/AppAuth/cli/AAuthType`]: 'DIGEST',
  [`./DMAcc/${n}/AppAuth/cli/AAuthName`]: 'me',
  [`./DMAcc/${n}/AppAuth/cli/AAuthSecret`]: 's',
  [`./DMAcc/${n}/AppAuth/cli/AAuthData`]: 'bm9uY2U= (b64)',
  ...extra,
});

describe('device tree (OMA DM Bootstrap 6.3.1.5)', () => {
  it('reads accounts, credentials, port and indications from DM fields', () => {
    const a = accountsOf(acc('X', 'srv.example', { './DMAcc/X/Ext/UserConfirmation': 'true', './DMAcc/X/Ext/AutoConnect': '0' }));
    expect(a).toEqual([
      {
        nodeName: 'X',
        serverId: 'srv.example',
        addr: 'https://srv.example/dm',
        port: 443,
        auth: [{ level: 'CLCRED', type: 'DIGEST', name: 'me', secret: 's', data: 'bm9uY2U=' }],
        indications: { userConfirmation: true, autoConnect: false },
      },
    ]);
    expect(indicationsOf(a, { userConfirmation: false, autoConnect: true })).toEqual({ userConfirmation: true, autoConnect: false });
  });

  it('an account of another authority with the same ServerID does not block the new one: it is replaced', () => {
    const t = emptyTree();
    applyBootstrap(t, 'p1', [{ kind: 'dm', authority: '6430', fields: acc('Old', 'srv.example') }]);
    const r = applyBootstrap(t, 'p1', [{ kind: 'dm', authority: '6431', fields: acc('New', 'srv.example') }]);
    expect(r.replaced).toEqual(['./DMAcc/Old']);
    expect(accountsOf(t.dm).map((a) => a.nodeName)).toEqual(['New']);
    expect(t.owners.dmacc.New).toEqual({ pair: 'p1', authority: '6431' });
  });

  it('data of another subscriber is obsolete and removed; different servers of the same subscriber coexist', () => {
    const t = emptyTree();
    applyBootstrap(t, 'p1', [
      { kind: 'dm', authority: '6430', fields: { ...acc('A', 'a.example'), ...acc('B', 'b.example') } },
      { kind: 'lwm2m', authority: '6430', fields: { '/0/0/0': 'coaps://x', '/1/0/0': '101' } },
    ]);
    expect(accountsOf(t.dm).map((a) => a.nodeName)).toEqual(['A', 'B']);
    const r = applyBootstrap(t, 'p2', [{ kind: 'dm', authority: '6430', fields: acc('C', 'c.example') }]);
    expect(r.removedObsolete.sort()).toEqual(['./DMAcc/A', './DMAcc/B', '/0', '/1']);
    expect(Object.keys(t.lwm2m)).toEqual([]);
    expect(accountsOf(t.dm).map((a) => a.nodeName)).toEqual(['C']);
  });

  it('DevInfo is the device own identity; nonces update in place', () => {
    const t = emptyTree();
    applyBootstrap(t, 'p1', [{ kind: 'dm', authority: '6430', fields: acc('A', 'a.example') }]);
    setDevInfo(t, 'urn:uuid:x');
    setNonce(t, 'A', 'CLCRED', 'bmV3');
    expect(t.dm['./DevInfo/DevId']).toBe('urn:uuid:x');
    expect(accountsOf(t.dm)[0]!.auth[0]!.data).toBe('bmV3');
  });
});
