/**
 * What is done to one card, as a CardJob: identify it, authenticate (ADM), the write steps, and
 * the read-back of each. The runner (runner.ts) journals around every call. The first job,
 * EfJob, writes per-card EFs (EF.IMSI, EF.SPN, any file of the batch, and EF.ICCID of blank
 * cards last, as the commit) with CardFs; ADM goes only through verifyPin (src/card/pin.ts),
 * which reads the retry counter first and refuses at one try left unless forced.
 */
import type { ApduSender } from '../apdu/link.js';
import { writePlan } from '../bootstrap/writer.js';
import { compileProfile } from '../bootstrap/profile/compile.js';
import { loadProfile } from '../bootstrap/profile/load.js';
import type { CardPlan } from '../bootstrap/plan.js';
import { CardFs } from '../card/fs.js';
import { SecretStore } from '../util/secrets.js';
import { swHex } from '../apdu/sw.js';
import { openSecureChannel } from '../secure/gp/channel.js';
import { buildPutKey } from '../secure/gp/putkey.js';
import { constantTimeEqual } from '../secure/primitives/ct.js';
import type { GpSpec } from './batch.js';
import { encodePinValue, verifyPin } from '../card/pin.js';
import { bytesEqual } from '../util/hex.js';
import { EF_ICCID_PATH, type FileSpec } from './batch.js';
import type { DataRow } from './data.js';
import { encodeValue, substitute } from './encode.js';
import { iccidContent, iccidOf } from '../card/spec/ts-102-221.js';
import { PersoError } from './errors.js';
import { isSecretColumn } from './keystore.js';

export interface CardSessionCtx {
  link: ApduSender;
  fs: CardFs;
}

export interface PlannedStep {
  name: string;
  path: string;
  data: Uint8Array;
  /** data derived from a secret column: never logged */
  secret: boolean;
  /** the ICCID write of a blank card: from its start the card may carry the row's identity */
  commit: boolean;
  /** a bootstrap profile (src/bootstrap) written by its own writer instead of `data` */
  profile?: { plan: CardPlan; secrets: SecretStore; iccid: string };
  /** PUT KEY of a key set from the row into the ISD, over SCP02/SCP03 as the card's ISD offers */
  gp?: { spec: GpSpec; isd: { enc: Uint8Array; mac: Uint8Array; dek: Uint8Array }; keys: Uint8Array[] };
}

export interface CardJob {
  open(link: ApduSender): CardSessionCtx;
  /** the card's ICCID, or undefined for a blank card (EF.ICCID all FF) */
  identify(ctx: CardSessionCtx): Promise<string | undefined>;
  /** ADM1, then PIN1 when given (read-back of PIN1-readable files), both through verifyPin */
  authenticate(ctx: CardSessionCtx, adm: Buffer, pin1: Buffer | undefined, force: boolean): Promise<void>;
  plan(row: DataRow, secrets: Map<string, Buffer>, blank: boolean): PlannedStep[];
  write(ctx: CardSessionCtx, step: PlannedStep): Promise<void>;
  /** reads the file back: true when it holds exactly what was written */
  readBack(ctx: CardSessionCtx, step: PlannedStep): Promise<boolean>;
}

export interface ProfileSpec {
  /** profile YAML (card-profiles/...) with ${ICCID}, ${IMSI}, ${COLUMN} and ${SECRET:NAME} */
  file: string;
  /** batch-wide secrets (SIMDM_<NAME> / --keys) for ${SECRET:NAME} not given by a row column */
  secrets?: SecretStore;
}

export class EfJob implements CardJob {
  constructor(
    private readonly files: FileSpec[],
    private readonly profile?: ProfileSpec,
    private readonly force = false,
    private readonly gp?: { spec: GpSpec; secrets?: SecretStore },
  ) {}

  open(link: ApduSender): CardSessionCtx {
    // lean: no FCP where the spec fixes what it would say (EF.IMSI, EF.SPN, EF.ICCID, the ADF)
    return { link, fs: new CardFs(link, { lean: true }) };
  }

