import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import { compileProfile } from '../../../src/bootstrap/profile/compile.js';
import { loadProfile } from '../../../src/bootstrap/profile/load.js';
import { readBootstrap } from '../../../src/bootstrap/reader.js';
import { planToScript } from '../../../src/bootstrap/script-out.js';
import { maskMatches, parseMask, parseScript, ScriptError } from '../../../src/script/parse.js';
import { runScript } from '../../../src/script/run.js';
import { defaultImage, USIM_AID } from '../../../src/sim/default-image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { fromHex, toHex } from '../../../src/util/hex.js';
import { provisionUsimAuth } from '../../../src/sim/applets/usim-auth.js';
import { generateVector } from '../../../src/secure/aka/auc.js';
import { Milenage } from '../../../src/secure/aka/milenage.js';
import { SecretStore } from '../../../src/util/secrets.js';

const syntax = (text: string): string => {
  try {
    parseScript(text);
  } catch (e) {
    if (e instanceof ScriptError) return e.message;
    throw e;
  }
  return 'ok';
};

describe('APDU scripts', () => {
  it('parses scriptor syntax with expectations, blocks and variables', () => {
    const s = parseScript(
      '# hello\n00A4000C023F00\n#> SW=9000\n#@ block adm\n0020000A08${ADM1}\n#@ end\nreset\n00B0 0000 0A  # inline comment\n#> SW=90xx DATA=98??????????????????\nexit\n00A4\n',
    );
    expect(s.blocks).toEqual(['adm']);
    expect(s.steps.map((x) => x.kind)).toEqual(['apdu', 'apdu', 'reset', 'apdu']);
    const v = s.steps[1]!;
    expect(v.kind === 'apdu' && v.block).toBe('adm');
    expect(v.kind === 'apdu' && v.parts[1]).toEqual({ var: { name: 'ADM1', kind: 'adm' } });
  });

  it('syntax errors carry their line', () => {
    expect(syntax('00A4000C023F00\n00A4 0G\n')).toBe("line 2: 'G' is not a hex digit (APDU lines are hex; use ${NAME} for variables)");
    expect(syntax('#> SW=9000\n')).toBe("line 1: '#>' expectation with no APDU before it");
    expect(syntax('00A4000C023F00\n#> SW=900000\n')).toBe("line 2: SW '900000' must be 4 hex digits (x for any)");
    expect(syntax('00A4000C023F0\n')).toBe('line 1: odd number of hex digits');
    expect(syntax('#@ end\n')).toBe("line 1: '#@ end' outside a block");
    expect(syntax('00A4000C02${ADM1\n')).toMatch(/^line 1: /);
  });

  it('masks: x and ? are any nibble', () => {
    expect(maskMatches(parseMask('61xx', 1, 'SW'), fromHex('6110'))).toBe(true);
    expect(maskMatches(parseMask('6?00', 1, 'SW'), fromHex('6A00'))).toBe(true);
    expect(maskMatches(parseMask('9000', 1, 'SW'), fromHex('6A82'))).toBe(false);
  });

  it('a compiled profile runs on a blank virtual card and reads back equal; secrets stay variables', async () => {
    const secrets = new SecretStore({ SIMDM_ADM1: '88888888', SIMDM_LWM2M_PSK: '00112233445566778899AABBCCDDEEFF' } as unknown as NodeJS.ProcessEnv);
    const used: { name: string; value: string }[] = [];
    const lp = loadProfile('card-profiles/lwm2m-iot.yaml', {
      vars: (n) => (n === 'ICCID' ? '8944100000000000015' : undefined),
      secrets: (n) => {
        const v = secrets.get(n)!;
        used.push({ name: n, value: v });
        return v;
      },
    });
    const plan = compileProfile(lp, { iccid: '8944100000000000015', secretValues: used });
    const text = planToScript(plan);
    expect(text).not.toContain('00112233445566778899AABBCCDDEEFF');
    expect(text).toContain('${hex:LWM2M_PSK}');
    const log: string[] = [];
    const dry = await runScript(parseScript(text), undefined, { secrets, dryRun: true, log: (l) => log.push(l) });
    expect(dry.failed).toBe(0);
    expect(log.join('\n')).not.toContain('00112233445566778899AABBCCDDEEFF');
    const card = new VirtualUicc(defaultImage());
    const t = new InProcessTransport(card, 'test');
    await t.connect();
    const r = await runScript(parseScript(text), t, { secrets });
    expect(r.failed, JSON.stringify(r.steps.filter((s) => !s.ok))).toBe(0);
    const st = await readBootstrap(new CardLink(t));
    expect(st.issues).toEqual([]);
    expect(st.files[0]!.content!.fields).toEqual(plan.files[0]!.fields);
  });

  it('an unmet expectation stops the run and names the line', async () => {
    const card = new VirtualUicc(defaultImage());
    const t = new InProcessTransport(card, 'test');
    await t.connect();
    const r = await runScript(parseScript('00A4000C027777\n#> SW=9000\n00A4000C023F00\n'), t, { secrets: new SecretStore({} as NodeJS.ProcessEnv) });
    expect(r.failed).toBe(1);
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]).toMatchObject({ line: 1, sw: '6A82', ok: false, message: 'SW 6A82, expected 9000' });
  });
});

