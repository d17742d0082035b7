/**
 * SQLite journal (better-sqlite3): WAL mode with synchronous=FULL, so every committed transition
 * survives SIGKILL and power loss; each transition is one IMMEDIATE transaction (several processes
 * on one machine may share the file).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { PersoError } from './errors.js';
import {
  type ClaimResult,
  type Journal,
  type JournalEvent,
  type JournalIdentity,
  type JournalRow,
  newSessionId,
  type RecoveredRow,
  type RowState,
  type SessionInfo,
  RowTransitions,
} from './journal.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
  row_no INTEGER PRIMARY KEY, iccid TEXT NOT NULL UNIQUE, imsi TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'free', mode TEXT, step INTEGER NOT NULL DEFAULT 0,
  step_done INTEGER NOT NULL DEFAULT 0, commit_begun INTEGER NOT NULL DEFAULT 0,
  writes_begun INTEGER NOT NULL DEFAULT 0,
  reader TEXT, session TEXT, attempts INTEGER NOT NULL DEFAULT 0, reason TEXT,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
CREATE INDEX IF NOT EXISTS rows_state ON rows(state, row_no);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, station TEXT NOT NULL, pid INTEGER NOT NULL, started TEXT NOT NULL,
  heartbeat TEXT NOT NULL, ended TEXT, result TEXT);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, session TEXT NOT NULL, row_no INTEGER,
  iccid TEXT, reader TEXT, event TEXT NOT NULL, step INTEGER, ok INTEGER NOT NULL, detail TEXT);
`;

const now = (): string => new Date().toISOString();

/** better-sqlite3's errors on a damaged or foreign file, as a PersoError without its content. */
function notSqlite(path: string, e: unknown): PersoError {
  const code = (e as { code?: string }).code ?? 'error';
  return new PersoError('journal', `journal ${path} is not a usable SQLite database (${code}: corrupt, truncated or another kind of file)`);
}

interface RawRow {
  row_no: number;
  iccid: string;
  imsi: string;
  state: RowState;
  mode: 'iccid' | 'blank' | null;
  step: number;
  step_done: number;
  commit_begun: number;
  reader: string | null;
  session: string | null;
  attempts: number;
  reason: string | null;
  updated_at: string;
}

export function toRow(r: RawRow): JournalRow {
  return {
    rowNo: Number(r.row_no),
    iccid: r.iccid,
    imsi: r.imsi,
    state: r.state,
    mode: r.mode,
    step: Number(r.step),
    stepDone: Number(r.step_done),
    commitBegun: Boolean(Number(r.commit_begun)),
    reader: r.reader,
    session: r.session,
    attempts: Number(r.attempts),
    reason: r.reason,
    updatedAt: String(r.updated_at),
  };
}

export class SqliteJournal extends RowTransitions implements Journal {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;

