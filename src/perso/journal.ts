/**
 * The journal: every card's state, written before and after each step so that a run killed at
 * any moment (SIGKILL, power loss) can be resumed exactly. Two back ends share this interface:
 * SQLite (one station; WAL, synchronous=FULL, one transaction per transition) and PostgreSQL
 * (several stations; a row is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so no two stations
 * ever claim the same row).
 *
 * Row states:
 *   free      nobody holds it; a pre-numbered row is only ever given to the card carrying its ICCID
 *   claimed   a station holds it for a card (journaled before the first APDU that writes)
 *   writing   step `step` started (`stepDone` = last step finished)
 *   verified  written and read back equal: never written again
 *   failed    stopped for a reason (wrong ADM, mismatch): not retried automatically
 *   held      a blank card was pulled or the run died after the ICCID commit began: the row waits
 *             for the card that may carry its ICCID (re-insert it), or an operator's release
 * Events (the audit trail, OMA DM req 6.1.2: session id, what, success indicator) never hold secrets.
 */
import { toHex } from '../util/hex.js';
export type RowState = 'free' | 'claimed' | 'writing' | 'verified' | 'failed' | 'held';
export type CardMode = 'iccid' | 'blank';

export interface JournalRow {
  rowNo: number;
  iccid: string;
  imsi: string;
  state: RowState;
  mode: CardMode | null;
  step: number;
  stepDone: number;
  commitBegun: boolean;
  reader: string | null;
  session: string | null;
  attempts: number;
  reason: string | null;
  updatedAt: string;
}

export interface JournalEvent {
  id: number;
  at: string;
  session: string;
  rowNo: number | null;
  iccid: string | null;
  reader: string | null;
  event: string;
  step: number | null;
  ok: boolean;
  detail: string | null;
}

export interface SessionInfo {
  id: string;
  station: string;
  pid: number;
  started: string;
  heartbeat: string;
  ended: string | null;
  result: string | null;
}

export type ClaimResult =
  | { kind: 'claimed'; row: JournalRow }
  | { kind: 'verified'; row: JournalRow }
  | { kind: 'busy'; row: JournalRow }
  | { kind: 'failed'; row: JournalRow }
  | { kind: 'unknown' };

export interface RecoveredRow {
  rowNo: number;
  iccid: string;
  from: RowState;
  to: RowState;
}

/** What makes a journal simdm's and this batch's (src/perso/station.ts openBatchJournal). */
export interface JournalIdentity {
  /** random id given when the journal was created; the batch's seal file holds it too */
  journalId: string | undefined;
  batch: string | undefined;
  /** highest event number: a journal only grows, so a smaller one than the seal's is an older copy */
  events: number;
}

