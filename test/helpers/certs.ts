/**
 * Test PKI made at test time with openssl in a temp dir (no private key is committed): a CA, a
 * server certificate for 127.0.0.1/localhost, a client certificate with a chosen CN, and a second,
 * unrelated CA with its own client certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  otherClientCert: Buffer;
  otherClientKey: Buffer;
  paths: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
  cleanup(): void;
}

function ssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A self-signed P-256 certificate `<name>.pem` / `<name>.key` in `dir`, valid 2 days, for subject
 * CN `cn`; `san` adds a subjectAltName (a CA has none).
 */
export function selfSigned(dir: string, name: string, cn = name, san?: string): { cert: string; key: string } {
  ssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    ...(san ? ['-addext', `subjectAltName=${san}`] : []),
  ]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

function leaf(dir: string, caName: string, name: string, cn: string, ext: string): void {
  ssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  ssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${caName}.pem`,
    '-CAkey',
    `${caName}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

export function makePki(clientCn = 'line-3.factory'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'simdm-pki-'));
  selfSigned(dir, 'ca');
  selfSigned(dir, 'otherca');
  leaf(dir, 'ca', 'server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf(dir, 'ca', 'client', clientCn, 'extendedKeyUsage=clientAuth\n');
  leaf(dir, 'otherca', 'other', clientCn, 'extendedKeyUsage=clientAuth\n');
  const r = (f: string): Buffer => readFileSync(join(dir, f));
  return {
    dir,
    caCert: r('ca.pem'),
    serverCert: r('server.pem'),
    serverKey: r('server.key'),
    clientCert: r('client.pem'),
    clientKey: r('client.key'),
    otherClientCert: r('other.pem'),
    otherClientKey: r('other.key'),
    paths: {
      ca: join(dir, 'ca.pem'),
      serverCert: join(dir, 'server.pem'),
      serverKey: join(dir, 'server.key'),
      clientCert: join(dir, 'client.pem'),
      clientKey: join(dir, 'client.key'),
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
