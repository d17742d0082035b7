/**
 * The bulk run: one async loop per reader, all in this process (pcsclite must not be used from
 * worker threads), each waiting for a card, writing it and waiting for its removal. Per card:
 * identify (EF.ICCID) -> claim its row (by ICCID, or the next free row for a blank card) ->
 * decrypt that row's secrets -> ADM (verifyPin: counter first, never the last try) -> write
 * steps, each journaled before and after and read back -> verified. A card pulled mid-write
 * releases its row (held instead when a blank card's ICCID commit had begun).
 */
import { CardLink } from '../apdu/link.js';
import { SimdmError } from '../errors.js';
import { TransportError } from '../transport/errors.js';
import type { Transport } from '../transport/types.js';
import { type DataRow, type LoadedData, openRowSecrets, wipeSecrets } from './data.js';
import type { BatchRows } from './data-file.js';
import { PersoError } from './errors.js';
import type { CardJob } from './job.js';
import type { Journal, JournalRow } from './journal.js';
import type { TransportKey } from './keystore.js';

/** A reader slot: a transport that can wait for cards (PcscTransport is one). */
export interface ReaderPort extends Transport {
  readonly cardPresent: boolean;
  waitForCard(timeoutMs: number): Promise<void>;
  waitForRemoval(timeoutMs: number): Promise<void>;
}

export type RunnerEventType = 'card' | 'step' | 'verified' | 'failed' | 'skipped' | 'pulled' | 'stopped';
export interface RunnerEvent {
  type: RunnerEventType;
  reader: string;
  rowNo?: number;
  iccid?: string;
  step?: number;
  steps?: number;
  detail?: string;
  apdus?: number;
}

export interface RunnerOptions {
  journal: Journal;
  /** the rows: loaded in memory (LoadedData) or streamed from the file (BatchRows) */
  data: LoadedData | BatchRows;
  key: TransportKey;
  job: CardJob;
  readers: ReaderPort[];
  session: string;
  /** the data column holding the card's ADM (default ADM1) */
  admColumn?: string;
  /** ADM for rows without one (secret SIMDM_ADM1) */
  admFallback?: () => Buffer | undefined;
  /** present ADM even with one try left (never by default) */
  force?: boolean;
  /** end when no row is free, claimed or writing (default true) */
  stopWhenDone?: boolean;
  /** end after this many cards were handled (verified, failed or skipped) */
  maxCards?: number;
  signal?: AbortSignal;
  onEvent?: (e: RunnerEvent) => void;
  heartbeatMs?: number;
  /**
   * With only held rows left, keep waiting this long after the last card for a held row's card
   * to come back (default 10 s; a pulled card is usually back within seconds).
   */
  holdWaitMs?: number;
}

export interface RunSummary {
  session: string;
  verified: number;
  failed: number;
  pulled: number;
  skipped: number;
  apdus: number;
  /** APDUs of the verified cards only */
  apdusVerified: number;
  elapsedMs: number;
  cardsPerMinute: number;
  perReader: Record<string, { verified: number; failed: number; pulled: number }>;
}

