/**
 * Where the agent gets a card's identity and bootstrap. `CardBootstrapSource` uses the project's
 * PKCS#15 reader (src/bootstrap/reader.ts: AID, ODF, DODFs, files) and the ICCID/IMSI readers
 * (IMSI behind PIN1 through the safe verifyPin: never at one try left). Tests may substitute any
 * implementation of `BootstrapSource`.
 */
import type { ApduSender } from '../apdu/link.js';
import { readBootstrap } from '../bootstrap/reader.js';
import { readImsi } from '../bootstrap/profile/vars.js';
import { readIccid } from '../bootstrap/writer.js';
import { SimdmError } from '../errors.js';
import type { SecretStore } from '../util/secrets.js';
import { AgentError } from './errors.js';
import type { BootstrapFileData } from './tree.js';
import { hexNum } from '../util/hex.js';

export interface CardIdentity {
  iccid: string;
  imsi: string;
}

export interface BootstrapRead {
  files: BootstrapFileData[];
  /** what was wrong but did not stop the read (files that do not decode, unknown entries) */
  issues: string[];
}

export interface BootstrapSource {
  identity(s: ApduSender): Promise<CardIdentity>;
  bootstrap(s: ApduSender): Promise<BootstrapRead>;
}

export class CardBootstrapSource implements BootstrapSource {
  constructor(private readonly secrets: SecretStore) {}

  async identity(s: ApduSender): Promise<CardIdentity> {
    const iccid = await readIccid(s);
    if (!iccid) throw new AgentError('agent.card', 'the card has no readable EF.ICCID');
    let imsi: string;
    try {
      imsi = await readImsi(s, this.secrets);
    } catch (e) {
      throw new AgentError('agent.card', `cannot read the IMSI: ${e instanceof SimdmError ? e.message : 'error'}`, { cause: e });
    }
    return { iccid, imsi };
  }

  async bootstrap(s: ApduSender): Promise<BootstrapRead> {
    const st = await readBootstrap(s);
    const issues = [...st.issues];
    const files: BootstrapFileData[] = [];
    for (const f of st.files) {
      const authority = hexNum(f.dodf, 4);
      if (f.error || !f.content) {
        issues.push(`bootstrap file ${f.path} (${f.label ?? f.kind ?? 'unknown'}): ${f.error ?? 'no content'}; skipped`);
        continue;
      }
      if (f.content.format === 'syncml-dm') files.push({ kind: 'dm', authority, fields: f.content.fields });
      else if (f.content.format === 'lwm2m') files.push({ kind: 'lwm2m', authority, fields: f.content.fields });
      else files.push({ kind: 'other', authority, fields: f.content.fields });
    }
    return { files, issues };
  }
}
