/**
 * simdm dm: OMA DM authentication (OMA-TS-DM_Security, OMA-TS-DM_Notification).
 *   dm auth           syncml:auth-basic / auth-md5 credential or the x-syncml-hmac header;
 *                     --verify checks a presented one (exit 1 on mismatch)
 *   dm notification   build (or --parse/--verify) a package #0 trigger
 * The password comes only from SIMDM_DM_PASSWORD (or DM_PASSWORD in --keys).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { fromHex, toHex } from '../../util/hex.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { authBasic, authHmac, authMd5, verifyBasic, verifyHmac, verifyMd5 } from '../../secure/dm/auth.js';
import { formatHmacHeader, HMAC_HEADER, parseHmacHeader } from '../../secure/dm/hmac-header.js';
import { buildNotification, parseNotification, verifyNotification, type UiMode } from '../../secure/dm/notification.js';

interface NonceArgs {
  nonce?: string;
  'nonce-b64'?: string;
  'nonce-hex'?: string;
}

function nonceOptions<T>(y: Argv<T>): Argv<T & NonceArgs> {
  return y
    .option('nonce', { type: 'string', describe: 'nonce as text' })
    .option('nonce-b64', { type: 'string', describe: 'nonce as carried in <NextNonce> (base64)' })
    .option('nonce-hex', { type: 'string', describe: 'nonce in hex' }) as unknown as Argv<T & NonceArgs>;
}

function nonceOf(a: NonceArgs, required: boolean): Uint8Array | undefined {
  const given = [a.nonce, a['nonce-b64'], a['nonce-hex']].filter((x) => x !== undefined).length;
  if (given > 1) throw new UsageError('give one of --nonce, --nonce-b64, --nonce-hex');
  if (a.nonce !== undefined) return new TextEncoder().encode(a.nonce);
  if (a['nonce-b64'] !== undefined) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a['nonce-b64'])) throw new UsageError('--nonce-b64 is not base64');
    return new Uint8Array(Buffer.from(a['nonce-b64'], 'base64'));
  }
  if (a['nonce-hex'] !== undefined) return fromHex(a['nonce-hex'], 'nonce');
  if (required) throw new UsageError('a nonce is needed: --nonce, --nonce-b64 or --nonce-hex');
  return undefined;
}

interface AuthArgs extends GlobalArgs, NonceArgs {
  type: 'basic' | 'md5' | 'hmac';
  user: string;
  body?: string;
  verify?: string;
}

const auth: CommandModule<GlobalArgs, AuthArgs> = {
  command: 'auth',
  describe: 'compute (or --verify) an OMA DM credential: auth-basic, auth-md5, or the x-syncml-hmac header',
  builder: (y) =>
    nonceOptions(y)
      .option('type', { choices: ['basic', 'md5', 'hmac'] as const, demandOption: true, describe: 'syncml:auth-basic, syncml:auth-md5, syncml:auth-MAC' })
      .option('user', { type: 'string', demandOption: true, describe: 'user name (client or server id)' })
      .option('body', { type: 'string', describe: 'hmac: file holding the exact message body' })
      .option('verify', {
        type: 'string',
        describe:
          'a presented credential (or x-syncml-hmac header value) to check instead of printing one; - reads it from standard input (required for basic)',
      })
      .example('SIMDM_DM_PASSWORD=... $0 dm auth --type md5 --user Bruce2 --nonce Nonce', '') as Argv<AuthArgs>,
  handler: (argv) => {
    const password = secretsFor(argv).require('DM_PASSWORD', 'OMA DM');
    if (argv.type === 'basic') {
      if (argv.verify !== undefined) {
        // a basic credential is the password in base64: it must not sit in the process list
        if (argv.verify !== '-') throw new UsageError('a syncml:auth-basic credential holds the password: pass it on standard input with --verify -');
        return finishVerify(argv, verifyBasic(readFileSync(0, 'utf8').trim(), argv.user, password));
      }
      const c = authBasic(argv.user, password);
      return output(argv, { type: 'syncml:auth-basic', format: 'b64', data: c }, () => c);
    }
    const nonce = nonceOf(argv, true)!;
    if (argv.type === 'md5') {
      if (argv.verify !== undefined) return finishVerify(argv, verifyMd5(argv.verify, argv.user, password, nonce));
      const c = authMd5(argv.user, password, nonce);
      return output(argv, { type: 'syncml:auth-md5', format: 'b64', data: c }, () => c);
    }
    if (!argv.body) throw new UsageError('hmac needs --body FILE (the message body the MAC covers)');
    let body: Uint8Array;
    try {
      body = new Uint8Array(readFileSync(argv.body));
    } catch (e) {
      throw new UsageError(`cannot read ${argv.body}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (argv.verify !== undefined) {
      const h = parseHmacHeader(argv.verify);
      if (h.username !== argv.user) return finishVerify(argv, false);
      return finishVerify(argv, verifyHmac(h.mac, argv.user, password, nonce, body));
    }
    const value = formatHmacHeader({ username: argv.user, mac: authHmac(argv.user, password, nonce, body) });
    output(argv, { header: HMAC_HEADER, value }, () => `${HMAC_HEADER}: ${value}`);
  },
};

function finishVerify(argv: GlobalArgs, ok: boolean): void {
  output(argv, { valid: ok }, () => (ok ? 'credential valid' : 'credential INVALID'));
  if (!ok) process.exitCode = 1;
}

interface NotifArgs extends GlobalArgs, NonceArgs {
  'server-id'?: string;
  'session-id': number;
  'ui-mode': UiMode;
  'client-initiated'?: boolean;
  'body-hex'?: string;
  parse?: string;
  verify?: string;
}

const notification: CommandModule<GlobalArgs, NotifArgs> = {
  command: 'notification',
  describe: 'build a package #0 (server-alerted session trigger), or --parse / --verify one given in hex',
  builder: (y) =>
    nonceOptions(y)
      .option('server-id', { type: 'string', describe: 'server identifier (build)' })
      .option('session-id', { type: 'number', default: 1, describe: 'session id (16 bits)' })
      .option('ui-mode', { choices: ['not-specified', 'background', 'informative', 'user-interaction'] as const, default: 'not-specified' as const })
      .option('client-initiated', { type: 'boolean', describe: 'initiator bit 0 (default: server)' })
      .option('body-hex', { type: 'string', describe: 'vendor-specific trigger body (hex)' })
      .option('parse', { type: 'string', describe: 'package #0 in hex: show its fields' })
      .option('verify', { type: 'string', describe: 'package #0 in hex: check its digest with SIMDM_DM_PASSWORD and the nonce' }) as Argv<NotifArgs>,
  handler: (argv) => {
    if (argv.parse !== undefined) {
      const n = parseNotification(fromHex(argv.parse, 'package #0'));
      const o = {
        version: n.version,
        ui_mode: n.uiMode,
        server_initiated: n.serverInitiated,
        session_id: n.sessionId,
        server_id: n.serverId,
        body: toHex(n.body),
      };
      return output(argv, o, () =>
        Object.entries(o)
          .map(([k, v]) => `${k.padEnd(16)} ${String(v)}`)
          .join('\n'),
      );
    }
    const password = secretsFor(argv).require('DM_PASSWORD', 'OMA DM');
    const nonce = nonceOf(argv, true)!;
    if (argv.verify !== undefined) {
      const n = verifyNotification(fromHex(argv.verify, 'package #0'), password, nonce);
      return output(argv, { valid: true, server_id: n.serverId, session_id: n.sessionId }, () => `digest valid (server ${n.serverId}, session ${n.sessionId})`);
    }
    if (!argv['server-id']) throw new UsageError('building a package #0 needs --server-id');
    const pkg = buildNotification(
      { version: 12, uiMode: argv['ui-mode'], serverInitiated: !argv['client-initiated'], sessionId: argv['session-id'], serverId: argv['server-id'] },
      password,
      nonce,
      argv['body-hex'] ? fromHex(argv['body-hex'], 'body') : undefined,
    );
    output(argv, { package0: toHex(pkg) }, () => toHex(pkg));
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'dm <command>',
  describe: 'OMA DM authentication: basic / md5 / HMAC credentials, package #0 digests',
  builder: (y) => y.command(auth).command(notification).demandCommand(1) as Argv<GlobalArgs>,
  handler: () => undefined,
};
export default cmd;
