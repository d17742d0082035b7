/**
 * Card images carrying a DM (and optionally LwM2M) bootstrap, written by the project's own
 * writer (profile -> plan -> writePlan) onto an in-process virtual UICC. The DM account may carry
 * the agent's indication leaves under ./DMAcc/<acc>/Ext (UserConfirmation, AutoConnect).
 */
import { CardLink } from '../../../../src/apdu/link.js';
import { dmToTree, flattenDm, type DmBootstrapMessage } from '../../../../src/bootstrap/content/dm.js';
import { encodeWbxmlContent } from '../../../../src/bootstrap/content/index.js';
import { compileProfile } from '../../../../src/bootstrap/profile/compile.js';
import type { LoadedProfile } from '../../../../src/bootstrap/profile/load.js';
import { ProfileSchema } from '../../../../src/bootstrap/profile/schema.js';
import { writePlan } from '../../../../src/bootstrap/writer.js';
import { el, isElement, type WbxmlElement } from '../../../../src/codec/wbxml/tree.js';
import { defaultImage } from '../../../../src/sim/default-image.js';
import type { CardImage } from '../../../../src/sim/image.js';
import { VirtualUicc } from '../../../../src/sim/uicc.js';
import { provisionUsimAuth } from '../../../../src/sim/applets/usim-auth.js';
import { InProcessTransport } from '../../../../src/sim/inproc.js';
import { SecretStore } from '../../../../src/util/secrets.js';

export interface CardSpec {
  /** 19 digits */
  iccid: string;
  /** 15 digits */
  imsi: string;
  account: string;
  serverId: string;
  dmsUrl: string;
  clientName: string;
  clientSecret: string;
  serverName: string;
  serverSecret: string;
  /** base64 */
  clientNonce: string;
  authType?: 'DIGEST' | 'HMAC' | 'GBA';
  /** K and OPc (hex) for the card's AUTHENTICATE (usim-auth applet) */
  aka?: { k: string; opc: string };
  userConfirmation?: boolean;
  autoConnect?: boolean;
  lwm2m?: boolean;
}

function bcdSwapped(digits: string, padTo: number): string {
  const d = digits.length % 2 ? digits + 'F' : digits;
  let out = '';
  for (let i = 0; i < d.length; i += 2) out += d[i + 1]! + d[i]!;
  return out.padEnd(padTo * 2, 'F').toUpperCase();
}

/** EF.IMSI (TS 31.102 4.2.2): length 08, then odd-parity nibble 9 with the first digit, BCD swapped */
function imsiEf(imsi: string): string {
  const d = '9' + imsi; // parity nibble for 15 digits
  let out = '08';
  for (let i = 0; i < d.length; i += 2) out += d[i + 1]! + d[i]!;
  return out.toUpperCase();
}

const item = (uri: string, fmt: string, data: string): WbxmlElement =>
  el('Item', {}, [el('Target', {}, [el('LocURI', {}, [uri])]), el('Meta', {}, [el('Format', { xmlns: 'syncml:metinf' }, [fmt])]), el('Data', {}, [data])]);

