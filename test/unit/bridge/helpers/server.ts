/** A bridge over in-process virtual cards, with a test PKI and a few principals. */
import { defaultImage } from '../../../../src/sim/default-image.js';
import { AuditLog, type AuditRecord } from '../../../../src/bridge/audit.js';
import { VirtualBackend } from '../../../../src/bridge/backend.js';
import { BridgeServer, type BridgeServerOptions } from '../../../../src/bridge/server.js';
import { generateToken, hashToken, TokenStore } from '../../../../src/bridge/tokens.js';
import { makePki, type TestPki } from '../../../helpers/certs.js';

export interface TestBridge {
  server: BridgeServer;
  backend: VirtualBackend;
  port: number;
  pki: TestPki;
  tokens: { rw: string; ro: string; onlyB: string };
  audit: AuditRecord[];
  stop(): Promise<void>;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

let shared: TestPki | undefined;
export function pki(): TestPki {
  shared ??= makePki();
  return shared;
}

export async function startBridge(over: Partial<BridgeServerOptions> = {}, withData = true): Promise<TestBridge> {
  const p = pki();
  const backend = new VirtualBackend();
  backend.add('simA', defaultImage());
  backend.add('simB', defaultImage());
  const tokens = { rw: generateToken(), ro: generateToken(), onlyB: generateToken() };
  const store = TokenStore.parse({
    principals: [
      { id: 'rw', sha256: hex(hashToken(tokens.rw)), readers: ['sim*'] },
      { id: 'ro', sha256: hex(hashToken(tokens.ro)), readers: ['*'], readOnly: true },
      { id: 'onlyB', sha256: hex(hashToken(tokens.onlyB)), readers: ['simB'] },
      { id: 'cert-client', certCN: 'line-3.factory', readers: ['simA'] },
    ],
  });
  const audit: AuditRecord[] = [];
  const server = new BridgeServer({
    backend,
    tokens: store,
    tls: { cert: p.serverCert, key: p.serverKey, clientCa: p.caCert },
    audit: new AuditLog((r) => audit.push(r), withData),
    heartbeatMs: 0,
    ...over,
  });
  const { port } = await server.listen();
  return {
    server,
    backend,
    port,
    pki: p,
    tokens,
    audit,
    stop: async () => {
      await server.close();
      await backend.close();
    },
  };
}
