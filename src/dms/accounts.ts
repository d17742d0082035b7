/**
 * DMS accounts from a bootstrap: each DMAcc account with a CLCRED and a SRVCRED becomes the
 * server-side record (the same secrets the device got from the card), or from a JSON file
 * `{ "accounts": [DmsAccount...] }`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { accountsOf } from '../agent/tree.js';
import { DmsError } from './errors.js';
import type { DmsAccount } from './server.js';

export function accountsFromDmFields(fields: Record<string, string>): DmsAccount[] {
  const out: DmsAccount[] = [];
  for (const a of accountsOf(fields)) {
    const cli = a.auth.find((x) => x.level === 'CLCRED');
    const srv = a.auth.find((x) => x.level === 'SRVCRED');
    if (!cli?.name || cli.secret === undefined || !srv?.name || srv.secret === undefined) continue;
    out.push({ serverId: a.serverId, clientName: cli.name, clientSecret: cli.secret, serverName: srv.name, serverSecret: srv.secret, clientNonce: cli.data ?? '', authType: cli.type });
  }
  return out;
}

const AccountSchema = z.object({
  serverId: z.string().min(1),
  clientName: z.string().min(1),
  clientSecret: z.string(),
  serverName: z.string().min(1),
  serverSecret: z.string(),
  clientNonce: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/),
  authType: z.string().min(1),
});

export function loadAccounts(path: string): DmsAccount[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new DmsError('dms.config', `cannot read accounts file ${path} as JSON`);
  }
  const r = z.object({ accounts: z.array(AccountSchema) }).safeParse(json);
  if (!r.success) throw new DmsError('dms.config', `${path}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  return r.data.accounts;
}