  async identify(ctx: CardSessionCtx): Promise<string | undefined> {
    const b = await ctx.fs.readBinary(EF_ICCID_PATH, 0, 10);
    const iccid = iccidOf(b);
    if (iccid === undefined && !b.every((x) => x === 0xff)) throw new PersoError('card-iccid', 'EF.ICCID holds neither an ICCID nor FF (blank)');
    return iccid;
  }

  async authenticate(ctx: CardSessionCtx, adm: Buffer, pin1: Buffer | undefined, force: boolean): Promise<void> {
    const v = encodePinValue(adm.toString('utf8'), 'adm');
    try {
      await verifyPin(ctx.link, 'ADM1', v, { force });
    } finally {
      v.fill(0);
    }
    if (!pin1) return;
    const p = encodePinValue(pin1.toString('utf8'), 'pin');
    try {
      await verifyPin(ctx.link, 'PIN1', p, { force });
    } finally {
      p.fill(0);
    }
  }

  plan(row: DataRow, secrets: Map<string, Buffer>, blank: boolean): PlannedStep[] {
    const lookup = (n: string): string | undefined => (isSecretColumn(n) ? secrets.get(n === 'K' ? 'KI' : n)?.toString('utf8') : row.values[n]);
    const steps: PlannedStep[] = this.files.map((f) => {
      const secret = [...f.value.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].some((m) => isSecretColumn(m[1]!));
      const text = substitute(f.value, lookup, `${f.name} (row ${row.row})`);
      return { name: f.name, path: f.path, data: encodeValue(f.encode, text, `${f.name} (row ${row.row})`), secret, commit: false };
    });
    if (this.profile) steps.push(this.profileStep(row, lookup, secrets));
    if (this.gp) steps.push(this.gpStep(row, secrets));
    if (blank) steps.push({ name: 'EF.ICCID', path: EF_ICCID_PATH, data: iccidContent(row.iccid), secret: false, commit: true });
    return steps;
  }

  /**
   * The bootstrap profile of this row: compiled with the row's values (ICCID, IMSI, any column)
   * and secrets (a row column of that name, else the batch-wide secret store); the writer gets
   * the row's ADM1 through a secret store of its own that lives as long as the step.
   */
  private profileStep(row: DataRow, lookup: (n: string) => string | undefined, secrets: Map<string, Buffer>): PlannedStep {
    const pf = this.profile!;
    const secret = (n: string): string | undefined => secrets.get(n.toUpperCase())?.toString('utf8') ?? pf.secrets?.get(n);
    const lp = loadProfile(pf.file, { vars: (n) => lookup(n.toUpperCase()), secrets: secret });
    const plan = compileProfile(lp, { iccid: row.iccid });
    const env: Record<string, string> = {};
    for (const [k, v] of secrets) env[`SIMDM_${k}`] = v.toString('utf8');
    for (const k of ['ADM1', 'ADM2', 'ADM3', 'ADM4', 'ADM5']) if (!env[`SIMDM_${k}`] && pf.secrets?.get(k)) env[`SIMDM_${k}`] = pf.secrets.get(k)!;
    return {
      name: `profile ${plan.name}`,
      path: '',
      data: new Uint8Array(),
      secret: true,
      commit: false,
      profile: { plan, secrets: new SecretStore(env), iccid: row.iccid },
    };
  }

