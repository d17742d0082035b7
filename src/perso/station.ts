/**
 * Putting a run together: the journal from the batch (SQLite file or postgres:// URL), the data
 * file opened with the transport key, and the dead sessions whose claims a resume takes over.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Batch } from './batch.js';
import { type LoadedData, loadData } from './data.js';
import { PersoError } from './errors.js';
import type { Journal } from './journal.js';
import { PgJournal } from './journal-pg.js';
import { SqliteJournal } from './journal-sqlite.js';
import type { TransportKey } from './keystore.js';

export async function openJournal(spec: string): Promise<Journal> {
  if (/^postgres(ql)?:\/\//.test(spec)) return PgJournal.open(spec);
  return new SqliteJournal(spec);
}

export function readBatchData(batch: Batch, key: TransportKey): LoadedData {
  let text: string;
  try {
    text = readFileSync(batch.dataPath, 'utf8');
  } catch (e) {
    throw new PersoError('data', `cannot read data file ${batch.dataPath}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const d = loadData(text, { key });
  if (!d.encrypted) throw new PersoError('data', `${batch.dataPath} is not a key store: encrypt it with \`simdm perso import\``);
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
