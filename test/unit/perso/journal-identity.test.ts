/**
 * Issue 12 item 6: a journal that exists without simdm schema (0 bytes, missing tables), of another
 * batch, swapped for another journal of the same batch, or restored from an older copy stops every
 * perso command; `--new-journal` starts anew (moving the old file aside). The same rules for
 * PostgreSQL (a real server, skipped loudly when not installed).
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Batch, loadBatch } from '../../../src/perso/batch.js';
import { openBatchJournal, sealPath } from '../../../src/perso/station.js';
import { pgBin, type PgServer, startPg } from '../../fixtures/perso/pg.js';

const rows = [2, 3].map((i) => ({ rowNo: i, iccid: `898821100000000000${i}`, imsi: `00101000000000${i}` }));

function batchIn(dir: string, name = 'b1', journal = 'j.sqlite'): Batch {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, `batch: ${name}\ndata: data.csv\njournal: ${journal}\n`);
  return loadBatch(f);
}

/** a `perso run`-like use of the journal: rows, one session with a verified card, sealed */
async function use(b: Batch): Promise<void> {
  const j = await openBatchJournal(b, { write: true });
  await j.ensureRows(rows, b.name);
  const s = await j.openSession('st');
  for (const r of rows) {
    const c = await j.claimIccid(r.iccid, 'R', s);
    if (c.kind !== 'claimed') continue;
    await j.verified(c.row.rowNo, s, 'ok');
    break;
  }
  await j.closeSession(s, 'ok');
  const { sealJournal } = await import('../../../src/perso/station.js');
  await sealJournal(b, j);
  await j.close();
}

describe('journal identity (SQLite)', () => {
  it('an emptied (0-byte) journal stops report and run; --new-journal starts anew and keeps the old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perso-id-'));
    const b = batchIn(dir);
    await use(b);
    truncateSync(b.journal, 0);
    for (const f of ['-wal', '-shm']) rmSync(b.journal + f, { force: true });
    await expect(openBatchJournal(b, { write: false })).rejects.toMatchObject({ code: 'perso.journal-schema' });
    await expect(openBatchJournal(b, { write: true })).rejects.toMatchObject({ code: 'perso.journal-schema' });
    const j = await openBatchJournal(b, { write: true, newJournal: true });
    expect((await j.identity())?.events).toBe(0);
    await j.close();
    expect(readdirSync(dir).some((f) => f.startsWith('j.sqlite.replaced-'))).toBe(true);
  });

  it('a journal with tables missing is no journal; a foreign file is a clear error, not an internal one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perso-id-'));
    const b = batchIn(dir);
    await use(b);
    const db = new Database(b.journal);
    db.exec('DROP TABLE events');
    db.close();
    await expect(openBatchJournal(b, { write: false })).rejects.toMatchObject({ code: 'perso.journal-schema' });
    writeFileSync(b.journal, 'PIN1=31323334 this is not a database '.repeat(200));
    for (const f of ['-wal', '-shm']) rmSync(b.journal + f, { force: true });
    const e = (await openBatchJournal(b, { write: false }).catch((x: unknown) => x)) as Error & { code: string };
    expect(e.code).toBe('perso.journal');
    expect(e.message).toMatch(/not a usable SQLite database/);
    expect(e.message).not.toContain('31323334');
  });

  it('a journal of another batch, a swapped journal and an older copy are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perso-id-'));
    const b = batchIn(dir);
    await use(b);
    const older = join(dir, 'older.sqlite');
    // an older copy: before the second session
    copyFileSync(b.journal, older);
    await use(b);
    // restored older journal (same id, fewer events)
    copyFileSync(older, b.journal);
    for (const f of ['-wal', '-shm']) rmSync(b.journal + f, { force: true });
    await expect(openBatchJournal(b, { write: true })).rejects.toMatchObject({ code: 'perso.journal-older' });
    // another journal of the same batch name (another id): swapped
    const dir2 = mkdtempSync(join(tmpdir(), 'perso-id-'));
    const b2 = batchIn(dir2);
    await use(b2);
    copyFileSync(b2.journal, b.journal);
    await expect(openBatchJournal(b, { write: false })).rejects.toMatchObject({ code: 'perso.journal-swapped' });
    // a journal of another batch
    const b3 = batchIn(dir2, 'other', 'o.sqlite');
    await use(b3);
    copyFileSync(b3.journal, b.journal);
    await expect(openBatchJournal(b, { write: false })).rejects.toMatchObject({ code: 'perso.journal-batch' });
  });

  it('a missing journal of a batch that has run is not silently recreated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perso-id-'));
    const b = batchIn(dir);
    // a batch that never ran: an empty report, nothing created
    const empty = await openBatchJournal(b, { write: false });
    expect(await empty.rows()).toEqual([]);
    await empty.close();
    expect(existsSync(b.journal)).toBe(false);
    await use(b); // first run creates it
    expect(existsSync(sealPath(b))).toBe(true);
    rmSync(b.journal);
    for (const f of ['-wal', '-shm']) rmSync(b.journal + f, { force: true });
    await expect(openBatchJournal(b, { write: true })).rejects.toMatchObject({ code: 'perso.journal-missing' });
    await expect(openBatchJournal(b, { write: false })).rejects.toMatchObject({ code: 'perso.journal-missing' });
    const j = await openBatchJournal(b, { write: true, newJournal: true });
    await j.close();
  });
});

