/**
 * DMS accounts: from a DM bootstrap (each DMAcc account with a CLCRED becomes the server-side
 * record holding the same secrets the device got from the card), or from a JSON accounts file
 * `{ "accounts": [DmsAccount...] }` (fields and validation in docs/dms.md).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { accountsOf } from '../bootstrap/content/dm-accounts.js';
import { DmsError } from './errors.js';
import type { DmsAccount, DmsAuthType } from './server.js';

/** DMAcc AAuthType -> the DMS's authType; undefined for a type it does not serve. */
export function dmsAuthType(aauthType: string): DmsAuthType | undefined {
  const t = aauthType.trim().toUpperCase();
  if (t === 'DIGEST' || t === 'HMAC') return t;
  if (/GBA|AKA/.test(t)) return 'GBA';
  return undefined;
}

export interface FromFieldsReport {
  accounts: DmsAccount[];
  /** accounts skipped, and why */
  skipped: string[];
}

export function accountsFromDmFieldsReport(fields: Record<string, string>): FromFieldsReport {
  const out: FromFieldsReport = { accounts: [], skipped: [] };
  for (const a of accountsOf(fields)) {
    const cli = a.auth.find((x) => x.level === 'CLCRED');
    const srv = a.auth.find((x) => x.level === 'SRVCRED');
    const type = cli ? dmsAuthType(cli.type) : undefined;
    if (!cli || !type) {
      out.skipped.push(`./DMAcc/${a.nodeName}: ${cli ? `client authentication ${cli.type.slice(0, 20)} is not served (DIGEST, HMAC, GBA)` : 'no CLCRED'}`);
      continue;
    }
    if (type === 'GBA') {
      // GBA needs no shared secret: the keys are the subscriber's (dms serve --gba)
      out.accounts.push({
        serverId: a.serverId,
        clientName: cli.name ?? a.serverId,
        clientSecret: '',
        serverName: srv?.name ?? a.serverId,
        serverSecret: '',
        clientNonce: '',
        authType: 'GBA',
        ...(a.addr ? { addr: a.addr } : {}),
      });
      continue;
    }
    if (!cli.name || cli.secret === undefined || !srv?.name || srv.secret === undefined) {
      out.skipped.push(`./DMAcc/${a.nodeName}: CLCRED and SRVCRED need AAuthName and AAuthSecret`);
      continue;
    }
    out.accounts.push({
      serverId: a.serverId,
      clientName: cli.name,
      clientSecret: cli.secret,
      serverName: srv.name,
      serverSecret: srv.secret,
      clientNonce: cli.data ?? '',
      ...(srv.data !== undefined ? { serverNonce: srv.data } : {}),
      authType: type,
      ...(a.addr ? { addr: a.addr } : {}),
    });
  }
  return out;
}

export function accountsFromDmFields(fields: Record<string, string>): DmsAccount[] {
  return accountsFromDmFieldsReport(fields).accounts;
}

const b64 = z.string().regex(/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');

const AccountSchema = z
  .object({
    serverId: z.string().min(1).max(256),
    clientName: z.string().min(1).max(256),
    clientSecret: z.string().max(256),
    serverName: z.string().min(1).max(256),
    serverSecret: z.string().max(256),
    clientNonce: b64,
    serverNonce: b64.optional(),
    authType: z.enum(['DIGEST', 'HMAC', 'GBA']),
    addr: z.string().url().optional(),
  })
  .strict();

export function loadAccounts(path: string): DmsAccount[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new DmsError('dms.config', `cannot read accounts file ${path} as JSON`);
  }
  const r = z
    .object({ accounts: z.array(AccountSchema).min(1) })
    .strict()
    .safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new DmsError('dms.config', `${path}: ${i.path.join('.') || '(top)'}: ${i.message}`);
  }
  return r.data.accounts.map((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as unknown as DmsAccount);
}