export interface Journal {
  readonly kind: 'sqlite' | 'postgres';
  /** the journal's identity; undefined when the store holds no (complete) simdm journal schema */
  identity(): Promise<JournalIdentity | undefined>;
  /** creates the schema (where missing), the batch name and a journal id (where missing) */
  initialise(batch: string): Promise<JournalIdentity>;
  /** Adds rows not yet in the journal as free; refuses a row whose ICCID moved to another row number. */
  ensureRows(rows: { rowNo: number; iccid: string; imsi: string }[], batch: string): Promise<void>;
  openSession(station: string): Promise<string>;
  heartbeat(session: string): Promise<void>;
  closeSession(session: string, result: string): Promise<void>;
  /** Claims the row of a pre-numbered card. */
  claimIccid(iccid: string, reader: string, session: string): Promise<ClaimResult>;
  /**
   * Rows of blank cards last written on `reader` whose files went to one card only (one attempt
   * ever began writing; IMSI and K are unique per row), held (ICCID commit cut) or released
   * after step 1: the blank card now in that reader may be that very card. runner.ts checks by
   * reading back the files written before the interruption; for a held row this proves the
   * commit never landed, so the row can go on without ever being on two cards.
   */
  heldOn(reader: string): Promise<JournalRow[]>;
  /** held/free -> claimed for the same-card check; undefined if someone else took it */
  claimHeld(rowNo: number, reader: string, session: string): Promise<JournalRow | undefined>;
  /** Claims the next free row for a blank card (lowest row number first). */
  claimNext(reader: string, session: string): Promise<JournalRow | undefined>;
  /** `newWriter` false: the card is the one that wrote this row before (same-card check passed) */
  stepBegin(rowNo: number, step: number, name: string, session: string, commit?: boolean, newWriter?: boolean): Promise<void>;
  stepDone(rowNo: number, step: number, name: string, session: string): Promise<void>;
  verified(rowNo: number, session: string, detail: string): Promise<void>;
  /**
   * Step `done` finished and step `next` starts, in one transaction (both events recorded):
   * what stepDone + stepBegin record, at one fsync instead of two.
   */
  advance(rowNo: number, done: { step: number; name: string }, next: { step: number; name: string; commit?: boolean }, session: string): Promise<void>;
  /** The last step finished and the card is verified, in one transaction. */
  finish(rowNo: number, done: { step: number; name: string }, session: string, detail: string): Promise<void>;
  /** The card's row ends in `failed` (kept bound; no automatic retry). */
  fail(rowNo: number, session: string, reason: string): Promise<void>;
  /** The row goes back to free (no ICCID of it can be on a card); its last reader and step are kept. */
  release(rowNo: number, session: string, reason: string): Promise<void>;
  /** The row waits for its card (blank card pulled after its ICCID commit began). */
  hold(rowNo: number, session: string, reason: string): Promise<void>;
  /** An event with no state change (card refused, unknown card, pulled, ...). */
  note(session: string, event: string, ok: boolean, detail: string, ref?: { rowNo?: number; iccid?: string; reader?: string }): Promise<void>;
  /**
   * Takes over the rows that the dead sessions `dead` left claimed or writing: pre-numbered rows
   * and blank rows whose ICCID commit never began go back to free, the others are held.
   */
  recover(session: string, dead: string[]): Promise<RecoveredRow[]>;
  /** rows claimed or writing by any of the sessions `of` */
  claimedBy(of: string[]): Promise<JournalRow[]>;
  /** operator's release of a held or failed row (`perso release`); false if it was neither */
  operatorRelease(rowNo: number, session: string, reason: string): Promise<boolean>;
  rows(): Promise<JournalRow[]>;
  events(): Promise<JournalEvent[]>;
  sessions(): Promise<SessionInfo[]>;
  close(): Promise<void>;
}

/** Session ids: unique across stations and restarts (time-ordered, random tail). */
export function newSessionId(): string {
  const t = Date.now().toString(36).padStart(9, '0');
  const r = toHex(crypto.getRandomValues(new Uint8Array(8))).toLowerCase();
  return `S${t}-${r}`;
}

/**
 * The end-of-row transitions, the same for every journal: each is one `end` (state, event, and
 * the columns to clear), which the SQLite and PostgreSQL journals implement in their own SQL.
 */
export abstract class RowTransitions {
  protected abstract end(rowNo: number, session: string, state: RowState, event: string, ok: boolean, reason: string, extra?: string): Promise<void>;

  async verified(rowNo: number, session: string, detail: string): Promise<void> {
    await this.end(rowNo, session, 'verified', 'verified', true, detail);
  }
  async fail(rowNo: number, session: string, reason: string): Promise<void> {
    await this.end(rowNo, session, 'failed', 'failed', false, reason);
  }
  async release(rowNo: number, session: string, reason: string): Promise<void> {
    await this.end(rowNo, session, 'free', 'released', false, reason, 'step=0, commit_begun=0, session=NULL,');
  }
  async hold(rowNo: number, session: string, reason: string): Promise<void> {
    await this.end(rowNo, session, 'held', 'held', false, reason, 'session=NULL,');
  }
}
