/**
 * Nothing changes on the card unless meant to (issue #14 item 7): the compiled output of every
 * example profile in card-profiles/, the APDU trace of a first write of each onto the default
 * virtual UICC, and the dump of the default image, against test/golden/. On an intended change:
 *   SIMDM_UPDATE_GOLDEN=1 npx vitest run test/unit/golden
 */
import { freshLayout } from '../../../src/bootstrap/layout.js';
import { readdirSync } from 'node:fs';
import { describe, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { memorySink, streamSink, type TraceEntry } from '../../../src/apdu/trace.js';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { odfBytes, tokenInfoBytes, type CardPlan } from '../../../src/bootstrap/plan.js';
import { writePlan } from '../../../src/bootstrap/writer.js';
import { dumpCard } from '../../../src/card/dump.js';
import { CardFs } from '../../../src/card/fs.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { defaultImage, pinHex } from '../../../src/sim/default-image.js';
import type { CardImage } from '../../../src/sim/image.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { toHex } from '../../../src/util/hex.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { expectGolden, hexLines } from './golden.js';

const ICCID = '8944100000000000015';
const ENV = {
  SIMDM_ADM1: '88888888',
  SIMDM_ADM2: '87654321',
  SIMDM_ENT_DM_SECRET: 'corp',
  SIMDM_LWM2M_PSK: '000102030405060708090A0B0C0D0E0F',
} as unknown as NodeJS.ProcessEnv;
const secrets = new SecretStore(ENV);

const PROFILES = readdirSync('card-profiles')
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function compiled(file: string): CardPlan {
  const lp = loadProfile(`card-profiles/${file}`, { vars: (n) => (n === 'ICCID' ? ICCID : undefined), secrets: (n) => secrets.get(n) });
  return compileProfile(lp, { iccid: ICCID });
}

function planText(p: CardPlan): string {
  const lines = [
    `name ${p.name}`,
    `aid ${toHex(p.aid)}  appFid ${hex4(p.appFid)}  label ${JSON.stringify(p.appLabel)}  owner ${p.owner}`,
    `indications ${JSON.stringify(p.indications)}`,
    ...p.authorities.map((a) => `authority ${a.name} key ${a.key} dodf ${hex4(a.dodf)}`),
    `EF.ODF`,
    hexLines(toHex(odfBytes(freshLayout(p).map((d) => d.fid)))),
    ...freshLayout(p).flatMap((d) => [`EF.DODF ${hex4(d.fid)}`, hexLines(toHex(d.bytes))]),
    `EF.TokenInfo`,
    hexLines(toHex(tokenInfoBytes(p))),
  ];
  for (const f of p.files) {
    lines.push(
      `file ${f.id} kind ${f.kind} oid ${f.oid} label ${JSON.stringify(f.label)} authority ${f.authority} slots ${f.slots.map(hex4).join('/')}${f.size !== undefined ? ` size ${f.size}` : ''} bytes ${f.bytes.length}`,
    );
    lines.push(hexLines(toHex(f.bytes)));
    for (const [k, v] of Object.entries(f.fields)) lines.push(`  field ${k} = ${JSON.stringify(v)}`);
  }
  return lines.join('\n') + '\n';
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

async function virtualCard(image: CardImage, trace?: (e: TraceEntry) => void) {
  const t = new InProcessTransport(new VirtualUicc(image), 'golden');
  const atr = await t.connect();
  return { atr, link: new CardLink(t, trace ? { trace } : {}) };
}

function imageFor(file: string): CardImage {
  const img = defaultImage();
  // the enterprise authority owns its files with ADM2, which the default card does not carry
  if (file === 'enterprise-dm.yaml' && !img.pins.some((p) => p.name === 'ADM2'))
    img.pins.push({ name: 'ADM2', ref: 0x0b, value: pinHex('87654321'), retries: 3, maxRetries: 3, enabled: true });
  return img;
}

function traceText(entries: TraceEntry[]): string {
  const lines: string[] = [];
  const sink = streamSink((l) => lines.push(l));
  for (const e of entries) sink(e);
  return lines.join('');
}

describe('golden: compiled example profiles', () => {
  for (const file of PROFILES) {
    it(file, () => {
      expectGolden(`profile/${file.replace(/\.yaml$/, '')}.txt`, planText(compiled(file)));
    });
  }
});

describe('golden: APDU trace of a first write onto the default virtual UICC', () => {
  for (const file of PROFILES) {
    it(file, async () => {
      const sink = memorySink();
      const { link } = await virtualCard(imageFor(file), sink);
      await writePlan(link, compiled(file), { secrets, backupDir: false, iccid: ICCID });
      expectGolden(`first-write/${file.replace(/\.yaml$/, '')}.trace`, traceText(sink.entries));
    });
  }
});

describe('golden: dump of the default image', () => {
  it('without keys, and with PIN1 and ADM1 verified', async () => {
    const out: string[] = [];
    for (const keys of [[], ['PIN1', 'ADM1']] as const) {
      const { atr, link } = await virtualCard(defaultImage());
      for (const k of keys) await verifyPin(link, k, encodePinValue(k === 'PIN1' ? '1234' : '88888888', k === 'PIN1' ? 'pin' : 'adm'));
      const { dump, stats } = await dumpCard(new CardFs(link), { atr });
      const { created: _created, ...stable } = dump;
      out.push(`# verified: ${keys.join(' ') || 'none'}; ${JSON.stringify(stats)}`, JSON.stringify(stable, null, 2));
    }
    expectGolden('default-image.dump.txt', out.join('\n') + '\n');
  });
});
