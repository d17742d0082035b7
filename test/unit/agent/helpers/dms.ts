/** A DMS on loopback with the test PKI, accounts taken from the specs' bootstrap data. */
import { DmsServer, type DmsAccount, type DmsOptions } from '../../../../src/dms/server.js';
import { pki } from '../../bridge/helpers/server.js';
import type { CardSpec } from './cards.js';

export function accountOf(s: Omit<CardSpec, 'dmsUrl'>, over: Partial<DmsAccount> = {}): DmsAccount {
  return {
    serverId: s.serverId,
    clientName: s.clientName,
    clientSecret: s.clientSecret,
    serverName: s.serverName,
    serverSecret: s.serverSecret,
    clientNonce: s.clientNonce,
    serverNonce: 'c2VydmVyLW5vbmNl',
    authType: s.authType ?? 'DIGEST',
    ...over,
  };
}

export async function startDms(accounts: DmsAccount[], more: Partial<DmsOptions> = {}): Promise<{ dms: DmsServer; url: string }> {
  const p = pki();
  const dms = new DmsServer({ accounts, tls: { cert: p.serverCert, key: p.serverKey }, ...more });
  const { port } = await dms.listen();
  return { dms, url: `https://127.0.0.1:${port}/dm` };
}
