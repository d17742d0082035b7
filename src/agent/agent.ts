/**
 * The device agent: watches a card reader (local or remote://), and on each insertion
 *  1. reads ICCID and IMSI;
 *  2. a subscriber/device pair never seen before (the device id is the agent's own) triggers a
 *     bootstrap read; a known pair re-activates its stored tree without reading the bootstrap;
 *  3. asks the user to confirm when the bootstrap requires it (OMA DM Bootstrap 6.1.4.1), never
 *     otherwise; a refusal leaves the tree untouched;
 *  4. loads the bootstrap into the local tree (tree.ts; 6.3.1.5: obsolete data of another
 *     authority or subscriber does not block the current one) and persists it;
 *  5. connects to the DM server(s) when auto-connect is indicated (6.1.4.3) and the server and
 *     the device authenticate each other (dm-client.ts).
 * The card is released after each read (a bridged reader is free between insertions).
 */
import { CardLink } from '../apdu/link.js';
import { SimdmError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { dmSession, type DmSessionOptions } from './dm-client.js';
import { gbaDmSession } from './gba-client.js';
import { impiFromImsi } from '../dms/gba.js';
import { AgentError } from './errors.js';
import type { BootstrapSource } from './source.js';
import { StateDir } from './state.js';
import { accountsOf, applyBootstrap, type ApplyReport, type DeviceTree, type Indications, indicationsOf, setDevInfo, setNonce } from './tree.js';

export type AgentEvent =
  | { type: 'card'; iccid: string; imsi: string; known: boolean }
  | { type: 'removed' }
  | { type: 'bootstrap'; pair: string; report: ApplyReport; issues: string[]; indications: Indications }
  | { type: 'declined'; pair: string }
  | { type: 'activated'; pair: string }
  | { type: 'connected'; serverId: string; roundTrips: number }
  | { type: 'error'; code: string; message: string };

/** Asks the user; resolves true to apply. */
export type Confirm = (question: string) => Promise<boolean>;

export interface AgentOptions {
  transport: Transport;
  stateDir: string;
  source: BootstrapSource;
  /** called only when the bootstrap requires confirmation */
  confirm: Confirm;
  /** indications when the bootstrap says nothing */
  defaults?: Indications;
  dm?: Omit<DmSessionOptions, 'devId'>;
  onEvent?: (e: AgentEvent) => void;
}

export class DeviceAgent {
  readonly state: StateDir;
  private queue: Promise<void> = Promise.resolve();
  private readonly onInserted = (): void => {
    void this.schedule();
  };
  private readonly onRemoved = (): void => this.emit({ type: 'removed' });
  tree: DeviceTree | undefined;

  constructor(private readonly opts: AgentOptions) {
    this.state = new StateDir(opts.stateDir);
  }

  get deviceId(): string {
    return this.state.state.deviceId;
  }

  private emit(e: AgentEvent): void {
    this.opts.onEvent?.(e);
  }

  /** Starts watching; processes the card already present. */
  start(): void {
    const t = this.opts.transport;
    t.on?.('inserted', this.onInserted);
    t.on?.('removed', this.onRemoved);
    const present = (t as { cardPresent?: boolean }).cardPresent;
    if (present !== false) void this.schedule();
  }

  stop(): Promise<void> {
    this.opts.transport.off?.('inserted', this.onInserted);
    this.opts.transport.off?.('removed', this.onRemoved);
    return this.queue;
  }

  /** Resolves when the passes queued so far are done. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Queues one pass over the card in the reader; resolves when it is done. */
  schedule(): Promise<void> {
    this.queue = this.queue.then(() =>
      this.processCard().catch((e: unknown) => {
        this.emit({ type: 'error', code: e instanceof SimdmError ? e.code : 'agent.internal', message: e instanceof Error ? e.message : String(e) });
      }),
    );
    return this.queue;
  }

  private async processCard(): Promise<void> {
    const t = this.opts.transport;
    await t.connect();
    let pair: string;
    let known: boolean;
    const link = new CardLink(t);
    let read: Awaited<ReturnType<BootstrapSource['bootstrap']>> | undefined;
    try {
      const id = await this.opts.source.identity(link);
      pair = `${id.iccid}/${id.imsi}`;
      known = this.state.state.pairs[pair] !== undefined;
      this.emit({ type: 'card', iccid: id.iccid, imsi: id.imsi, known });
      if (!known) read = await this.opts.source.bootstrap(link);
    } finally {
      await t.disconnect().catch(() => undefined);
    }
    const now = new Date().toISOString();
    if (known) {
      const rec = this.state.state.pairs[pair]!;
      rec.lastSeen = now;
      this.state.state.current = pair;
      this.state.save();
      this.tree = this.state.loadTree(pair);
      this.emit({ type: 'activated', pair });
      return;
    }
    const r = read!;
    const tree = this.tree && this.state.state.current ? structuredClone(this.tree) : this.state.loadTree(pair);
    const accounts = r.files.filter((f) => f.kind === 'dm').flatMap((f) => accountsOf(f.fields));
    const ind = indicationsOf(accounts, this.opts.defaults ?? { userConfirmation: false, autoConnect: false });
    if (r.files.length === 0) {
      this.state.state.pairs[pair] = { firstSeen: now, lastSeen: now, status: 'no-bootstrap' };
      this.state.save();
      throw new AgentError('agent.bootstrap', `the card holds no usable bootstrap${r.issues.length ? `: ${r.issues[0]}` : ''}`);
    }
    if (ind.userConfirmation) {
      const servers = accounts.map((a) => a.name ?? a.serverId).join(', ') || 'LwM2M servers';
      const ok = await this.opts.confirm(`Apply the device management bootstrap from the card (${servers})?`);
      if (!ok) {
        this.state.state.pairs[pair] = { firstSeen: now, lastSeen: now, status: 'declined' };
        this.state.save();
        this.emit({ type: 'declined', pair });
        return;
      }
    }
    const report = applyBootstrap(tree, pair, r.files);
    setDevInfo(tree, this.deviceId);
    this.state.saveTree(pair, tree);
    this.state.state.pairs[pair] = { firstSeen: now, lastSeen: now, status: 'loaded' };
    this.state.state.current = pair;
    this.state.save();
    this.tree = tree;
    this.emit({ type: 'bootstrap', pair, report, issues: r.issues, indications: ind });
    if (ind.autoConnect) await this.connectAll(pair);
  }

  /** One authenticated DM session with each account's server; nonces persisted. */
  async connectAll(pair = this.state.state.current): Promise<void> {
    if (!pair || !this.tree) throw new AgentError('agent.state', 'no bootstrap loaded');
    for (const acc of accountsOf(this.tree.dm)) {
      if (!acc.addr) continue;
      const cli = acc.auth.find((a) => a.level === 'CLCRED');
      if (cli && /GBA|AKA/i.test(cli.type)) {
        await this.connectGba(pair, acc.serverId, acc.addr, cli.name ?? this.deviceId);
        continue;
      }
      const res = await dmSession(acc, { ...(this.opts.dm ?? {}), devId: this.deviceId });
      setNonce(this.tree, acc.nodeName, 'CLCRED', res.nextNonce);
      this.state.saveTree(pair, this.tree);
      this.emit({ type: 'connected', serverId: res.serverId, roundTrips: res.roundTrips });
    }
  }

  /** AKA/GBA through the card in the reader (it must still be the card of `pair`). */
  private async connectGba(pair: string, serverId: string, addr: string, clientName: string): Promise<void> {
    const imsi = pair.split('/')[1]!;
    const t = this.opts.transport;
    await t.connect();
    try {
      await gbaDmSession(new CardLink(t), { dmUrl: new URL(addr), impi: impiFromImsi(imsi), serverId, clientName, devId: this.deviceId, ...(this.opts.dm?.ca ? { ca: this.opts.dm.ca } : {}) });
    } finally {
      await t.disconnect().catch(() => undefined);
    }
    this.emit({ type: 'connected', serverId, roundTrips: 3 });
  }
}
