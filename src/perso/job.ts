/**
 * What is done to one card, as a CardJob: identify it, authenticate (ADM), the write steps, and
 * the read-back of each. The runner (runner.ts) journals around every call. The first job,
 * EfJob, writes per-card EFs (EF.IMSI, EF.SPN, any file of the batch, and EF.ICCID of blank
 * cards last, as the commit) with CardFs; ADM goes only through verifyPin (src/card/pin.ts),
 * which reads the retry counter first and refuses at one try left unless forced.
 */
import type { ApduSender } from '../apdu/link.js';
import { CardFs } from '../card/fs.js';
import { encodePinValue, verifyPin } from '../card/pin.js';
import { bytesEqual } from '../util/hex.js';
import { EF_ICCID_PATH, type FileSpec } from './batch.js';
import type { DataRow } from './data.js';
import { encodeIccid, encodeValue, iccidOfEf, substitute } from './encode.js';
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

export class EfJob implements CardJob {
  constructor(private readonly files: FileSpec[]) {}

  open(link: ApduSender): CardSessionCtx {
    return { link, fs: new CardFs(link) };
  }

  async identify(ctx: CardSessionCtx): Promise<string | undefined> {
    const b = await ctx.fs.readBinary(EF_ICCID_PATH, 0, 10);
    const iccid = iccidOfEf(b);
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
    if (blank) steps.push({ name: 'EF.ICCID', path: EF_ICCID_PATH, data: encodeIccid(row.iccid), secret: false, commit: true });
    return steps;
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
    await ctx.fs.updateBinary(step.path, await this.padded(ctx, step));
  }

  async readBack(ctx: CardSessionCtx, step: PlannedStep): Promise<boolean> {
    const want = await this.padded(ctx, step);
    const got = await ctx.fs.readBinary(step.path, 0, want.length);
    return bytesEqual(got, want);
  }
}
