/**
 * Device targets: models of the readers that load a card's bootstrap, written from their
 * documented behaviour (docs/profiles.md, "Device targets"), each sending its own APDU sequence
 * through the APDU layer. They are test oracles (a card simdm wrote must load on them) and what
 * `simdm bootstrap detect --targets` and `simdm profile validate --target` run.
 */
import type { CardLink } from '../../apdu/link.js';
import type { BootstrapKind } from '../oids.js';

export const TARGET_NAMES = ['nrf91', 'omapi', 'opensc', 'strict'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** A bootstrap file a target loaded. */
export interface TargetFile {
  kind: BootstrapKind;
  oid: string;
  /** path of the file as the target found it (hex) */
  path: string;
  /** bytes the target took as the file's content */
  bytes: number;
  /** the content as fields (the same view as `simdm bootstrap read`) */
  fields: Record<string, string>;
}

export interface TargetResult {
  target: TargetName;
  /** the files it loaded */
  files: TargetFile[];
  /** why it loaded nothing, or why it skipped what it skipped (one line each) */
  reasons: string[];
  /** C-APDUs the target sent */
  apdus: number;
}

export interface DeviceTarget {
  name: TargetName;
  /** one line: what the target is */
  describe: string;
  /** the file kinds it loads */
  kinds: readonly BootstrapKind[];
  /** its own read sequence against the card */
  read(link: CardLink): Promise<TargetResult>;
}

/** A reader refusing: thrown inside a model, reported as the reason. */
export class TargetRefusal extends Error {}

export const refuse = (why: string): never => {
  throw new TargetRefusal(why);
};

/**
 * Runs a target's read sequence: counts the APDUs it sends, and turns a refusal (TargetRefusal)
 * into the reason it stopped; any other error propagates.
 */
export async function runTarget(target: TargetName, link: CardLink, sequence: (link: CardLink, r: TargetResult) => Promise<void>): Promise<TargetResult> {
  const start = link.apduCount;
  const r: TargetResult = { target, files: [], reasons: [], apdus: 0 };
  try {
    await sequence(link, r);
  } catch (e) {
    if (!(e instanceof TargetRefusal)) throw e;
    r.reasons.push(e.message);
  }
  r.apdus = link.apduCount - start;
  return r;
}
