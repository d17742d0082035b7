/**
 * A CardPlan as an APDU script (docs/apdu-scripts.md) for `simdm script run` or, without its
 * variables, scriptor: verify the ADM keys, create the application and files (TS 102 222 CREATE
 * FILE; "already exists" 6A89 accepted, so it also runs on pre-created cards), write each file's
 * first slot, then the DODFs, EF.TokenInfo, the EF.DIR record and EF.ODF last.
 *
 * Secrets never appear in the script: ADM keys are ${ADMn}, and bootstrap secrets found in the
 * content bytes (a DM password, a PSK) are written as ${ascii:NAME} / ${hex:NAME}; UPDATE BINARY
 * chunks are cut so that no secret straddles two commands.
 */
import { fromHex, toHex, hexNum } from '../util/hex.js';
import { createFcp } from './card-io.js';
import { fidHex } from '../util/hex.js';
import { encodeDirRecord } from './dir-record.js';
import { FID } from './oids.js';
import { freshLayout } from './layout.js';
import { authorityOf, type CardPlan, DODF_MAX, odfBytes, tokenInfoBytes } from './plan.js';

interface Hole {
  start: number;
  end: number;
  ref: string;
}

function holesIn(body: Uint8Array, secrets: CardPlan['secretValues']): Hole[] {
  const out: Hole[] = [];
  for (const s of secrets) {
    const forms: [Uint8Array, string][] = [[new TextEncoder().encode(s.value), `\${ascii:${s.name}}`]];
    if (/^([0-9A-Fa-f]{2})+$/.test(s.value)) forms.push([fromHex(s.value), `\${hex:${s.name}}`]);
    for (const [needle, ref] of forms) {
      if (needle.length < 2) continue;
      for (let i = 0; i + needle.length <= body.length; i++) {
        let hit = true;
        for (let j = 0; j < needle.length && hit; j++) hit = body[i + j] === needle[j];
        if (hit && !out.some((h) => i < h.end && i + needle.length > h.start)) out.push({ start: i, end: i + needle.length, ref });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** UPDATE BINARY lines for `body`, chunks <= 255 bytes that never split a secret. */
function updateLines(body: Uint8Array, secrets: CardPlan['secretValues']): string[] {
  const holes = holesIn(body, secrets);
  const lines: string[] = [];
  let o = 0;
  while (o < body.length) {
    let end = Math.min(body.length, o + 255);
    const cut = holes.find((h) => h.start < end && h.end > end);
    if (cut && cut.start > o) end = cut.start;
    let text = '';
    let p = o;
    for (const h of holes.filter((x) => x.start >= o && x.end <= end)) {
      text += toHex(body.subarray(p, h.start)) + h.ref;
      p = h.end;
    }
    text += toHex(body.subarray(p, end));
    const n = end - o;
    lines.push(`00D6${hexNum((o >> 8) & 0x7f)}${hexNum(o & 0xff)}${hexNum(n)}${text}`, '#> SW=9000');
    o = end;
  }
  return lines;
}

function apdu(ins: string, p1p2: string, data: Uint8Array): string {
  return `00${ins}${p1p2}${hexNum(data.length)}${toHex(data)}`;
}

export function planToScript(plan: CardPlan, opts: { dirRecord?: number; generated?: string } = {}): string {
  const L: string[] = [];
  const keys = [...new Set(plan.authorities.map((a) => a.key))].sort();
  const allKeys = keys.join('|');
  const owner = authorityOf(plan, plan.owner).key;
  L.push(`# simdm profile compile: ${plan.name}${opts.generated ? ` (${opts.generated})` : ''}`);
  L.push('# PKCS#15 bootstrap application (OMA ProvSC / OMA DM Bootstrap / LwM2M Appendix G).');
  L.push(`# Keys: ${keys.map((k) => `\${${k}}`).join(', ')} from SIMDM_<NAME> or --keys; run with: simdm script run FILE`);
  L.push('');
  L.push('#@ block verify');
  for (const k of keys) {
    const ref = /^ADM(\d+)$/.exec(k)!;
    const n = Number(ref[1]);
    L.push(
      `# ${k} (${plan.authorities
        .filter((a) => a.key === k)
        .map((a) => a.name)
        .join(', ')})`,
      `002000${hexNum(n <= 5 ? 0x09 + n : 0x84 + n)}08\${${k}}`,
      '#> SW=9000',
    );
  }
  L.push('#@ end', '');
  L.push('#@ block structure', '# MF, then DF.PKCS15 as an ADF with the PKCS#15 AID (6A89: already there)');
  L.push('00A4000C023F00', '#> SW=9000');
  L.push(
    apdu(
      'E0',
      '0000',
      createFcp({ fid: plan.appFid, df: true, aid: plan.aid, access: { create: allKeys, delete: owner, activate: owner, deactivate: owner } }),
    ),
    '#> SW=9000|6A89',
  );
  L.push(apdu('A4', '040C', plan.aid), '#> SW=9000');
  const ef = (fid: number, size: number, key: string) =>
    createFcp({ fid, size, access: { read: 'ALW', update: key, delete: key, activate: key, deactivate: key }, sfi: null });
  L.push(
    '# EF.ODF, EF.TokenInfo',
    apdu('E0', '0000', ef(FID.odf, 64, owner)),
    '#> SW=9000|6A89',
    apdu('E0', '0000', ef(FID.tokenInfo, 128, owner)),
    '#> SW=9000|6A89',
  );
  const layout = freshLayout(plan);
  for (const d of layout) {
    const key = authorityOf(plan, d.part.authority).key;
    L.push(
      `# EF.DODF ${fidHex(d.fid)} of ${d.part.authority} (${key})`,
      apdu('E0', '0000', ef(d.fid, Math.max(DODF_MAX, d.bytes.length), key)),
      '#> SW=9000|6A89',
    );
  }
  L.push('#@ end', '');
  L.push('#@ block content');
  for (const f of plan.files) {
    const fid = f.slots[0];
    const size = Math.max(f.bytes.length, f.size ?? 0);
    L.push(`# ${f.label} (${f.kind}, OID ${f.oid}, ${f.bytes.length} bytes) -> ${fidHex(fid)}, owned by ${f.authority}`);
    L.push(apdu('E0', '0000', ef(fid, size, authorityOf(plan, f.authority).key)), '#> SW=9000|6A89');
    L.push(apdu('A4', '000C', Uint8Array.of(fid >> 8, fid & 0xff)), '#> SW=9000');
    L.push(...updateLines(f.bytes, plan.secretValues));
  }
  L.push('#@ end', '');
  L.push('#@ block switch');
  for (const d of layout) {
    L.push(
      `# EF.DODF ${fidHex(d.fid)}: ${d.part.files.map((f) => f.label).join(', ')}`,
      apdu('A4', '000C', Uint8Array.of(d.fid >> 8, d.fid & 0xff)),
      '#> SW=9000',
    );
    L.push(...updateLines(d.bytes, []));
  }
  L.push('# EF.TokenInfo', apdu('A4', '000C', Uint8Array.of(FID.tokenInfo >> 8, FID.tokenInfo & 0xff)), '#> SW=9000', ...updateLines(tokenInfoBytes(plan), []));
  const rec = opts.dirRecord ?? 2;
  L.push(
    `# EF.DIR record ${rec}: the PKCS#15 application template (pick a free record of your card)`,
    '00A4000C023F00',
    '#> SW=9000',
    '00A4000C022F00',
    '#> SW=9000',
  );
  L.push(
    `00DC${hexNum(rec)}04${hexNum(38)}${toHex(encodeDirRecord({ aid: plan.aid, label: plan.appLabel, path: Uint8Array.of(0x3f, 0x00, plan.appFid >> 8, plan.appFid & 0xff) }, 38))}`,
    '#> SW=9000',
  );
  L.push(
    '# EF.ODF last: it makes the data objects visible',
    apdu('A4', '040C', plan.aid),
    '#> SW=9000',
    apdu('A4', '000C', Uint8Array.of(FID.odf >> 8, FID.odf & 0xff)),
    '#> SW=9000',
    ...updateLines(odfBytes(layout.map((d) => d.fid)), []),
  );
  L.push('#@ end', '');
  return L.join('\n');
}