describe('APDU scripts never block a PIN and never show one', () => {
  const card = async () => {
    const c = new VirtualUicc(defaultImage());
    const t = new InProcessTransport(c, 'test');
    await t.connect();
    return { c, t };
  };
  it('a wrong ${hex:ADM1} goes through the safe path: the card keeps its last try', async () => {
    const { c, t } = await card();
    const secrets = new SecretStore({ SIMDM_ADM1: '3030303030303030' } as NodeJS.ProcessEnv);
    const text = '0020000A08${hex:ADM1}\n'.repeat(3);
    for (let i = 0; i < 3; i++) await runScript(parseScript(text), t, { secrets, stopOnMismatch: false });
    // 3 tries: two failed presentations, then refusals at one try left
    expect(c.pins.find((p) => p.name === 'ADM1')!.retries).toBe(1);
  });
  it('CHANGE/DISABLE/UNBLOCK are guarded too', async () => {
    const { c, t } = await card();
    const secrets = new SecretStore({ SIMDM_PIN1: '0000', SIMDM_PUK1: '00000000' } as NodeJS.ProcessEnv);
    const text = '0024000110${PIN1}${PIN1}\n0026000108${PIN1}\n002C000110${PUK1}${PIN1}\n'.repeat(12);
    await runScript(parseScript(text), t, { secrets, stopOnMismatch: false });
    // PIN1 (3 tries) and PUK1 (10 tries) both stop at their last try
    expect(c.pins.find((p) => p.name === 'PIN1')!.retries).toBe(1);
    expect(c.pins.find((p) => p.name === 'PIN1')!.puk!.retries).toBe(1);
  });
  it('refuses a PIN typed into the script, before sending anything', async () => {
    const { c, t } = await card();
    const log: string[] = [];
    await expect(
      runScript(parseScript('00A4000C023F00\n00200001083132333435FFFFFF\n'), t, { secrets: new SecretStore({} as NodeJS.ProcessEnv), log: (l) => log.push(l) }),
    ).rejects.toThrow(/line 2: VERIFY PIN with a literal value/);
    expect(c.pins.find((p) => p.name === 'PIN1')!.retries).toBe(3);
    expect(log.join('\n')).not.toContain('3132333435');
  });
  it('hides AUTHENTICATE answers (RES, CK, IK), also when GET RESPONSE fetches them', async () => {
    const { c, t } = await card();
    // TS 35.208 test set 1
    provisionUsimAuth(c, { alg: 'milenage', k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' });
    const v = generateVector(new Milenage(fromHex('465b5ce8b199b49faa5f0a2ee238a6bc'), fromHex('cd63cb71954a9f4e48a5994e37a02baf')), {
      sqn: 33,
      amf: fromHex('8000'),
    });
    const log: string[] = [];
    // AUTHENTICATE needs PIN1 (TS 31.102 7.1.2)
    const text = `00A4040C10${USIM_AID}\n0020000108\${PIN1}\n0088008122 10${toHex(v.rand)} 10${toHex(v.autn)}\n#> SW=61xx\n00C0000035\n`;
    const r = await runScript(parseScript(text), t, {
      secrets: new SecretStore({ SIMDM_PIN1: '1234' } as unknown as NodeJS.ProcessEnv),
      log: (l) => log.push(l),
    });
    expect(r.failed).toBe(0);
    expect(r.steps[3]!.data).toBe('** (53 bytes)');
    const all = log.join('\n') + JSON.stringify(r);
    for (const secret of [v.xres, v.ck, v.ik]) expect(all).not.toContain(toHex(secret));
  });
});