  /** The ISD keys (row column or batch secret) and the row's key set for PUT KEY. */
  private gpStep(row: DataRow, secrets: Map<string, Buffer>): PlannedStep {
    const { spec, secrets: store } = this.gp!;
    const hexOf = (name: string): Uint8Array | undefined => {
      const v = secrets.get(name)?.toString('utf8') ?? store?.get(name);
      if (v === undefined) return undefined;
      if (!/^([0-9A-Fa-f]{2}){16,32}$/.test(v)) throw new PersoError('gp-key', `row ${row.row}: ${name} is not 16..32 bytes of hex`);
      return Uint8Array.from(Buffer.from(v, 'hex'));
    };
    const p = spec.isdKeys;
    const all = hexOf(`${p}_KEY`);
    const enc = hexOf(`${p}_ENC`) ?? all;
    const mac = hexOf(`${p}_MAC`) ?? all;
    const dek = hexOf(`${p}_DEK`) ?? all;
    if (!enc || !mac || !dek) throw new PersoError('gp-key', `row ${row.row}: no ISD keys (${p}_KEY or ${p}_ENC/_MAC/_DEK as a column or SIMDM_ secret)`);
    const keys = spec.putKey.columns.map((c) => {
      const k = hexOf(c.toUpperCase());
      if (!k) throw new PersoError('gp-key', `row ${row.row}: column ${c} is empty`);
      return k;
    });
    return {
      name: `ISD PUT KEY KVN ${spec.putKey.kvn}`,
      path: '',
      data: new Uint8Array(),
      secret: true,
      commit: false,
      gp: { spec, isd: { enc, mac, dek }, keys },
    };
  }

  /**
   * Opens the ISD's secure channel (SCP02 or SCP03 from its INITIALIZE UPDATE answer, GP 2.2
   * E.5.1.3 / Amd D 7.1.1.6) and puts the key set: replacing KVN n when the card has it (a redo
   * after a crash), else adding it (GP 2.2 11.8.2.2). The card's KCVs are compared with ours:
   * that is the read-back of a key (keys are never readable).
   */
  private async putKey(ctx: CardSessionCtx, g: NonNullable<PlannedStep['gp']>): Promise<void> {
    const ch = await openSecureChannel(ctx.link, { keys: g.isd, level: g.spec.level, select: true, kvn: g.spec.kvn, diversification: g.spec.diversification });
    const pk = g.spec.putKey;
    for (const replaceKvn of [pk.kvn, 0]) {
      const { cmd, expect } = buildPutKey({ replaceKvn, newKvn: pk.kvn, keys: g.keys.map((key) => ({ type: pk.type, key })) }, (c) =>
        ch.session.encryptKeyData(c),
      );
      const r = await ch.transmit(cmd);
      if (r.sw === 0x6a88 && replaceKvn !== 0) continue; // not there yet: add it
      if (r.sw !== 0x9000) throw new PersoError('gp', `PUT KEY KVN ${pk.kvn} refused (${swHex(r.sw)})`);
      if (!constantTimeEqual(r.data, expect)) throw new PersoError('verify-mismatch', `PUT KEY KVN ${pk.kvn}: the card's key check values differ`);
      return;
    }
  }

  private async padded(ctx: CardSessionCtx, step: PlannedStep): Promise<Uint8Array> {
    const f = await ctx.fs.select(step.path);
    const size = f.size ?? step.data.length;
    if (step.data.length > size) throw new PersoError('too-long', `${step.name}: ${step.data.length} bytes do not fit the file of ${size}`);
    if (step.data.length === size) return step.data;
    const out = new Uint8Array(size).fill(0xff);
    out.set(step.data);
    return out;
  }

  async write(ctx: CardSessionCtx, step: PlannedStep): Promise<void> {
    if (step.gp) {
      ctx.fs.invalidate();
      try {
        await this.putKey(ctx, step.gp);
      } finally {
        ctx.fs.invalidate();
      }
      return;
    }
    if (step.profile) {
      // the writer selects on its own: what CardFs thinks is selected is stale afterwards
      ctx.fs.invalidate();
      try {
        await writePlan(ctx.link, step.profile.plan, {
          secrets: step.profile.secrets,
          backupDir: false,
          verify: true,
          iccid: step.profile.iccid,
          force: this.force,
        });
      } finally {
        ctx.fs.invalidate();
      }
      return;
    }
    await ctx.fs.updateBinary(step.path, await this.padded(ctx, step));
  }

  async readBack(ctx: CardSessionCtx, step: PlannedStep): Promise<boolean> {
    // writePlan read the profile back already (its step 7) and throws on a difference
    if (step.profile || step.gp) return true;
    const want = await this.padded(ctx, step);
    const got = await ctx.fs.readBinary(step.path, 0, want.length);
    return bytesEqual(got, want);
  }
}
