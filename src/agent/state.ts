/**
 * The agent's state directory (JSON, written atomically, mode 600: it holds DM credentials):
 *   device.json        { deviceId, pairs: { "<ICCID>/<IMSI>": { firstSeen, lastSeen, status } }, current }
 *   tree-<hash>.json   the DeviceTree of one subscriber/device pair
 * The device id is generated once (urn:uuid) and never derived from the card.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from './errors.js';
import { type DeviceTree, emptyTree } from './tree.js';

export interface PairRecord {
  firstSeen: string;
  lastSeen: string;
  status: 'loaded' | 'declined' | 'no-bootstrap';
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
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const p = join(dir, 'device.json');
    if (existsSync(p)) {
      const s = readJson(p) as Partial<DeviceState>;
      if (typeof s.deviceId !== 'string' || typeof s.pairs !== 'object' || s.pairs === null) throw new AgentError('agent.state', `${p}: missing deviceId or pairs`);
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

  loadTree(pair: string): DeviceTree {
    const p = this.treePath(pair);
    return existsSync(p) ? (readJson(p) as DeviceTree) : emptyTree();
  }

  saveTree(pair: string, tree: DeviceTree): void {
    writeJson(this.treePath(pair), tree);
  }
}
