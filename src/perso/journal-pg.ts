/**
 * PostgreSQL journal for bureaus with several stations: the same states as the SQLite journal;
 * a blank card's row is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` inside a transaction, so
 * two stations racing for the next free row always get different rows, and every transition
 * checks that the row is still held by the caller's session.
 */
import pg from 'pg';
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
  RowTransitions,
  type RowState,
  type SessionInfo,
} from './journal.js';
import { toEvent, toRow } from './journal-sqlite.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS perso_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS perso_rows (
  row_no INTEGER PRIMARY KEY, iccid TEXT NOT NULL UNIQUE, imsi TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'free', mode TEXT, step INTEGER NOT NULL DEFAULT 0,
  step_done INTEGER NOT NULL DEFAULT 0, commit_begun INTEGER NOT NULL DEFAULT 0,
  writes_begun INTEGER NOT NULL DEFAULT 0,
  reader TEXT, session TEXT, attempts INTEGER NOT NULL DEFAULT 0, reason TEXT,
  updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS perso_rows_state ON perso_rows(state, row_no);
CREATE TABLE IF NOT EXISTS perso_sessions (
  id TEXT PRIMARY KEY, station TEXT NOT NULL, pid INTEGER NOT NULL, started TEXT NOT NULL,
  heartbeat TEXT NOT NULL, ended TEXT, result TEXT);
CREATE TABLE IF NOT EXISTS perso_events (
  id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, session TEXT NOT NULL, row_no INTEGER,
  iccid TEXT, reader TEXT, event TEXT NOT NULL, step INTEGER, ok INTEGER NOT NULL, detail TEXT);
