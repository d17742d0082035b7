/**
 * SQLite journal: recovery of a dead session (the rules of docs/perso.md), `perso run` refusing
 * while a dead session's cards are unverified, concurrent transitions grouped into one commit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteJournal } from '../../../src/perso/journal-sqlite.js';
import { deadSessions } from '../../../src/perso/station.js';

const rows = [2, 3, 4, 5].map((i) => ({ rowNo: i, iccid: `898821100000000000${i}`, imsi: `00101000000000${i}` }));

describe('SQLite journal', () => {
  it('a session whose process is gone is dead; its rows are recovered by the rules', async () => {
    const j = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-j-')), 'j.sqlite'));
    await j.ensureRows(rows, 'b');
    const dead = await j.openSession('x');
    // make it a session of a process that has exited (same host)
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    (j as unknown as { db: { prepare(s: string): { run(...a: unknown[]): void } } }).db
      .prepare('UPDATE sessions SET pid = ?, station = ? WHERE id = ?')
      .run(Number(gone), (await import('node:os')).hostname(), dead);
    const a = await j.claimNext('R1', dead); // blank, before its commit
    const b = await j.claimNext('R2', dead); // blank, commit began
    await j.stepBegin(a!.rowNo, 1, 'EF.IMSI', dead);
    await j.advance(a!.rowNo, { step: 1, name: 'EF.IMSI' }, { step: 2, name: 'EF.SPN' }, dead);
    await j.stepBegin(b!.rowNo, 1, 'EF.IMSI', dead);
    await j.advance(b!.rowNo, { step: 1, name: 'EF.IMSI' }, { step: 2, name: 'EF.ICCID', commit: true }, dead);
    expect((await j.claimIccid(rows[2]!.iccid, 'R3', dead)).kind).toBe('claimed'); // pre-numbered
    const me = await j.openSession('y');
    const ds = await deadSessions(j, me, 60_000);
    expect(ds).toEqual([dead]);
    expect((await j.claimedBy(ds)).map((r) => r.rowNo)).toEqual([2, 3, 4]);
    const rec = await j.recover(me, ds);
    expect(rec.map((r) => `${r.rowNo}:${r.from}->${r.to}`)).toEqual(['2:writing->free', '3:writing->held', '4:claimed->free']);
    // the released blank row keeps its last reader and step for the same-card check; the held one too
    expect((await j.heldOn('R1')).map((r) => r.rowNo)).toEqual([2]);
    expect((await j.heldOn('R2')).map((r) => r.rowNo)).toEqual([3]);
    // the dead session cannot write any more
    await expect(j.stepBegin(a!.rowNo, 3, 'EF.X', dead)).rejects.toThrow(/no longer held/);
    await j.close();
  });

  it('transitions asked for together commit together, one failing alone', async () => {
    const j = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'perso-j-')), 'j.sqlite'));
    await j.ensureRows(rows, 'b');
    const s = await j.openSession('x');
    const claimed = await Promise.all([j.claimNext('R1', s), j.claimNext('R2', s), j.claimNext('R3', s), j.claimNext('R4', s)]);
    expect(claimed.map((r) => r!.rowNo).sort()).toEqual([2, 3, 4, 5]);
    const results = await Promise.allSettled([j.stepBegin(2, 1, 'a', s), j.stepBegin(3, 1, 'a', 'other-session'), j.stepBegin(4, 1, 'a', s)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const st = new Map((await j.rows()).map((r) => [r.rowNo, r.state]));
    expect([st.get(2), st.get(3), st.get(4)]).toEqual(['writing', 'claimed', 'writing']);
    await j.close();
  });
});
