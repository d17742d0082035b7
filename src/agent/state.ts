/**
 * The agent's state directory (JSON, written atomically, mode 600: it holds DM credentials):
 *   device.json        { deviceId, pairs: { "<ICCID>/<IMSI>": PairRecord }, current }
 *   tree-<hash>.json   the DeviceTree of one subscriber/device pair
 * The device id is generated once (urn:uuid) and never derived from the card. When another
 * subscriber's bootstrap is applied, the previous subscribers' trees (with their DM passwords)
 * are deleted; their pair records (ICCID/IMSI, dates, status) stay.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from './errors.js';
import { type DeviceTree, emptyTree } from './tree.js';

export interface PairRecord {
  firstSeen: string;
  lastSeen: string;
  /**
   * loaded: bootstrap applied, no session asked for; pending: a session is due and has not yet
   * succeeded (retried with backoff); active: a session succeeded; declined: the user said no
   * (asked again at the next insertion); no-bootstrap; replaced: another subscriber's bootstrap
   * was applied since (tree deleted)
   */
  status: 'loaded' | 'pending' | 'active' | 'declined' | 'no-bootstrap' | 'replaced';
  /** last session failure (code and message; no secrets) */
  lastError?: string;
  /** card-resident accounts the server changed that are not yet on the card */
  cardWrite?: string[];
}

export interface DeviceState {
  deviceId: string;
  pairs: Record<string, PairRecord>;
  current?: string;
}

function writeJson(path: string, v: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(v, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new AgentError('agent.state', `state file ${path} is unreadable or not JSON`, { cause: e });
  }
}

export class StateDir {
  readonly state: DeviceState;
  /** `create: false`: a missing state directory is an error and nothing is written (agent show) */
  constructor(
    readonly dir: string,
    opts: { create?: boolean } = {},
  ) {
    const p = join(dir, 'device.json');
    if (opts.create === false && !existsSync(p)) throw new AgentError('agent.state', `${dir} is not an agent state directory (no device.json)`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (existsSync(p)) {
      const s = readJson(p) as Partial<DeviceState>;
      if (typeof s.deviceId !== 'string' || typeof s.pairs !== 'object' || s.pairs === null)
        throw new AgentError('agent.state', `${p}: missing deviceId or pairs`);
      this.state = s as DeviceState;
    } else {
      this.state = { deviceId: `urn:uuid:${randomUUID()}`, pairs: {} };
      this.save();
    }
  }

  save(): void {
    writeJson(join(this.dir, 'device.json'), this.state);
  }

  private treePath(pair: string): string {
    return join(this.dir, `tree-${createHash('sha256').update(pair).digest('hex').slice(0, 16)}.json`);
  }

  hasTree(pair: string): boolean {
    return existsSync(this.treePath(pair));
  }

  loadTree(pair: string): DeviceTree {
    const p = this.treePath(pair);
    return existsSync(p) ? (readJson(p) as DeviceTree) : emptyTree();
  }

  saveTree(pair: string, tree: DeviceTree): void {
    writeJson(this.treePath(pair), tree);
  }

  /** Deletes every other pair's tree; their records say `replaced`. */
  dropOtherTrees(pair: string): string[] {
    const dropped: string[] = [];
    for (const [p, rec] of Object.entries(this.state.pairs)) {
      if (p === pair) continue;
      const f = this.treePath(p);
      if (existsSync(f)) {
        rmSync(f, { force: true });
        dropped.push(p);
      }
      if (rec.status !== 'declined' && rec.status !== 'no-bootstrap') rec.status = 'replaced';
    }
    return dropped;
  }
}
