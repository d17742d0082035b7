/**
 * A card as simdm wrote it before issue #11: one DODF per authority holding every file's
 * opaqueDO then every file's oidDO with an empty CommonDataObjectAttributes (30 00), at the
 * authority's DODF FID or, when over 255 bytes, at its second FID (+0x100); EF.ODF listing one
 * DODF per authority in authority order. Built by writing the plan with today's writer and then
 * rewriting the directory files the old way.
 */
import type { CardLink } from '../../../src/apdu/link.js';
import { encodeDer } from '../../../src/codec/asn1/codec.js';
import { type DataType, DataTypeType } from '../../../src/bootstrap/asn1/data-type.js';
import { fidBytes, selectAid, selectFid, updateAll } from '../../../src/bootstrap/card-io.js';
import { LeanCard } from '../../../src/card/lean.js';
import { type CardPlan, concat, odfBytes, opaqueEntry } from '../../../src/bootstrap/plan.js';
import { writePlan } from '../../../src/bootstrap/writer.js';
import { encodePinValue, verifyPin } from '../../../src/card/pin.js';
import { SecretStore } from '../../../src/util/secrets.js';

const ADM = '88888888';

export async function legacyWrite(link: CardLink, plan: CardPlan): Promise<void> {
  const secrets = new SecretStore(
    Object.fromEntries(plan.authorities.map((a) => [`SIMDM_${a.key}`, a.key === 'ADM2' ? '87654321' : ADM])) as NodeJS.ProcessEnv,
  );
  await writePlan(link, plan, { secrets, backupDir: false });
  for (const k of new Set(plan.authorities.map((a) => a.key))) await verifyPin(link, k, encodePinValue(secrets.require(k), 'adm'));
  await selectAid(link, plan.aid);
  const listed: number[] = [];
  for (const a of plan.authorities) {
    const items = plan.files.filter((f) => f.authority === a.name).map((f) => ({ label: f.label, oid: f.oid, fid: f.slots[0] }));
    const oid = items.map((f) =>
      encodeDer<DataType>(DataTypeType, {
        kind: 'oidDO',
        value: {
          commonObjectAttributes: { label: f.label },
          classAttributes: {},
          typeAttributes: { id: f.oid, value: { kind: 'indirect', value: { path: fidBytes(f.fid) } } },
        },
      }),
    );
    const bytes = concat([...items.map(opaqueEntry), ...oid]);
    const fid = bytes.length > 255 ? a.dodf + 0x100 : a.dodf;
    await LeanCard.of(link).delete(fid);
    const size = Math.max(255, bytes.length);
    const sw = await LeanCard.of(link).create({
      fid,
      size,
      access: { read: 'ALW', update: a.key, delete: a.key, activate: a.key, deactivate: a.key },
      sfi: null,
    });
    if (sw !== 0x9000) throw new Error(`legacy card: CREATE ${fid.toString(16)}: ${sw.toString(16)}`);
    const body = new Uint8Array(size).fill(0xff);
    body.set(bytes);
    await updateAll(link, body, 'legacy DODF');
    listed.push(fid);
  }
  await selectFid(link, 0x5031);
  const odf = new Uint8Array(64).fill(0xff);
  odf.set(odfBytes(listed));
  await updateAll(link, odf, 'legacy ODF');
}