export async function bootstrapImage(spec: CardSpec): Promise<CardImage> {
  const profile = ProfileSchema.parse({
    name: `agent-test-${spec.account}`,
    authorities: { operator: 'ADM1' },
    indications: { userConfirmation: !!spec.userConfirmation, autoConnect: spec.autoConnect ?? true },
    files: [
      {
        id: 'dm',
        kind: 'dm',
        dm: {
          target: `ICCID:${spec.iccid}`,
          source: spec.dmsUrl,
          accounts: [
            {
              nodeName: spec.account,
              serverId: spec.serverId,
              name: `${spec.account} server`,
              addr: spec.dmsUrl,
              authPref: spec.authType ?? 'DIGEST',
              appAuth: [
                { level: 'SRVCRED', type: spec.authType ?? 'DIGEST', name: spec.serverName, secret: spec.serverSecret, data: 'c2VydmVyLW5vbmNl' },
                { level: 'CLCRED', type: spec.authType ?? 'DIGEST', name: spec.clientName, secret: spec.clientSecret, data: spec.clientNonce },
              ],
            },
          ],
        },
      },
      ...(spec.lwm2m
        ? [
            {
              id: 'lwm2m',
              kind: 'lwm2m',
              lwm2m: {
                servers: [
                  {
                    uri: 'coaps://bootstrap.iot.example:5684',
                    bootstrap: true,
                    securityMode: 'psk',
                    identity: spec.iccid,
                    secretKey: '000102030405060708090A0B0C0D0E0F',
                  },
                  {
                    uri: 'coaps://lwm2m.iot.example:5684',
                    securityMode: 'psk',
                    identity: spec.iccid,
                    secretKey: '000102030405060708090A0B0C0D0E0F',
                    shortServerId: 101,
                    lifetime: 86400,
                    binding: 'U',
                  },
                ],
              },
            },
          ]
        : []),
    ],
  });
  const lp: LoadedProfile = { profile, sources: [], dir: process.cwd(), secretNames: [], varNames: [] };
  const plan = compileProfile(lp, { iccid: spec.iccid });
  // the indications as DMAcc Ext leaves (the agent's convention; see src/agent/tree.ts)
  const dmFile = plan.files.find((f) => f.kind === 'dm')!;
  const msg: DmBootstrapMessage = (profile.files[0]!.dm as unknown as DmBootstrapMessage) ?? { target: '', source: '', accounts: [] };
  const root = dmToTree({ ...msg, accounts: msg.accounts.map((a) => ({ ...a, appAuth: a.appAuth ?? [] })) });
  const add = (root.children.find((c) => isElement(c) && c.name === 'SyncBody') as WbxmlElement).children.find(
    (c) => isElement(c) && c.name === 'Add',
  ) as WbxmlElement;
  const ext = `./DMAcc/${spec.account}/Ext`;
  add.children.push(
    el('Item', {}, [el('Target', {}, [el('LocURI', {}, [ext])]), el('Meta', {}, [el('Format', { xmlns: 'syncml:metinf' }, ['node'])])]),
    item(`${ext}/UserConfirmation`, 'chr', spec.userConfirmation ? 'true' : 'false'),
    item(`${ext}/AutoConnect`, 'chr', (spec.autoConnect ?? true) ? 'true' : 'false'),
  );
  dmFile.bytes = encodeWbxmlContent('syncml-dm', root);
  dmFile.fields = flattenDm(root);

  const img = defaultImage();
  img.mf.children!.find((f) => f.fid === '2FE2')!.content = bcdSwapped(spec.iccid, 10);
  img.mf.children!.find((f) => f.fid === '7FF0')!.children!.find((f) => f.fid === '6F07')!.content = imsiEf(spec.imsi);
  const card = new VirtualUicc(img);
  if (spec.aka) provisionUsimAuth(card, { alg: 'milenage', k: spec.aka.k, opc: spec.aka.opc });
  const t = new InProcessTransport(card);
  await t.connect();
  await writePlan(new CardLink(t), plan, { secrets: new SecretStore({ SIMDM_ADM1: '88888888' } as NodeJS.ProcessEnv), backupDir: false });
  return card.toImage();
}

export const SPEC_A: Omit<CardSpec, 'dmsUrl'> = {
  iccid: '8944100000000000015',
  imsi: '001010123456789',
  account: 'OperatorA',
  serverId: 'dms-a.example',
  clientName: 'device-a',
  clientSecret: 'client-secret-a',
  serverName: 'dms-a',
  serverSecret: 'server-secret-a',
  clientNonce: Buffer.from('initial-nonce-a').toString('base64'),
  lwm2m: true,
};

export const SPEC_B: Omit<CardSpec, 'dmsUrl'> = {
  iccid: '8944100000000000023',
  imsi: '001010123456771',
  account: 'OperatorB',
  serverId: 'dms-b.example',
  clientName: 'device-b',
  clientSecret: 'client-secret-b',
  serverName: 'dms-b',
  serverSecret: 'server-secret-b',
  clientNonce: Buffer.from('initial-nonce-b').toString('base64'),
  authType: 'HMAC',
};

/** K/OPc of TS 35.208 test set 1 (published test values) */
export const AKA_KEYS = { k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' };

export const SPEC_G: Omit<CardSpec, 'dmsUrl'> = {
  iccid: '8944100000000000031',
  imsi: '001010123456762',
  account: 'OperatorG',
  serverId: 'dms-g.example',
  clientName: 'device-g',
  clientSecret: '',
  serverName: 'dms-g',
  serverSecret: '',
  clientNonce: '',
  authType: 'GBA',
  aka: AKA_KEYS,
};