const HAVE_PG = pgBin() !== undefined;
if (!HAVE_PG) console.warn('\n*** PostgreSQL not installed: PERSO JOURNAL IDENTITY (POSTGRESQL) TESTS SKIPPED ***\n');

describe.skipIf(!HAVE_PG)('journal identity (PostgreSQL)', () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPg();
  }, 90_000);
  afterAll(() => pg?.stop());

  async function db(name: string): Promise<string> {
    const { default: pgMod } = await import('pg');
    const c = new pgMod.Client({ connectionString: pg.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    return pg.url.replace(/\/postgres$/, `/${name}`);
  }

  it('emptied database, swapped database, --new-journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perso-idpg-'));
    const u1 = await db('ident1');
    const b = batchIn(dir, 'b1', u1);
    await use(b);
    // the tables dropped (a restored empty database): refused, not taken as fresh
    const { default: pgMod } = await import('pg');
    const c = new pgMod.Client({ connectionString: u1 });
    await c.connect();
    await c.query('DROP TABLE perso_events');
    await c.end();
    await expect(openBatchJournal(b, { write: true })).rejects.toMatchObject({ code: 'perso.journal-schema' });
    // another database with a journal of the same batch name: swapped
    const u2 = await db('ident2');
    const other = batchIn(mkdtempSync(join(tmpdir(), 'perso-idpg-')), 'b1', u2);
    await use(other);
    const b2 = batchIn(dir, 'b1', u2);
    await expect(openBatchJournal(b2, { write: false })).rejects.toMatchObject({ code: 'perso.journal-swapped' });
    // a fresh, empty database for a batch that has run: refused without --new-journal
    const u3 = await db('ident3');
    const b3 = batchIn(dir, 'b1', u3);
    await expect(openBatchJournal(b3, { write: true })).rejects.toMatchObject({ code: 'perso.journal-schema' });
    const j = await openBatchJournal(b3, { write: true, newJournal: true });
    await j.close();
  });
});

describe('damaged SQLite journal', () => {
  it('a journal with overwritten pages is perso.journal "damaged", not an internal error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perso-id-'));
    const b = batchIn(dir);
    await use(b);
    const db = new Database(b.journal);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    // overwrite everything after the first page (the schema stays readable, the tables do not)
    const { openSync, writeSync, closeSync, statSync } = await import('node:fs');
    const size = statSync(b.journal).size;
    const fd = openSync(b.journal, 'r+');
    writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    closeSync(fd);
    const e = (await openBatchJournal(b, { write: false }).catch((x: unknown) => x)) as Error & { code: string };
    expect(e.code).toMatch(/^perso\.journal/);
    expect(e.message).not.toMatch(/internal/);
  });
});
