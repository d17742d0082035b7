/**
 * `simdm perso report`: what was written, verified, failed and why, from the journal; and the
 * audit trail (every event with its unique session id and a success indicator, in the spirit of
 * OMA DM requirement 6.1.2 on logging management sessions). Neither ever holds a secret: the
 * journal stores row numbers, ICCIDs, IMSIs, step names and reasons only.
 */
import { formatCsv } from './csv.js';
import type { Journal, JournalEvent, JournalRow, SessionInfo } from './journal.js';

export interface Report {
  batch: string;
  counts: Record<string, number>;
  rows: JournalRow[];
  sessions: SessionInfo[];
}

export async function buildReport(j: Journal, batch: string): Promise<Report> {
  const rows = await j.rows();
  const counts: Record<string, number> = { total: rows.length, verified: 0, failed: 0, held: 0, free: 0, claimed: 0, writing: 0 };
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return { batch, counts, rows, sessions: await j.sessions() };
}

const ROW_COLUMNS = ['row', 'iccid', 'imsi', 'state', 'mode', 'step', 'step_done', 'reader', 'attempts', 'reason', 'updated_at'] as const;

export function reportCsv(r: Report): string {
  return formatCsv([
    [...ROW_COLUMNS],
    ...r.rows.map((x) => [
      String(x.rowNo),
      x.iccid,
      x.imsi,
      x.state,
      x.mode ?? '',
      String(x.step),
      String(x.stepDone),
      x.reader ?? '',
      String(x.attempts),
      x.reason ?? '',
      x.updatedAt,
    ]),
  ]);
}

export function reportText(r: Report): string {
  const c = r.counts;
  const lines = [
    `batch ${r.batch}: ${c.total} rows, ${c.verified} verified, ${c.failed} failed, ${c.held} held, ${c.free} not written, ${(c.claimed ?? 0) + (c.writing ?? 0)} in progress`,
    `${r.sessions.length} session(s): ${r.sessions.map((s) => `${s.id} (${s.station}, ${s.ended ? s.result : 'not ended'})`).join(', ')}`,
  ];
  const bad = r.rows.filter((x) => x.state === 'failed' || x.state === 'held' || x.state === 'claimed' || x.state === 'writing');
  for (const x of bad) lines.push(`  row ${x.rowNo} ICCID ${x.iccid}: ${x.state}${x.reader ? ` on ${x.reader}` : ''}: ${x.reason ?? ''}`);
  return lines.join('\n');
}

export function auditCsv(events: JournalEvent[]): string {
  return formatCsv([
    ['id', 'at', 'session', 'event', 'ok', 'row', 'iccid', 'reader', 'step', 'detail'],
    ...events.map((e) => [
      String(e.id),
      e.at,
      e.session,
      e.event,
      e.ok ? '1' : '0',
      e.rowNo === null ? '' : String(e.rowNo),
      e.iccid ?? '',
      e.reader ?? '',
      e.step === null ? '' : String(e.step),
      e.detail ?? '',
    ]),
  ]);
}