const PULLED = new Set(['card-removed', 'no-card', 'unresponsive-card']);
export function isPulled(e: unknown): boolean {
  return e instanceof TransportError && PULLED.has(e.kind);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PersoRunner {
  private readonly byNo = new Map<number, DataRow>();
  private done = false;
  private handled = 0;
  private readonly sum: RunSummary;
  private fatal: unknown;
  private lastActivity = Date.now();
  private lastRefresh = 0;

  private readonly rowOf: (rowNo: number) => DataRow | undefined;

  constructor(private readonly o: RunnerOptions) {
    const d = o.data;
    if ('rows' in d) for (const r of d.rows) this.byNo.set(r.row, r);
    this.rowOf = 'rows' in d ? (n) => this.byNo.get(n) : (n) => d.row(n);
    this.sum = {
      session: o.session,
      verified: 0,
      failed: 0,
      pulled: 0,
      skipped: 0,
      apdus: 0,
      apdusVerified: 0,
      elapsedMs: 0,
      cardsPerMinute: 0,
      perReader: {},
    };
    for (const r of o.readers) this.sum.perReader[r.name] = { verified: 0, failed: 0, pulled: 0 };
  }

  private emit(e: RunnerEvent): void {
    this.o.onEvent?.(e);
  }

  private stopping(): boolean {
    return this.done || this.fatal !== undefined || this.o.signal?.aborted === true || (this.o.maxCards !== undefined && this.handled >= this.o.maxCards);
  }

  private async refreshDone(): Promise<void> {
    this.lastRefresh = Date.now();
    if (this.o.stopWhenDone === false) return;
    const rows = await this.o.journal.rows();
    const active = rows.some((r) => r.state === 'free' || r.state === 'claimed' || r.state === 'writing');
    const held = rows.some((r) => r.state === 'held');
    this.done = !active && (!held || Date.now() - this.lastActivity > (this.o.holdWaitMs ?? 10_000));
  }

  async run(): Promise<RunSummary> {
    const t0 = Date.now();
    const hb = setInterval(() => void this.o.journal.heartbeat(this.o.session).catch(() => undefined), this.o.heartbeatMs ?? 2000);
    try {
      await this.refreshDone();
      await Promise.all(this.o.readers.map((r) => this.loop(r)));
    } finally {
      clearInterval(hb);
    }
    if (this.fatal) throw this.fatal;
    this.sum.elapsedMs = Date.now() - t0;
    this.sum.cardsPerMinute = this.sum.elapsedMs > 0 ? (this.sum.verified * 60000) / this.sum.elapsedMs : 0;
    return this.sum;
  }

  private async loop(t: ReaderPort): Promise<void> {
    while (!this.stopping()) {
      if (!t.cardPresent) {
        await t.waitForCard(200).catch(() => undefined);
        if (Date.now() - this.lastRefresh > 500) await this.refreshDone();
        continue;
      }
      this.lastActivity = Date.now();
      try {
        await t.connect();
      } catch (e) {
        if (e instanceof TransportError && e.kind === 'transport-broken') {
          this.fatal = e;
          return;
        }
        await sleep(50);
        continue;
      }
      try {
        await this.card(t);
      } catch (e) {
        if (!this.fatal) this.fatal = e;
        await t.disconnect().catch(() => undefined);
        return;
      }
      this.lastActivity = Date.now();
      await this.refreshDone();
      await this.awaitRemoval(t);
      await t.disconnect().catch(() => undefined);
    }
    this.emit({ type: 'stopped', reader: t.name });
  }

  /**
   * Waits until the card is taken out. A removal and re-insertion faster than the reader
   * driver's polling (pcscd polls many drivers every 400 ms) is never reported: the card handle
   * kept open then fails on a STATUS probe (TS 102 221 11.1.2, no data) once a second, which
   * tells the same card (answers) from a swapped one (handle reset or removed).
   */
  private async awaitRemoval(t: ReaderPort): Promise<void> {
    let last = Date.now();
    while (t.cardPresent && !this.stopping()) {
      await t.waitForRemoval(200).catch(() => undefined);
      if (Date.now() - this.lastRefresh > 500) await this.refreshDone();
      if (!t.cardPresent || Date.now() - last < 1000) continue;
      last = Date.now();
      try {
        const r = await t.transmit(Uint8Array.of(0x80, 0xf2, 0x00, 0x0c, 0x00));
        if (r.length < 2) return;
      } catch {
        return;
      }
    }
  }

  private count(reader: string, what: 'verified' | 'failed' | 'pulled'): void {
    this.sum[what]++;
    this.sum.perReader[reader]![what]++;
    if (what !== 'pulled') this.handled++;
  }

  /** One card; throws only what must stop the run (journal lost, pcscd gone). */
  private async card(t: ReaderPort): Promise<void> {
    const { journal: j, session: s, job } = this.o;
    const link = new CardLink(t);
    const ctx = job.open(link);
    const reader = t.name;
    let iccid: string | undefined;
    try {
      iccid = await job.identify(ctx);
    } catch (e) {
      this.sum.apdus += link.apduCount;
      if (isPulled(e)) {
        this.count(reader, 'pulled');
        await j.note(s, 'pulled', false, 'card pulled while being identified', { reader });
        this.emit({ type: 'pulled', reader, detail: 'while identifying' });
        return;
      }
      if (e instanceof TransportError && e.kind === 'transport-broken') throw e;
      this.sum.skipped++;
      this.handled++;
      await j.note(s, 'identify-failed', false, msg(e), { reader });
      this.emit({ type: 'skipped', reader, detail: msg(e) });
      return;
    }
    let row: JournalRow | undefined;
    let sameCard = false;
    if (iccid !== undefined) {
      const c = await j.claimIccid(iccid, reader, s);
      if (c.kind !== 'claimed') {
        const why =
          c.kind === 'unknown'
            ? 'card not in this batch'
            : c.kind === 'verified'
              ? 'already written and verified: not written again'
              : c.kind === 'failed'
                ? `its row failed earlier (${c.row.reason ?? '?'}): not retried`
                : `its row is being written by ${c.row.reader ?? 'another reader'}`;
        this.sum.skipped++;
        this.handled++;
        await j.note(s, `skipped-${c.kind}`, c.kind === 'verified', why, { iccid, reader, ...(c.kind !== 'unknown' ? { rowNo: c.row.rowNo } : {}) });
        this.emit({ type: 'skipped', reader, iccid, detail: why });
        this.sum.apdus += link.apduCount;
        return;
      }
      row = c.row;
    } else {
      for (const h of await j.heldOn(reader)) {
        const mine = await this.heldCheck(t, link, ctx, h);
        if (mine === 'gone') return;
        if (mine) {
          row = mine;
          sameCard = true;
          break;
        }
      }
      row ??= await j.claimNext(reader, s);
      if (!row) {
        this.sum.skipped++;
        this.handled++;
        await j.note(s, 'skipped-no-row', false, 'blank card but no free row left', { reader });
        this.emit({ type: 'skipped', reader, detail: 'no free row for a blank card' });
        this.sum.apdus += link.apduCount;
        return;
      }
    }
    // the card's writes, commit and read-back as one PC/SC transaction: no other client of the
    // reader can select another file or present a key in between
    const r = row;
    await t.transaction(() => this.write(t, link, ctx, r, iccid === undefined && r.mode === 'blank', sameCard));
  }

  /**
   * Is the blank card in this reader the card of held row `rowNo` (tried once, here, its ICCID
   * commit cut)? Yes when every file written before the commit reads back as that row's data
   * (EF.IMSI alone is unique to the row; K/OPc make it certain). Then the row is continued on
   * it; otherwise the row is held again and the card takes a free row.
   */
  private async heldCheck(t: ReaderPort, link: CardLink, ctx: ReturnType<CardJob['open']>, cand: JournalRow): Promise<JournalRow | undefined | 'gone'> {
    const { journal: j, session: s, job } = this.o;
    const rowNo = cand.rowNo;
    const wasHeld = cand.state === 'held';
    // a released row: only the files finished before the interruption can be compared
    const upto = wasHeld ? Infinity : cand.stepDone;
    const row = await j.claimHeld(rowNo, t.name, s);
    if (!row) return undefined;
    const back = (why: string): Promise<void> => (wasHeld ? j.hold(rowNo, s, why) : j.release(rowNo, s, why));
    // the row from the data file as the writer gets it (a streamed file has no rows in memory)
    const data = this.rowOf(rowNo);
    let secrets: Map<string, Buffer> | undefined;
    const reason = row.reason ?? 'held';
    try {
      if (!data) throw new PersoError('data', `row ${rowNo} not in the data file`);
      secrets = openRowSecrets(this.o.key, data);
      const adm = secrets.get(this.o.admColumn ?? 'ADM1') ?? this.o.admFallback?.();
      if (!adm) throw new PersoError('no-adm', `row ${rowNo}: no ADM`);
      await job.authenticate(ctx, adm, secrets.get('PIN1'), this.o.force === true);
      const steps = job.plan(data, secrets, true);
      for (let k = 0; k < steps.length && k < upto; k++) {
        const st = steps[k]!;
        if (st.commit) continue;
        if (!(await job.readBack(ctx, st))) {
          await back(reason);
          return undefined;
        }
      }
      await j.note(s, 'same-card', true, `the blank card in this reader carries the files of this ${wasHeld ? 'held' : 'interrupted'} row: continuing it`, {
        rowNo,
        iccid: row.iccid,
        reader: t.name,
      });
      return row;
    } catch (e) {
      await back(reason).catch(() => undefined);
      if (isPulled(e)) return 'gone';
      if (e instanceof TransportError && e.kind === 'transport-broken') throw e;
      if (e instanceof SimdmError && e.code.startsWith('pin.')) {
        await j.note(s, 'adm-refused', false, msg(e), { reader: t.name });
        return 'gone';
      }
      // not a mismatch but a failure of the check itself: said in the journal, the row stays held
      await j.note(s, 'held-check-failed', false, `row ${rowNo}: ${msg(e)}`, { rowNo, reader: t.name });
      return undefined;
    } finally {
      if (secrets) wipeSecrets(secrets);
      void link;
    }
  }

  private async write(t: ReaderPort, link: CardLink, ctx: ReturnType<CardJob['open']>, row: JournalRow, blank: boolean, sameCard = false): Promise<void> {
    const { journal: j, session: s, job } = this.o;
    const reader = t.name;
    const data = this.rowOf(row.rowNo);
    let commitBegun = row.commitBegun;
    let step = 0;
    let secrets: Map<string, Buffer> | undefined;
    this.emit({ type: 'card', reader, rowNo: row.rowNo, iccid: row.iccid });
    try {
      if (!data || data.iccid !== row.iccid) throw new PersoError('data', `row ${row.rowNo} is in the journal but not (or not the same) in the data file`);
      secrets = openRowSecrets(this.o.key, data);
      const adm = secrets.get(this.o.admColumn ?? 'ADM1') ?? this.o.admFallback?.();
      if (!adm) throw new PersoError('no-adm', `row ${row.rowNo}: no ADM (column ${this.o.admColumn ?? 'ADM1'} empty and SIMDM_ADM1 not set)`);
      await job.authenticate(ctx, adm, secrets.get('PIN1'), this.o.force === true);
      const steps = job.plan(data, secrets, blank);
      if (steps.length === 0) throw new PersoError('no-steps', 'nothing to write');
      // journal: before step 1 | after k + before k+1 (one transaction) | after the last + verified
      await j.stepBegin(row.rowNo, 1, steps[0]!.name, s, steps[0]!.commit, !sameCard);
      for (const st of steps) {
        step++;
        if (st.commit) commitBegun = true;
        await job.write(ctx, st);
        if (!(await job.readBack(ctx, st))) throw new PersoError('verify-mismatch', `${st.name}: read-back differs from what was written`);
        this.emit({ type: 'step', reader, rowNo: row.rowNo, step, steps: steps.length });
        const next = steps[step];
        if (next) await j.advance(row.rowNo, { step, name: st.name }, { step: step + 1, name: next.name, ...(next.commit ? { commit: true } : {}) }, s);
      }
      await j.finish(row.rowNo, { step, name: steps[step - 1]!.name }, s, `${steps.length} steps written and verified, ${link.apduCount} APDUs`);
      this.count(reader, 'verified');
      this.sum.apdusVerified += link.apduCount;
      this.emit({ type: 'verified', reader, rowNo: row.rowNo, iccid: row.iccid, apdus: link.apduCount });
    } catch (e) {
      if (e instanceof PersoError && e.code === 'perso.journal-lost') throw e;
      if (e instanceof TransportError && e.kind === 'transport-broken') throw e;
      if (isPulled(e)) {
        const why = `card pulled at step ${step}`;
        if (blank && commitBegun)
          await j.hold(row.rowNo, s, `${why} after its ICCID commit began: re-insert that card (or release the row once it is destroyed)`);
        else await j.release(row.rowNo, s, why);
        this.count(reader, 'pulled');
        this.emit({ type: 'pulled', reader, rowNo: row.rowNo, iccid: row.iccid, detail: why });
      } else if (blank && step === 0 && e instanceof SimdmError && e.code.startsWith('pin.')) {
        // nothing written to a blank card: its row goes back to the pool, the card is reported
        await j.release(row.rowNo, s, `ADM refused: ${msg(e)}`);
        await j.note(s, 'adm-refused', false, msg(e), { reader });
        this.count(reader, 'failed');
        this.emit({ type: 'failed', reader, rowNo: row.rowNo, detail: `ADM: ${msg(e)}` });
      } else {
        await j.fail(row.rowNo, s, `${step ? `step ${step}: ` : ''}${msg(e)}`);
        this.count(reader, 'failed');
        this.emit({ type: 'failed', reader, rowNo: row.rowNo, iccid: row.iccid, detail: msg(e) });
      }
    } finally {
      if (secrets) wipeSecrets(secrets);
      this.sum.apdus += link.apduCount;
    }
  }
}

function msg(e: unknown): string {
  return e instanceof SimdmError ? e.message : e instanceof Error ? `internal: ${e.message}` : String(e);
}