`;

const now = (): string => new Date().toISOString();
type Q = pg.PoolClient | pg.Pool;

export class PgJournal extends RowTransitions implements Journal {
  readonly kind = 'postgres' as const;
  private constructor(private readonly pool: pg.Pool) {
    super();
  }

  /** `create` false: connect only; openBatchJournal checks the identity before creating anything */
  static async open(url: string, opts: { create?: boolean } = {}): Promise<PgJournal> {
    const pool = new pg.Pool({ connectionString: url, max: 20 });
    pool.on('error', () => {
      /* a dropped idle client: the next query reconnects */
    });
    try {
      const c = await pool.connect();
      try {
        // one creator at a time: stations starting together
        if (opts.create !== false) {
          await c.query('SELECT pg_advisory_lock(4242001)');
          await c.query(SCHEMA);
          await c.query('SELECT pg_advisory_unlock(4242001)');
        }
      } finally {
        c.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new PersoError('journal', `cannot open the PostgreSQL journal: ${(e as Error).message}`);
    }
    return new PgJournal(pool);
  }

  async identity(): Promise<JournalIdentity | undefined> {
    const t = await this.pool.query(
      "SELECT to_regclass('perso_meta') AS m, to_regclass('perso_rows') AS r, to_regclass('perso_sessions') AS s, to_regclass('perso_events') AS e",
    );
    const x = t.rows[0] as Record<string, unknown>;
    if (!x.m || !x.r || !x.s || !x.e) return undefined;
    const meta = new Map((await this.pool.query('SELECT k, v FROM perso_meta')).rows.map((r: { k: string; v: string }) => [r.k, r.v]));
    const ev = await this.pool.query('SELECT COALESCE(MAX(id), 0) AS n FROM perso_events');
    return { journalId: meta.get('journal_id'), batch: meta.get('batch'), events: Number(ev.rows[0].n) };
  }

  /** any of simdm's tables present (a partial schema is not a fresh database) */
  async hasAnyTable(): Promise<boolean> {
    const t = await this.pool.query(
      "SELECT to_regclass('perso_meta') AS m, to_regclass('perso_rows') AS r, to_regclass('perso_sessions') AS s, to_regclass('perso_events') AS e",
    );
    return Object.values(t.rows[0] as Record<string, unknown>).some((v) => v !== null);
  }

  async initialise(batch: string): Promise<JournalIdentity> {
    const c = await this.pool.connect();
    try {
      await c.query('SELECT pg_advisory_lock(4242001)');
      await c.query(SCHEMA);
      await c.query("INSERT INTO perso_meta (k, v) VALUES ('batch', $1) ON CONFLICT (k) DO NOTHING", [batch]);
      await c.query("INSERT INTO perso_meta (k, v) VALUES ('journal_id', $1) ON CONFLICT (k) DO NOTHING", [randomUUID()]);
      await c.query('SELECT pg_advisory_unlock(4242001)');
    } finally {
      c.release();
    }
    return (await this.identity())!;
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const v = await fn(c);
      await c.query('COMMIT');
      return v;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async event(
    q: Q,
    session: string,
    event: string,
    ok: boolean,
    detail: string | null,
    ref: { rowNo?: number | null; iccid?: string | null; reader?: string | null; step?: number | null } = {},
  ): Promise<void> {
    await q.query('INSERT INTO perso_events (at, session, row_no, iccid, reader, event, step, ok, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)', [
      now(),
      session,
      ref.rowNo ?? null,
      ref.iccid ?? null,
      ref.reader ?? null,
      event,
      ref.step ?? null,
      ok ? 1 : 0,
      detail,
    ]);
  }

  private async row(q: Q, rowNo: number): Promise<JournalRow> {
    const r = await q.query('SELECT * FROM perso_rows WHERE row_no = $1', [rowNo]);
    if (!r.rows[0]) throw new PersoError('journal', `row ${rowNo} is not in the journal`);
    return toRow(r.rows[0]);
  }

  async ensureRows(rows: { rowNo: number; iccid: string; imsi: string }[], batch: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('LOCK TABLE perso_meta IN EXCLUSIVE MODE');
      const b = await c.query("SELECT v FROM perso_meta WHERE k = 'batch'");
      if (b.rows[0] && b.rows[0].v !== batch) throw new PersoError('journal', `the journal belongs to batch "${b.rows[0].v}", not "${batch}"`);
      if (!b.rows[0]) await c.query("INSERT INTO perso_meta (k, v) VALUES ('batch', $1)", [batch]);
      const have = await c.query('SELECT row_no, iccid FROM perso_rows');
      const byNo = new Map<number, string>(have.rows.map((h: { row_no: number; iccid: string }) => [Number(h.row_no), h.iccid]));
      const byIccid = new Map<string, number>(have.rows.map((h: { row_no: number; iccid: string }) => [h.iccid, Number(h.row_no)]));
      const t = now();
      for (const r of rows) {
        const a = byNo.get(r.rowNo);
        const n = byIccid.get(r.iccid);
        if (a === undefined && n === undefined) {
          await c.query('INSERT INTO perso_rows (row_no, iccid, imsi, updated_at) VALUES ($1,$2,$3,$4)', [r.rowNo, r.iccid, r.imsi, t]);
        } else if (a !== r.iccid || n !== r.rowNo) {
          throw new PersoError('journal', `row ${r.rowNo}: the data file changed under the journal (ICCID or row number moved)`);
        }
      }
    });
  }

  async openSession(station: string): Promise<string> {
    const id = newSessionId();
    const t = now();
    await this.tx(async (c) => {
      await c.query('INSERT INTO perso_sessions (id, station, pid, started, heartbeat) VALUES ($1,$2,$3,$4,$5)', [
        id,
        station || hostname(),
        process.pid,
        t,
        t,
      ]);
      await this.event(c, id, 'session-start', true, `station ${station || hostname()} pid ${process.pid}`);
    });
    return id;
  }

  async heartbeat(session: string): Promise<void> {
    await this.pool.query('UPDATE perso_sessions SET heartbeat = $1 WHERE id = $2', [now(), session]);
  }

  async closeSession(session: string, result: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('UPDATE perso_sessions SET ended = $1, result = $2, heartbeat = $1 WHERE id = $3', [now(), result, session]);
      await this.event(c, session, 'session-end', true, result);
    });
  }

  async claimIccid(iccid: string, reader: string, session: string): Promise<ClaimResult> {
    return this.tx(async (c): Promise<ClaimResult> => {
      const r = await c.query('SELECT * FROM perso_rows WHERE iccid = $1 FOR UPDATE', [iccid]);
      if (!r.rows[0]) return { kind: 'unknown' };
      const row = toRow(r.rows[0]);
      if (row.state === 'verified') return { kind: 'verified', row };
      if (row.state === 'failed') return { kind: 'failed', row };
      if (row.state === 'claimed' || row.state === 'writing') return { kind: 'busy', row };
      await c.query(
        "UPDATE perso_rows SET state='claimed', mode=COALESCE(CASE WHEN state='held' THEN mode END, 'iccid'), step=0, step_done=0, reader=$1, session=$2, attempts=attempts+1, reason=NULL, updated_at=$3 WHERE row_no=$4",
        [reader, session, now(), row.rowNo],
      );
      await this.event(c, session, 'claimed', true, row.state === 'held' ? 'card with the ICCID of a held row' : 'pre-numbered card', {
        rowNo: row.rowNo,
        iccid,
        reader,
      });
      return { kind: 'claimed', row: await this.row(c, row.rowNo) };
    });
  }

  async heldOn(reader: string): Promise<JournalRow[]> {
    return (
      await this.pool.query(
        "SELECT * FROM perso_rows WHERE mode='blank' AND writes_begun=1 AND reader=$1 AND (state='held' OR (state='free' AND step_done>=1)) ORDER BY row_no",
        [reader],
      )
    ).rows.map(toRow);
  }

  async claimHeld(rowNo: number, reader: string, session: string): Promise<JournalRow | undefined> {
    return this.tx(async (c) => {
      const r = await c.query(
        "UPDATE perso_rows SET state='claimed', session=$1, reader=$2, attempts=attempts+1, updated_at=$3 WHERE row_no=$4 AND state IN ('held','free')",
        [session, reader, now(), rowNo],
      );
      if (r.rowCount !== 1) return undefined;
      await this.event(c, session, 'claimed', true, 'held row: checking the blank card in its reader', { rowNo, reader });
      return this.row(c, rowNo);
    });
  }

  // untouched rows first: a row released mid-write waits a little for its own card to come back
  async claimNext(reader: string, session: string): Promise<JournalRow | undefined> {
    return this.tx(async (c) => {
      // SKIP LOCKED: a row another station is claiming right now is passed over, never shared
      const r = await c.query("SELECT row_no, iccid FROM perso_rows WHERE state='free' ORDER BY (writes_begun > 0), row_no LIMIT 1 FOR UPDATE SKIP LOCKED");
      if (!r.rows[0]) return undefined;
      const rowNo = Number(r.rows[0].row_no);
      await c.query(
        "UPDATE perso_rows SET state='claimed', mode='blank', step=0, step_done=0, commit_begun=0, reader=$1, session=$2, attempts=attempts+1, reason=NULL, updated_at=$3 WHERE row_no=$4",
        [reader, session, now(), rowNo],
      );
      await this.event(c, session, 'claimed', true, 'blank card', { rowNo, iccid: r.rows[0].iccid, reader });
      return this.row(c, rowNo);
    });
  }

  async stepBegin(rowNo: number, step: number, name: string, session: string, commit = false, newWriter = true): Promise<void> {
    await this.tx(async (c) => {
      const r = await c.query(
        `UPDATE perso_rows SET state='writing', step=$1, ${commit ? 'commit_begun=1,' : ''} ${step === 1 && newWriter ? 'writes_begun=writes_begun+1,' : ''} updated_at=$2 WHERE row_no=$3 AND session=$4 AND state IN ('claimed','writing')`,
        [step, now(), rowNo, session],
      );
      if (r.rowCount !== 1) throw new PersoError('journal-lost', `row ${rowNo} is no longer held by this session`);
      await this.event(c, session, 'step-begin', true, name, { rowNo, step });
    });
  }

  async stepDone(rowNo: number, step: number, name: string, session: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('UPDATE perso_rows SET step_done=$1, updated_at=$2 WHERE row_no=$3 AND session=$4', [step, now(), rowNo, session]);
      await this.event(c, session, 'step-done', true, name, { rowNo, step });
    });
  }

  async advance(rowNo: number, done: { step: number; name: string }, next: { step: number; name: string; commit?: boolean }, session: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('UPDATE perso_rows SET step_done=$1, updated_at=$2 WHERE row_no=$3 AND session=$4', [done.step, now(), rowNo, session]);
      await this.event(c, session, 'step-done', true, done.name, { rowNo, step: done.step });
      const r = await c.query(
        `UPDATE perso_rows SET state='writing', step=$1, ${next.commit ? 'commit_begun=1,' : ''} updated_at=$2 WHERE row_no=$3 AND session=$4 AND state IN ('claimed','writing')`,
        [next.step, now(), rowNo, session],
      );
      if (r.rowCount !== 1) throw new PersoError('journal-lost', `row ${rowNo} is no longer held by this session`);
      await this.event(c, session, 'step-begin', true, next.name, { rowNo, step: next.step });
    });
  }

  async finish(rowNo: number, done: { step: number; name: string }, session: string, detail: string): Promise<void> {
    await this.tx(async (c) => {
      await c.query('UPDATE perso_rows SET step_done=$1, updated_at=$2 WHERE row_no=$3 AND session=$4', [done.step, now(), rowNo, session]);
      await this.event(c, session, 'step-done', true, done.name, { rowNo, step: done.step });
      await this.endIn(c, rowNo, session, 'verified', 'verified', true, detail);
    });
  }

  protected async end(rowNo: number, session: string, state: RowState, event: string, ok: boolean, reason: string, extra = ''): Promise<void> {
    await this.tx((c) => this.endIn(c, rowNo, session, state, event, ok, reason, extra));
  }

  private async endIn(
    c: pg.PoolClient,
    rowNo: number,
    session: string,
    state: RowState,
    event: string,
    ok: boolean,
    reason: string,
    extra = '',
  ): Promise<void> {
    {
      const r = await c.query(
        `UPDATE perso_rows SET state=$1, reason=$2, ${extra} updated_at=$3 WHERE row_no=$4 AND session=$5 AND state IN ('claimed','writing')`,
        [state, ok && state === 'verified' ? null : reason, now(), rowNo, session],
      );
      if (r.rowCount !== 1) throw new PersoError('journal-lost', `row ${rowNo} is no longer held by this session`);
      const row = await this.row(c, rowNo);
      await this.event(c, session, event, ok, reason, { rowNo, iccid: row.iccid, reader: row.reader });
    }
  }

  async note(session: string, event: string, ok: boolean, detail: string, ref: { rowNo?: number; iccid?: string; reader?: string } = {}): Promise<void> {
    await this.event(this.pool, session, event, ok, detail, ref);
  }

  private async staleRows(q: Q, dead: string[], lock: boolean): Promise<JournalRow[]> {
    const r = await q.query(
      `SELECT * FROM perso_rows WHERE state IN ('claimed','writing') AND session = ANY($1::text[]) ORDER BY row_no ${lock ? 'FOR UPDATE SKIP LOCKED' : ''}`,
      [dead],
    );
    return r.rows.map(toRow);
  }

  async claimedBy(of: string[]): Promise<JournalRow[]> {
    return this.staleRows(this.pool, of, false);
  }

  async recover(session: string, dead: string[]): Promise<RecoveredRow[]> {
    return this.tx(async (c) => {
      const out: RecoveredRow[] = [];
      for (const r of await this.staleRows(
        c,
        dead.filter((d) => d !== session),
        true,
      )) {
        const hold = r.mode === 'blank' && r.commitBegun;
        const to: RowState = hold ? 'held' : 'free';
        const why = `interrupted in session ${r.session ?? '?'} at step ${r.step} (done ${r.stepDone})`;
        if (hold)
          await c.query("UPDATE perso_rows SET state='held', session=NULL, reason=$1, updated_at=$2 WHERE row_no=$3", [
            why + ': ICCID commit had begun, waiting for that card',
            now(),
            r.rowNo,
          ]);
        else
          await c.query("UPDATE perso_rows SET state='free', step=0, commit_begun=0, session=NULL, reason=$1, updated_at=$2 WHERE row_no=$3", [
            why,
            now(),
            r.rowNo,
          ]);
        await this.event(c, session, 'recovered', true, `${r.state} -> ${to}: ${why}`, { rowNo: r.rowNo, iccid: r.iccid, reader: r.reader });
        out.push({ rowNo: r.rowNo, iccid: r.iccid, from: r.state, to });
      }
      return out;
    });
  }

  async operatorRelease(rowNo: number, session: string, reason: string): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await c.query(
        "UPDATE perso_rows SET state='free', mode=NULL, step=0, step_done=0, commit_begun=0, reader=NULL, session=NULL, reason=$1, updated_at=$2 WHERE row_no=$3 AND state IN ('held','failed')",
        [reason, now(), rowNo],
      );
      if (r.rowCount === 1) await this.event(c, session, 'operator-release', true, reason, { rowNo });
      return r.rowCount === 1;
    });
  }

  async rows(): Promise<JournalRow[]> {
    return (await this.pool.query('SELECT * FROM perso_rows ORDER BY row_no')).rows.map(toRow);
  }
  async events(): Promise<JournalEvent[]> {
    return (await this.pool.query('SELECT * FROM perso_events ORDER BY id')).rows.map(toEvent);
  }
  async sessions(): Promise<SessionInfo[]> {
    return (await this.pool.query('SELECT * FROM perso_sessions ORDER BY started')).rows as SessionInfo[];
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}
