/**
 * Putting a run together: the journal from the batch (SQLite file or postgres:// URL), the data
 * file opened with the transport key, and the dead sessions whose claims a resume takes over.
 */
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Batch } from './batch.js';
import { writeSecretFile } from '../util/secret-file.js';
import { type BatchRows, openDataFile } from './data-file.js';
import { PersoError } from './errors.js';
import type { Journal, JournalIdentity } from './journal.js';
import { PgJournal } from './journal-pg.js';
import { SqliteJournal } from './journal-sqlite.js';
import type { TransportKey } from './keystore.js';

export async function openJournal(spec: string): Promise<Journal> {
  if (/^postgres(ql)?:\/\//.test(spec)) return PgJournal.open(spec);
  return new SqliteJournal(spec);
}

/**
 * The batch's side of the journal identity: `<batch file>.seal.json` (mode 600) holds the journal
 * id and the highest event number seen at the end of the last command. The journal holds the same
 * id and the batch name, so a swapped journal (another id), a restored older copy (fewer events)
 * or an emptied one (no schema) is refused before any card is touched.
 */
export interface JournalSeal {
  journalId: string;
  batch: string;
  events: number;
}

export function sealPath(batch: Batch): string {
  return `${batch.file}.seal.json`;
}

function readSeal(batch: Batch): JournalSeal | undefined {
  const p = sealPath(batch);
  if (!existsSync(p)) return undefined;
  try {
    const o = JSON.parse(readFileSync(p, 'utf8')) as Partial<JournalSeal>;
    if (typeof o.journalId === 'string' && typeof o.batch === 'string' && typeof o.events === 'number') return o as JournalSeal;
  } catch {
    /* below */
  }
  throw new PersoError('journal-seal', `${p} is not a journal seal of simdm: restore it from the batch's backup`);
}

/** Records the journal's identity and event count on the batch side (after each command that writes). */
export async function sealJournal(batch: Batch, j: Journal): Promise<void> {
  const id = await j.identity();
  if (!id?.journalId) return;
  writeSecretFile(sealPath(batch), JSON.stringify({ journalId: id.journalId, batch: batch.name, events: id.events }, null, 2) + '\n');
}

const where = (spec: string): string => (/^postgres/.test(spec) ? 'the PostgreSQL journal' : `journal ${spec}`);

/**
 * Opens the journal of `batch` after checking that it is this batch's journal:
 * - a journal that exists without the simdm schema (0 bytes, missing tables) stops every command;
 *   `newJournal` starts anew (a SQLite file is moved aside to `<file>.replaced-<time>`, never deleted);
 * - a journal of another batch, with another id than the batch's seal, or older than the seal (a
 *   restored backup: cards written since would be written again, duplicate ICCIDs) is refused;
 * - a journal that does not exist is created only by a command that writes (`write`), and only
 *   when the batch never had one (no seal) or with `newJournal`.
 */
export async function openBatchJournal(batch: Batch, opts: { write: boolean; newJournal?: boolean }): Promise<Journal> {
  const spec = batch.journal;
  const pgUrl = /^postgres(ql)?:\/\//.test(spec);
  const seal = readSeal(batch);
  const anew = opts.newJournal === true;
  if (anew && !opts.write) throw new PersoError('journal', '--new-journal only goes with perso run / resume');
  const exists = pgUrl || existsSync(spec);
  if (!exists) {
    if (!opts.write && seal)
      throw new PersoError(
        'journal-missing',
        `${where(spec)} is missing, but batch ${batch.name} was run with journal ${seal.journalId} (${seal.events} events): restore it`,
      );
    if (!opts.write) {
      // a batch that never ran: an empty journal to report on, nothing created on disk
      const mem = new SqliteJournal(':memory:');
      await mem.initialise(batch.name);
      return mem;
    }
    if (seal && !anew) {
      throw new PersoError(
        'journal-missing',
        `${where(spec)} is missing, but batch ${batch.name} was run with journal ${seal.journalId} (${seal.events} events): restore it; start a new one with --new-journal only if no card was written with the old one (its ICCIDs would be written again)`,
      );
    }
  }
  if (!pgUrl && anew && exists && statSync(spec).size > 0) {
    const aside = `${spec}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(spec, aside);
    for (const ext of ['-wal', '-shm']) if (existsSync(spec + ext)) renameSync(spec + ext, aside + ext);
  }
  const j: Journal = pgUrl ? await PgJournal.open(spec, { create: false }) : new SqliteJournal(spec, { create: false });
  try {
    // a damaged file is named as such here, not as an internal error in the middle of a run
    const damage = j instanceof SqliteJournal ? j.damage() : undefined;
    if (damage) throw new PersoError('journal', `journal ${spec} is damaged (SQLite quick_check: ${damage}): restore it from a backup`);
    let id: JournalIdentity | undefined = await j.identity();
    if (!id) {
      const fresh = !exists || anew || (pgUrl && !seal && !(await hasAnyPersoTable(j)));
      if (!fresh) {
        throw new PersoError(
          'journal-schema',
          `${where(spec)} exists but holds no simdm journal (empty, truncated, or tables missing): refusing to take it for a fresh one (cards already written would be written again); restore it, or start anew with --new-journal`,
        );
      }
      if (!opts.write) throw new PersoError('journal-missing', `${where(spec)} holds no journal yet`);
      id = await j.initialise(batch.name);
    } else {
      if (id.batch !== undefined && id.batch !== batch.name)
        throw new PersoError('journal-batch', `${where(spec)} belongs to batch "${id.batch}", not "${batch.name}"`);
      if (!id.journalId && opts.write) id = await j.initialise(batch.name); // a journal from before journal ids
      if (seal) {
        if (seal.journalId !== id.journalId) {
          throw new PersoError(
            'journal-swapped',
            `${where(spec)} is not the journal batch ${batch.name} was run with (journal ${id.journalId ?? 'without id'}, the batch's seal says ${seal.journalId}): a swapped file?`,
          );
        }
        if (id.events < seal.events) {
          throw new PersoError(
            'journal-older',
            `${where(spec)} is older than the batch's last record (${id.events} events, the seal says ${seal.events}): a restored backup? Cards written since would be written again`,
          );
        }
      }
    }
    if (opts.write) await sealJournal(batch, j);
    return j;
  } catch (e) {
    await j.close().catch(() => undefined);
    throw e;
  }
}

async function hasAnyPersoTable(j: Journal): Promise<boolean> {
  return j instanceof PgJournal ? j.hasAnyTable() : false;
}

/** The batch's key store, streamed (src/perso/data-file.ts): the caller closes it. */
export function readBatchData(batch: Batch, key: TransportKey): BatchRows {
  const d = openDataFile(batch.dataPath, { key });
  if (!d.encrypted) {
    d.close();
    throw new PersoError('data', `${batch.dataPath} is not a key store: encrypt it with \`simdm perso import\``);
  }
  return d;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sessions that are over without saying so: on this host with a dead process, or (any host)
 * silent for `staleMs`.
 */
export async function deadSessions(j: Journal, self: string, staleMs: number): Promise<string[]> {
  const host = hostname();
  const cutoff = Date.now() - staleMs;
  return (await j.sessions())
    .filter((s) => s.id !== self && (s.ended !== null || (s.station === host && !alive(Number(s.pid))) || Date.parse(s.heartbeat) < cutoff))
    .map((s) => s.id);
}
