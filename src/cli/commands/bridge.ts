/**
 * simdm bridge serve | token | readers: local readers over TLS WebSocket (docs/bridge-protocol.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeSecretFile } from '../../util/secret-file.js';
import type { Argv, CommandModule } from 'yargs';
import { AuditLog } from '../../bridge/audit.js';
import { PcscBackend, VirtualBackend, type ReaderBackend } from '../../bridge/backend.js';
import { BridgeClient, readPem } from '../../bridge/client.js';
import { BridgeServer } from '../../bridge/server.js';
import { remoteOptions } from '../../bridge/scheme.js';
import { generateToken, hashToken, TokenStore, type TokensFileJson } from '../../bridge/tokens.js';
import { UsageError } from '../../errors.js';
import { loadImage } from '../../sim/image.js';
import { type GlobalArgs, output } from '../context.js';

interface ServeArgs extends GlobalArgs {
  tokens: string;
  cert: string;
  key: string;
  'client-ca'?: string;
  host: string;
  port: number;
  audit?: string;
  'audit-data'?: boolean;
  'idle-timeout': number;
  heartbeat: number;
  sim?: string[];
  'no-reset'?: boolean;
}

const serve: CommandModule<GlobalArgs, ServeArgs> = {
  command: 'serve',
  describe: 'serve the local PC/SC readers (or --sim virtual cards) over WebSocket + TLS',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('tokens', { type: 'string', demandOption: true, describe: 'principals file (token hashes, readers, read-only); see simdm bridge token' })
      .option('cert', { type: 'string', demandOption: true, describe: 'server certificate (PEM)' })
      .option('key', { type: 'string', demandOption: true, describe: 'server private key (PEM)' })
      .option('client-ca', { type: 'string', describe: 'CA (PEM) for client certificates (mutual TLS; principals with certCN)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('port', { type: 'number', default: 7443 })
      .option('audit', { type: 'string', describe: 'append the audit log (JSON lines) to this file' })
      .option('audit-data', { type: 'boolean', describe: 'also log data lengths and the file IDs/AIDs of SELECT (file contents, PINs and keys never)' })
      .option('idle-timeout', { type: 'number', default: 60, describe: 'seconds without a request after which a held reader is released (0 = never)' })
      .option('heartbeat', { type: 'number', default: 10, describe: 'seconds between pings; a client missing one is dropped' })
      .option('sim', { type: 'string', array: true, describe: 'serve virtual UICC images (reader names sim0, sim1, ...) instead of PC/SC' })
      .option('no-reset', {
        type: 'boolean',
        describe:
          'do not reset the card between sessions. Gives up the isolation of principals: the next session (a read-only one too) inherits verified PINs/ADM, selected files, open logical and secure channels',
      }) as Argv<ServeArgs>,
  handler: async (argv) => {
    const tokens = TokenStore.load(argv.tokens);
    let backend: ReaderBackend;
    if (argv.sim?.length) {
      const v = new VirtualBackend();
      argv.sim.forEach((p, i) => v.add(`sim${i}`, loadImage(p)));
      backend = v;
    } else {
      backend = new PcscBackend();
    }
    if (argv['no-reset'])
      process.stderr.write("bridge: --no-reset: cards are not reset between sessions; a session inherits the previous one's verified PINs and ADM\n");
    const server = new BridgeServer({
      backend,
      tokens,
      tls: {
        cert: readPem(argv.cert, 'certificate'),
        key: readPem(argv.key, 'key'),
        ...(argv['client-ca'] ? { clientCa: readPem(argv['client-ca'], 'client CA') } : {}),
      },
      host: argv.host,
      port: argv.port,
      idleMs: argv['idle-timeout'] * 1000,
      heartbeatMs: argv.heartbeat * 1000,
      resetOnRelease: !argv['no-reset'],
      ...(argv.audit ? { audit: AuditLog.toFile(argv.audit, argv['audit-data'] ?? false) } : {}),
      log: (l) => process.stderr.write(`bridge: ${l}\n`),
    });
    const addr = await server.listen();
    output(
      argv,
      { listening: `${addr.host}:${addr.port}`, principals: tokens.size },
      () => `bridge listening on wss://${addr.host}:${addr.port}/ (${tokens.size} principals); Ctrl-C stops`,
    );
    // SIGHUP re-reads the principals file: revoked or changed principals lose their sessions
    const reload = (): void => {
      try {
        server.setTokens(TokenStore.load(argv.tokens));
        process.stderr.write(`bridge: principals reloaded from ${argv.tokens}\n`);
      } catch (e) {
        process.stderr.write(`bridge: reload failed, keeping the old principals: ${(e as Error).message}\n`);
      }
    };
    process.on('SIGHUP', reload);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.off('SIGHUP', reload);
    await server.close();
    await backend.close();
  },
};

interface TokenArgs extends GlobalArgs {
  tokens: string;
  id: string;
  readers: string[];
  'read-only'?: boolean;
  out?: string;
  'cert-cn'?: string;
}

const token: CommandModule<GlobalArgs, TokenArgs> = {
  command: 'token',
  describe: 'add a principal to a tokens file: a new random token (written to --out, mode 600) or a client-certificate CN',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('tokens', { type: 'string', demandOption: true, describe: 'principals file (created if missing)' })
      .option('id', { type: 'string', demandOption: true, describe: 'name of the principal in logs and audit' })
      .option('readers', { type: 'string', array: true, default: ['*'], describe: 'reader names or * globs it may use' })
      .option('read-only', { type: 'boolean', describe: 'refuse writing commands, PIN operations and AUTHENTICATE' })
      .option('out', { type: 'string', describe: 'file that receives the token (the tokens file keeps only its hash)' })
      .option('cert-cn', { type: 'string', describe: 'instead of a token: the CN of the client certificate (mTLS)' }) as Argv<TokenArgs>,
  handler: (argv) => {
    let json: TokensFileJson = { principals: [] };
    if (existsSync(argv.tokens)) {
      try {
        json = JSON.parse(readFileSync(argv.tokens, 'utf8')) as TokensFileJson;
      } catch (e) {
        throw new UsageError(`tokens file ${argv.tokens} is not JSON: ${(e as Error).message}`);
      }
    }
    TokenStore.parse(json, argv.tokens);
    if (json.principals.some((p) => p.id === argv.id)) throw new UsageError(`principal ${argv.id} already exists in ${argv.tokens}`);
    const entry: TokensFileJson['principals'][number] = { id: argv.id, readers: argv.readers, readOnly: argv['read-only'] ?? false };
    let secret: string | undefined;
    if (argv['cert-cn']) entry.certCN = argv['cert-cn'];
    else {
      if (!argv.out) throw new UsageError('--out FILE is required: the token is written there, never printed');
      secret = generateToken();
      entry.sha256 = Buffer.from(hashToken(secret)).toString('hex');
    }
    json.principals.push(entry);
    TokenStore.parse(json, argv.tokens);
    // mode 600 also when the files exist (writeFileSync's mode applies only to a new file)
    if (secret && argv.out) writeSecretFile(argv.out, secret + '\n');
    writeSecretFile(argv.tokens, JSON.stringify(json, null, 2) + '\n');
    output(argv, { id: argv.id, tokenFile: argv.out ?? null }, () =>
      secret ? `added ${argv.id}; token written to ${argv.out}` : `added ${argv.id} (certificate CN ${argv['cert-cn']})`,
    );
  },
};

interface ReadersArgs extends GlobalArgs {
  bridge: string;
  'token-file'?: string;
  'bridge-ca'?: string;
}

const readers: CommandModule<GlobalArgs, ReadersArgs> = {
  command: 'readers <bridge>',
  describe: 'list the readers a bridge lets this principal use (bridge: remote://host:port/)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('bridge', { type: 'string', demandOption: true })
      .option('token-file', { type: 'string', describe: 'file holding the bearer token (else SIMDM_BRIDGE_TOKEN)' })
      .option('bridge-ca', { type: 'string', describe: 'CA of the bridge certificate (else SIMDM_BRIDGE_CA)' }) as Argv<ReadersArgs>,
  handler: async (argv) => {
    const { host, port, opts } = remoteOptions(argv.bridge, argv as unknown as Record<string, unknown>);
    const c = await BridgeClient.connect(host, port, opts);
    try {
      const list = await c.list();
      output(argv, list, (l: typeof list) => l.map((r) => `${r.present ? '*' : ' '} ${r.name}`).join('\n') || '(no readers)');
    } finally {
      c.close();
    }
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'bridge <command>',
  describe: 'share card readers over the network (TLS, tokens or client certificates)',
  builder: (y: Argv<GlobalArgs>) => y.command(serve).command(token).command(readers).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