  /**
   * `create` false: open only (station.ts checks the identity before anything is created). A file
   * that is not a SQLite database is a PersoError naming the file, never an internal error.
   */
  constructor(
    private readonly path: string,
    opts: { create?: boolean } = {},
  ) {
    super();
    try {
      this.db = new Database(path, { timeout: 10_000 });
    } catch (e) {
      throw new PersoError('journal', `cannot open journal ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      if (opts.create !== false) this.db.exec(SCHEMA);
    } catch (e) {
      this.db.close();
      throw notSqlite(path, e);
    }
  }

  async identity(): Promise<JournalIdentity | undefined> {
    try {
      const names = new Set((this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
      if (!['meta', 'rows', 'sessions', 'events'].every((t) => names.has(t))) return undefined;
      const meta = new Map((this.db.prepare('SELECT k, v FROM meta').all() as { k: string; v: string }[]).map((r) => [r.k, r.v]));
      const ev = this.db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM events').get() as { n: number };
      return { journalId: meta.get('journal_id'), batch: meta.get('batch'), events: Number(ev.n) };
    } catch (e) {
      throw notSqlite(this.path, e);
    }
  }

  /** SQLite's quick_check: undefined when the database is sound, else its first complaint */
  damage(): string | undefined {
    try {
      const r = this.db.pragma('quick_check(1)', { simple: true }) as string;
      return r === 'ok' ? undefined : String(r).split('\n')[0]!.slice(0, 200);
    } catch (e) {
      return (e as { code?: string }).code ?? 'unreadable';
    }
  }

  /** Whether the file holds any table at all (an empty SQLite file or a 0-byte file holds none). */
  tableCount(): number {
    try {
      return (this.db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    } catch (e) {
      throw notSqlite(this.path, e);
    }
  }

  async initialise(batch: string): Promise<JournalIdentity> {
    this.db.exec(SCHEMA);
    this.db.prepare("INSERT OR IGNORE INTO meta (k, v) VALUES ('batch', ?)").run(batch);
    this.db.prepare("INSERT OR IGNORE INTO meta (k, v) VALUES ('journal_id', ?)").run(randomUUID());
    return (await this.identity())!;
  }

  private queue: { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;

  /**
   * Group commit: the transitions asked for in the same turn of the event loop (16 readers at
   * once) run in one IMMEDIATE transaction, each in a savepoint of its own (one that throws is
   * rolled back alone), at one fsync. Each caller's promise settles only after the commit, so
   * "journaled before the APDU" still holds; better-sqlite3 blocks the event loop during the
   * fsync, and one per batch instead of one per transition keeps 16 readers flowing.
   */
  private tx<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const ops = this.queue;
    this.queue = [];
    this.flushing = false;
    const results: ({ ok: true; v: unknown } | { ok: false; e: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          for (const op of ops) {
            try {
              results.push({ ok: true, v: this.db.transaction(op.fn)() });
            } catch (e) {
              results.push({ ok: false, e });
            }
          }
        })
        .immediate();
    } catch (e) {
      for (const op of ops) op.reject(e);
      return;
    }
    ops.forEach((op, i) => {
      const r = results[i]!;
      if (r.ok) op.resolve(r.v);
      else op.reject(r.e);
    });
  }

  private event(
    session: string,
    event: string,
    ok: boolean,
    detail: string | null,
    ref: { rowNo?: number | null; iccid?: string | null; reader?: string | null; step?: number | null } = {},
  ): void {
    this.db
      .prepare('INSERT INTO events (at, session, row_no, iccid, reader, event, step, ok, detail) VALUES (?,?,?,?,?,?,?,?,?)')
      .run(now(), session, ref.rowNo ?? null, ref.iccid ?? null, ref.reader ?? null, event, ref.step ?? null, ok ? 1 : 0, detail);
  }

  private row(rowNo: number): JournalRow {
    const r = this.db.prepare('SELECT * FROM rows WHERE row_no = ?').get(rowNo) as RawRow | undefined;
    if (!r) throw new PersoError('journal', `row ${rowNo} is not in the journal`);
    return toRow(r);
  }

  async ensureRows(rows: { rowNo: number; iccid: string; imsi: string }[], batch: string): Promise<void> {
    await this.tx(() => {
      const b = this.db.prepare("SELECT v FROM meta WHERE k = 'batch'").get() as { v: string } | undefined;
      if (b && b.v !== batch) throw new PersoError('journal', `the journal belongs to batch "${b.v}", not "${batch}"`);
      if (!b) this.db.prepare("INSERT INTO meta (k, v) VALUES ('batch', ?)").run(batch);
      const get = this.db.prepare('SELECT row_no, iccid FROM rows WHERE iccid = ? OR row_no = ?');
      const ins = this.db.prepare('INSERT INTO rows (row_no, iccid, imsi) VALUES (?,?,?)');
      for (const r of rows) {
        const have = get.all(r.iccid, r.rowNo) as { row_no: number; iccid: string }[];
        if (have.length === 0) ins.run(r.rowNo, r.iccid, r.imsi);
        else if (have.some((h) => h.row_no !== r.rowNo || h.iccid !== r.iccid)) {
          throw new PersoError('journal', `row ${r.rowNo}: the data file changed under the journal (ICCID or row number moved)`);
        }
      }
    });
  }

  async openSession(station: string): Promise<string> {
    const id = newSessionId();
    const t = now();
    await this.tx(() => {
      this.db.prepare('INSERT INTO sessions (id, station, pid, started, heartbeat) VALUES (?,?,?,?,?)').run(id, station || hostname(), process.pid, t, t);
      this.event(id, 'session-start', true, `station ${station || hostname()} pid ${process.pid}`);
    });
    return id;
  }

  async heartbeat(session: string): Promise<void> {
    this.db.prepare('UPDATE sessions SET heartbeat = ? WHERE id = ?').run(now(), session);
  }

  async closeSession(session: string, result: string): Promise<void> {
    await this.tx(() => {
      this.db.prepare('UPDATE sessions SET ended = ?, result = ?, heartbeat = ? WHERE id = ?').run(now(), result, now(), session);
      this.event(session, 'session-end', true, result);
    });
  }

  async claimIccid(iccid: string, reader: string, session: string): Promise<ClaimResult> {
    return this.tx((): ClaimResult => {
      const raw = this.db.prepare('SELECT * FROM rows WHERE iccid = ?').get(iccid) as RawRow | undefined;
      if (!raw) return { kind: 'unknown' };
      const row = toRow(raw);
      if (row.state === 'verified') return { kind: 'verified', row };
      if (row.state === 'failed') return { kind: 'failed', row };
      if (row.state === 'claimed' || row.state === 'writing') return { kind: 'busy', row };
      this.db
        .prepare(
          "UPDATE rows SET state='claimed', mode=COALESCE(CASE WHEN state='held' THEN mode END, 'iccid'), step=0, step_done=0, reader=?, session=?, attempts=attempts+1, reason=NULL, updated_at=? WHERE row_no=?",
        )
        .run(reader, session, now(), row.rowNo);
      this.event(session, 'claimed', true, row.state === 'held' ? 'card with the ICCID of a held row' : 'pre-numbered card', {
        rowNo: row.rowNo,
        iccid,
        reader,
      });
      return { kind: 'claimed', row: this.row(row.rowNo) };
    });
  }

  async heldOn(reader: string): Promise<JournalRow[]> {
    return (
      this.db
        .prepare("SELECT * FROM rows WHERE mode='blank' AND writes_begun=1 AND reader=? AND (state='held' OR (state='free' AND step_done>=1)) ORDER BY row_no")
        .all(reader) as RawRow[]
    ).map(toRow);
  }

  async claimHeld(rowNo: number, reader: string, session: string): Promise<JournalRow | undefined> {
    return this.tx(() => {
      const r = this.db
        .prepare("UPDATE rows SET state='claimed', session=?, reader=?, attempts=attempts+1, updated_at=? WHERE row_no=? AND state IN ('held','free')")
        .run(session, reader, now(), rowNo);
      if (r.changes !== 1) return undefined;
      this.event(session, 'claimed', true, 'held row: checking the blank card in its reader', { rowNo, reader });
      return this.row(rowNo);
    });
  }

  // untouched rows first: a row released mid-write waits a little for its own card to come back
  async claimNext(reader: string, session: string): Promise<JournalRow | undefined> {
    return this.tx(() => {
      const raw = this.db.prepare("SELECT * FROM rows WHERE state='free' ORDER BY (writes_begun > 0), row_no LIMIT 1").get() as RawRow | undefined;
      if (!raw) return undefined;
      this.db
        .prepare(
          "UPDATE rows SET state='claimed', mode='blank', step=0, step_done=0, commit_begun=0, reader=?, session=?, attempts=attempts+1, reason=NULL, updated_at=? WHERE row_no=?",
        )
        .run(reader, session, now(), raw.row_no);
      this.event(session, 'claimed', true, 'blank card', { rowNo: raw.row_no, iccid: raw.iccid, reader });
      return this.row(raw.row_no);
    });
  }

  async stepBegin(rowNo: number, step: number, name: string, session: string, commit = false, newWriter = true): Promise<void> {
    await this.tx(() => {
      const r = this.db
        .prepare(
          `UPDATE rows SET state='writing', step=?, ${commit ? 'commit_begun=1,' : ''} ${step === 1 && newWriter ? 'writes_begun=writes_begun+1,' : ''} updated_at=? WHERE row_no=? AND session=? AND state IN ('claimed','writing')`,
        )
        .run(step, now(), rowNo, session);
      if (r.changes !== 1) throw new PersoError('journal-lost', `row ${rowNo} is no longer held by this session`);
      this.event(session, 'step-begin', true, name, { rowNo, step });
    });
  }

  async stepDone(rowNo: number, step: number, name: string, session: string): Promise<void> {
    await this.tx(() => {
      this.db.prepare('UPDATE rows SET step_done=?, updated_at=? WHERE row_no=? AND session=?').run(step, now(), rowNo, session);
      this.event(session, 'step-done', true, name, { rowNo, step });
    });
  }

  async advance(rowNo: number, done: { step: number; name: string }, next: { step: number; name: string; commit?: boolean }, session: string): Promise<void> {
    await this.tx(() => {
      this.db.prepare('UPDATE rows SET step_done=?, updated_at=? WHERE row_no=? AND session=?').run(done.step, now(), rowNo, session);
      this.event(session, 'step-done', true, done.name, { rowNo, step: done.step });
      const r = this.db
        .prepare(
          `UPDATE rows SET state='writing', step=?, ${next.commit ? 'commit_begun=1,' : ''} updated_at=? WHERE row_no=? AND session=? AND state IN ('claimed','writing')`,
        )
        .run(next.step, now(), rowNo, session);
      if (r.changes !== 1) throw new PersoError('journal-lost', `row ${rowNo} is no longer held by this session`);
      this.event(session, 'step-begin', true, next.name, { rowNo, step: next.step });
    });
  }

  async finish(rowNo: number, done: { step: number; name: string }, session: string, detail: string): Promise<void> {
    await this.tx(() => {
      this.db.prepare('UPDATE rows SET step_done=?, updated_at=? WHERE row_no=? AND session=?').run(done.step, now(), rowNo, session);
      this.event(session, 'step-done', true, done.name, { rowNo, step: done.step });
      this.endIn(rowNo, session, 'verified', 'verified', true, detail);
    });
  }

  protected end(rowNo: number, session: string, state: RowState, event: string, ok: boolean, reason: string, extra = ''): Promise<void> {
    return this.tx(() => this.endIn(rowNo, session, state, event, ok, reason, extra));
  }

  private endIn(rowNo: number, session: string, state: RowState, event: string, ok: boolean, reason: string, extra = ''): void {
    {
      const r = this.db
        .prepare(`UPDATE rows SET state=?, reason=?, ${extra} updated_at=? WHERE row_no=? AND session=? AND state IN ('claimed','writing')`)
        .run(state, ok && state === 'verified' ? null : reason, now(), rowNo, session);
      if (r.changes !== 1) throw new PersoError('journal-lost', `row ${rowNo} is no longer held by this session`);
      const row = this.row(rowNo);
      this.event(session, event, ok, reason, { rowNo, iccid: row.iccid, reader: row.reader });
    }
  }

  async note(session: string, event: string, ok: boolean, detail: string, ref: { rowNo?: number; iccid?: string; reader?: string } = {}): Promise<void> {
    await this.tx(() => this.event(session, event, ok, detail, ref));
  }

  private staleRaw(dead: string[]): RawRow[] {
    const ph = dead.map(() => '?').join(',');
    return this.db
      .prepare(`SELECT * FROM rows WHERE state IN ('claimed','writing') AND ${dead.length ? `session IN (${ph})` : '0'} ORDER BY row_no`)
      .all(...dead) as RawRow[];
  }

  async claimedBy(of: string[]): Promise<JournalRow[]> {
    return this.staleRaw(of).map(toRow);
  }

  async recover(session: string, dead: string[]): Promise<RecoveredRow[]> {
    return this.tx(() => {
      const out: RecoveredRow[] = [];
      for (const raw of this.staleRaw(dead.filter((d) => d !== session))) {
        const r = toRow(raw);
        const hold = r.mode === 'blank' && r.commitBegun;
        const to: RowState = hold ? 'held' : 'free';
        const why = `interrupted in session ${r.session ?? '?'} at step ${r.step} (done ${r.stepDone})`;
        if (hold)
          this.db
            .prepare("UPDATE rows SET state='held', session=NULL, reason=?, updated_at=? WHERE row_no=?")
            .run(why + ': ICCID commit had begun, waiting for that card', now(), r.rowNo);
        else
          this.db.prepare("UPDATE rows SET state='free', step=0, commit_begun=0, session=NULL, reason=?, updated_at=? WHERE row_no=?").run(why, now(), r.rowNo);
        this.event(session, 'recovered', true, `${r.state} -> ${to}: ${why}`, { rowNo: r.rowNo, iccid: r.iccid, reader: r.reader });
        out.push({ rowNo: r.rowNo, iccid: r.iccid, from: r.state, to });
      }
      return out;
    });
  }

  async rows(): Promise<JournalRow[]> {
    return (this.db.prepare('SELECT * FROM rows ORDER BY row_no').all() as RawRow[]).map(toRow);
  }

  async events(): Promise<JournalEvent[]> {
    return (this.db.prepare('SELECT * FROM events ORDER BY id').all() as Record<string, unknown>[]).map(toEvent);
  }

  async sessions(): Promise<SessionInfo[]> {
    return this.db.prepare('SELECT * FROM sessions ORDER BY started').all() as SessionInfo[];
  }

  /** operator's release of a held or failed row (`perso release`) */
  async operatorRelease(rowNo: number, session: string, reason: string): Promise<boolean> {
    return this.tx(() => {
      const r = this.db
        .prepare(
          "UPDATE rows SET state='free', mode=NULL, step=0, step_done=0, commit_begun=0, reader=NULL, session=NULL, reason=?, updated_at=? WHERE row_no=? AND state IN ('held','failed')",
        )
        .run(reason, now(), rowNo);
      if (r.changes === 1) this.event(session, 'operator-release', true, reason, { rowNo });
      return r.changes === 1;
    });
  }

  async close(): Promise<void> {
    if (this.queue.length) this.flush();
    this.db.close();
  }
}

export function toEvent(e: Record<string, unknown>): JournalEvent {
  return {
    id: Number(e.id),
    at: e.at instanceof Date ? e.at.toISOString() : String(e.at),
    session: String(e.session),
    rowNo: e.row_no === null || e.row_no === undefined ? null : Number(e.row_no),
    iccid: (e.iccid as string | null) ?? null,
    reader: (e.reader as string | null) ?? null,
    event: String(e.event),
    step: e.step === null || e.step === undefined ? null : Number(e.step),
    ok: Boolean(Number(e.ok)),
    detail: (e.detail as string | null) ?? null,
  };
}
