/**
 * One call for `perso run` / `perso resume` (and the e2e tests and the bench): load the batch,
 * open the key store with the transport key, open the journal, recover dead sessions' claims
 * (resume), open the readers on one PcscContext and run.
 */
import { hostname } from 'node:os';
import { PcscContext, type PcscTransport } from '../transport/pcsc.js';
import type { SecretStore } from '../util/secrets.js';
import { type Batch, defaultFiles, loadBatch } from './batch.js';
import type { BatchRows } from './data-file.js';
import { PersoError } from './errors.js';
import { EfJob } from './job.js';
import type { Journal, RecoveredRow } from './journal.js';
import type { TransportKey } from './keystore.js';
import { PersoRunner, type ReaderPort, type RunnerEvent, type RunSummary } from './runner.js';
import { deadSessions, openBatchJournal, readBatchData, sealJournal } from './station.js';

export interface RunBatchOptions {
  /** start a new journal although the batch's journal exists without simdm schema or is missing (--new-journal) */
  newJournal?: boolean;
  batchFile: string;
  key: TransportKey;
  /** 'all' or comma-separated reader names / unique parts / indexes */
  readers: string;
  resume?: boolean;
  station?: string;
  admFallback?: () => Buffer | undefined;
  /** batch-wide secrets for ${SECRET:NAME} of the profile */
  secrets?: SecretStore;
  force?: boolean;
  maxCards?: number;
  stopWhenDone?: boolean;
  /** a dead session is one silent this long (another host), or whose process is gone (this host) */
  staleMs?: number;
  signal?: AbortSignal;
  onEvent?: (e: RunnerEvent) => void;
  /** called once everything is open, before the first card */
  onStart?: (info: { session: string; batch: Batch; data: BatchRows; recovered: RecoveredRow[]; readers: string[]; journal: Journal }) => void;
  /** a context to use (tests); otherwise one is made and closed */
  context?: PcscContext;
}

export async function resolveReaders(ctx: PcscContext, spec: string): Promise<PcscTransport[]> {
  const names = await ctx.listReaders(1500);
  const wanted =
    spec.trim() === 'all'
      ? names
      : spec
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (wanted.length === 0) throw new PersoError('readers', 'no reader to run on');
  if (wanted.length > 16) throw new PersoError('readers', `at most 16 readers in one run, got ${wanted.length}`);
  const out: PcscTransport[] = [];
  for (const w of wanted) {
    const t = await ctx.transport(w);
    if (out.some((o) => o.name === t.name)) throw new PersoError('readers', `reader "${t.name}" listed twice`);
    out.push(t);
  }
  return out;
}

export async function runBatch(o: RunBatchOptions): Promise<RunSummary & { recovered: RecoveredRow[]; dataErrors: number }> {
  const batch = loadBatch(o.batchFile);
  const data = readBatchData(batch, o.key);
  let journal: Journal;
  try {
    journal = await openBatchJournal(batch, { write: true, ...(o.newJournal ? { newJournal: true } : {}) });
  } catch (e) {
    data.close();
    throw e;
  }
  const ctx = o.context ?? new PcscContext();
  try {
    await journal.ensureRows([...data.refs()], batch.name);
    const station = o.station ?? hostname();
    const session = await journal.openSession(station);
    const dead = await deadSessions(journal, session, o.staleMs ?? 15_000);
    let recovered: RecoveredRow[] = [];
    if (o.resume) recovered = await journal.recover(session, dead);
    else {
      const left = await journal.claimedBy(dead);
      if (left.length) {
        await journal.closeSession(session, 'refused: interrupted cards');
        throw new PersoError(
          'needs-resume',
          `${left.length} card(s) of an interrupted run are not verified (rows ${left
            .slice(0, 8)
            .map((r) => r.rowNo)
            .join(', ')}${left.length > 8 ? ', ...' : ''}): run \`simdm perso resume\``,
        );
      }
    }
    const readers: ReaderPort[] = await resolveReaders(ctx, o.readers);
    const job = new EfJob(
      batch.files ?? defaultFiles(data.columns),
      batch.profile ? { file: batch.profile, ...(o.secrets ? { secrets: o.secrets } : {}) } : undefined,
      o.force === true,
      batch.gp ? { spec: batch.gp, ...(o.secrets ? { secrets: o.secrets } : {}) } : undefined,
    );
    o.onStart?.({ session, batch, data, recovered, readers: readers.map((r) => r.name), journal });
    const runner = new PersoRunner({
      journal,
      data,
      key: o.key,
      job,
      readers,
      session,
      admColumn: batch.adm,
      ...(o.admFallback ? { admFallback: o.admFallback } : {}),
      ...(o.force ? { force: true } : {}),
      ...(o.maxCards !== undefined ? { maxCards: o.maxCards } : {}),
      ...(o.stopWhenDone !== undefined ? { stopWhenDone: o.stopWhenDone } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    let result = 'ok';
    try {
      const sum = await runner.run();
      result = `ok: ${sum.verified} verified, ${sum.failed} failed, ${sum.pulled} pulled, ${sum.skipped} skipped`;
      return { ...sum, recovered, dataErrors: data.errorCount };
    } catch (e) {
      result = `error: ${(e as Error).message}`;
      throw e;
    } finally {
      await journal.closeSession(session, result).catch(() => undefined);
      await sealJournal(batch, journal).catch(() => undefined);
      for (const r of readers) await r.disconnect().catch(() => undefined);
    }
  } finally {
    await journal.close().catch(() => undefined);
    data.close();
    if (!o.context) ctx.close();
  }
}
