import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeviceAgent, type AgentEvent } from '../../../src/agent/agent.js';
import { CardBootstrapSource } from '../../../src/agent/source.js';
import { DmsServer } from '../../../src/dms/server.js';
import { impiFromImsi, parseGbaAuthorization } from '../../../src/dms/gba.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { pki } from '../bridge/helpers/server.js';
import { AKA_KEYS, bootstrapImage, SPEC_G } from './helpers/cards.js';
import { accountOf } from './helpers/dms.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('AKA/GBA through the card', () => {
  it('IMPI from IMSI (TS 23.003 13.3)', () => {
    expect(impiFromImsi('001010123456789')).toBe('001010123456789@ims.mnc001.mcc001.3gppnetwork.org');
    expect(impiFromImsi('310150123456789', 3)).toBe('310150123456789@ims.mnc150.mcc310.3gppnetwork.org');
  });

  it('the agent bootstraps GBA with the card (AUTHENTICATE), derives Ks_NAF, and DMS and agent authenticate each other', async () => {
    const impi = impiFromImsi(SPEC_G.imsi);
    const mk = (k: string) =>
      new DmsServer({
        accounts: [accountOf(SPEC_G, { authType: 'GBA' })],
        tls: { cert: pki().serverCert, key: pki().serverKey },
        gba: { bsfDomain: 'bsf.example', nafFqdn: '127.0.0.1', subscribers: [{ impi, k, opc: AKA_KEYS.opc }] },
      });
    for (const [k, expectOk] of [
      [AKA_KEYS.k, true],
      ['00'.repeat(16), false],
    ] as const) {
      const dms = mk(k);
      const { port } = await dms.listen();
      try {
        const img = await bootstrapImage({ ...SPEC_G, dmsUrl: `https://127.0.0.1:${port}/dm` });
        const dir = mkdtempSync(join(tmpdir(), 'simdm-gba-'));
        dirs.push(dir);
        const events: AgentEvent[] = [];
        const agent = new DeviceAgent({
          transport: new InProcessTransport(new VirtualUicc(img)),
          stateDir: dir,
          source: new CardBootstrapSource(new SecretStore({ SIMDM_PIN1: '1234' } as NodeJS.ProcessEnv)),
          confirm: async () => true,
          dm: { ca: pki().caCert },
          onEvent: (e) => events.push(e),
        });
        await agent.schedule();
        if (expectOk) {
          expect(
            events.map((e) => e.type),
            JSON.stringify(events),
          ).toEqual(['card', 'bootstrap', 'connected']);
          expect(dms.sessions.at(-1)!.result).toBe('ok');
        } else {
          // a network that does not know the card's K: the card refuses AUTN (MAC failure)
          const err = events.find((e) => e.type === 'error') as { code: string; message: string };
          expect(err.code).toBe('agent.dm');
          expect(err.message).toMatch(/refused the network/);
        }
      } finally {
        await dms.close();
      }
    }
  });

  it('parses only well-formed gba-mac authorizations', () => {
    expect(
      parseGbaAuthorization(`gba-mac btid="${Buffer.alloc(16).toString('base64')}@bsf.example", mac="${Buffer.alloc(32).toString('base64')}"`),
    ).toBeDefined();
    expect(parseGbaAuthorization('gba-mac btid="x", mac="y"')).toBeUndefined();
  });
});
