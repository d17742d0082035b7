/**
 * Opens `remote://host:port/READER` readers (a reader behind a simdm bridge). Registered with the
 * transport layer's scheme registry through ./remote-scheme.ts, which loads this module (and the
 * WebSocket client) only when such a reader is opened.
 *
 * Credentials and TLS material, in this order:
 *  - token: option `tokenFile`/`token-file` (a file holding the token), else SIMDM_BRIDGE_TOKEN
 *    (env or --keys file through the SecretStore), else `?tokenFile=` in the address;
 *  - CA: option `bridgeCa`, SIMDM_BRIDGE_CA (a path), or `?ca=`; client certificate and key for
 *    mutual TLS: `bridgeCert`/`bridgeKey`, SIMDM_BRIDGE_CERT / SIMDM_BRIDGE_KEY, `?cert=`/`?key=`.
 * The token itself never appears in an address or an argument.
 */
import { readFileSync } from 'node:fs';
import type { OpenedTransport } from '../transport/open.js';
import { SecretStore } from '../util/secrets.js';
import { RemoteTransport, parseRemoteSpec, readPem, type RemoteOptions } from './client.js';
import { BridgeError } from './errors.js';
import { checkInputSize } from '../util/input-file.js';

function str(options: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = options[n];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

export function readTokenFile(path: string): string {
  let t: string;
  checkInputSize(path, 'token');
  try {
    t = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new BridgeError('bridge.config', `cannot read token file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!t) throw new BridgeError('bridge.config', `token file ${path} is empty`);
  return t;
}

/** Builds the client options from CLI options, the environment and the address. */
export function remoteOptions(
  spec: string,
  options: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): { host: string; port: number; reader: string | undefined; opts: RemoteOptions } {
  const s = parseRemoteSpec(spec);
  const secrets = new SecretStore(env, str(options, 'keys'));
  const tokenFile = str(options, 'tokenFile', 'token-file') ?? s.params.get('tokenFile') ?? undefined;
  const token = tokenFile ? readTokenFile(tokenFile) : secrets.get('BRIDGE_TOKEN');
  const ca = str(options, 'bridgeCa', 'bridge-ca') ?? env.SIMDM_BRIDGE_CA ?? s.params.get('ca') ?? undefined;
  const cert = str(options, 'bridgeCert', 'bridge-cert') ?? env.SIMDM_BRIDGE_CERT ?? s.params.get('cert') ?? undefined;
  const key = str(options, 'bridgeKey', 'bridge-key') ?? env.SIMDM_BRIDGE_KEY ?? s.params.get('key') ?? undefined;
  const opts: RemoteOptions = {};
  if (token) opts.token = token;
  if (ca) opts.ca = readPem(ca, 'bridge CA');
  if (cert) opts.cert = readPem(cert, 'client certificate');
  if (key) opts.key = readPem(key, 'client key');
  return { host: s.host, port: s.port, reader: s.reader, opts };
}

export async function openRemoteReader(spec: string, options: Record<string, unknown>): Promise<OpenedTransport> {
  const { host, port, reader, opts } = remoteOptions(spec, options);
  if (!reader) throw new BridgeError('bridge.config', 'remote://host:port/READER: name the reader (simdm bridge readers lists them)');
  const t = await RemoteTransport.open(host, port, reader, opts);
  return { transport: t, close: () => t.close() };
}
