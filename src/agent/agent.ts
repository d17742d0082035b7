/**
 * The device agent: watches a card reader (local or remote://), and on each insertion
 *  1. reads ICCID and IMSI;
 *  2. a subscriber/device pair never seen (or declined, or replaced since) triggers a bootstrap
 *     read; a known pair re-activates its stored tree (and, when its session is still pending,
 *     connects);
 *  3. asks the user to confirm when the bootstrap requires it (OMA DM Bootstrap 6.1.4.1), never
 *     otherwise; a refusal leaves the tree untouched and is asked again at the next insertion;
 *     removing the card cancels the question;
 *  4. loads the bootstrap into the local tree (tree.ts; 6.3.1.5: obsolete data of another
 *     authority or subscriber does not block the current one), the card's connectivity
 *     (connectivity.ts: ./NAP, ./Proxy), deletes the previous subscribers' trees, persists it;
 *  5. when auto-connect is indicated (6.1.4.3): hands the card's connectivity to the host (hook,
 *     NetworkManager keyfile), then runs an OMA DM 1.2 session with each account's server
 *     (dm-client.ts). A failed session is retried with exponential backoff until one succeeds
 *     (the pair's status is `pending` until then, `active` after);
 *  6. writes the server's changes to card-resident accounts back to the card (card-writeback.ts).
 * The card is released after each use (a bridged reader is free between insertions).
 */
import { CardLink } from '../apdu/link.js';
import type { TraceSink } from '../apdu/trace.js';
import { dmFieldsFromCp } from '../bootstrap/content/dm-accounts.js';
import { readIccid } from '../bootstrap/writer.js';
import { SimdmError } from '../errors.js';
import { ReplayGuard } from '../secure/dm/nonce-store.js';
import { parseNotification } from '../secure/dm/notification.js';
import { acceptNotification } from '../secure/dm/session-auth.js';
import { impiFromImsi } from '../secure/gba/ua.js';
import type { Transport } from '../transport/types.js';
import type { SecretStore } from '../util/secrets.js';
import { writeAccountsToCard } from './card-writeback.js';
import { hookEnv, napsOfCp, type NapSettings, runHook, setConnectivityNodes, writeNmKeyfile } from './connectivity.js';
import { dmSession, type DmSessionOptions } from './dm-client.js';
import { AgentError } from './errors.js';
import { gbaBootstrap } from './gba-client.js';
import type { BootstrapSource } from './source.js';
import { StateDir } from './state.js';
import {
  accountsOf,
  applyBootstrap,
  type ApplyReport,
  type BootstrapFileData,
  type DeviceTree,
  type Indications,
  indicationsOf,
  setDevInfo,
  setNonce,
} from './tree.js';

export type AgentEvent =
  | { type: 'card'; iccid: string; imsi: string; known: boolean }
  | { type: 'removed' }
  | { type: 'bootstrap'; pair: string; report: ApplyReport; issues: string[]; indications: Indications }
  | { type: 'declined'; pair: string }
  | { type: 'cancelled'; pair: string }
  | { type: 'activated'; pair: string; status: string }
  | { type: 'connectivity'; napId: string; via: string[] }
  | { type: 'connected'; serverId: string; roundTrips: number; changed: string[] }
  | { type: 'card-written'; accounts: string[]; files: string[] }
  | { type: 'pending'; pair: string; attempt: number; retryInMs?: number }
  | { type: 'error'; code: string; message: string };

/** Asks the user; resolves true to apply. `signal` aborts when the card is removed. */
export type Confirm = (question: string, signal: AbortSignal) => Promise<boolean>;

export interface RetryPolicy {
  /** first delay (default 2 s) */
  initialMs?: number;
  /** longest delay (default 5 min) */
  maxMs?: number;
  /** no retries at all (agent run --once) */
  none?: boolean;
}

export interface ConnectivityOptions {
  /** a command run (sh -c) with the NAP settings in its environment before the first session */
  hook?: string;
  /** write NetworkManager keyfiles here */
  nmKeyfileDir?: string;
}

export interface AgentOptions {
  transport: Transport;
  stateDir: string;
  source: BootstrapSource;
  /** called only when the bootstrap requires confirmation */
  confirm: Confirm;
  /** indications when the bootstrap says nothing */
  defaults?: Indications;
  dm?: Omit<DmSessionOptions, 'devId' | 'gba'>;
  /** SIMDM_ADM1 (or the keys named by admKeys) for writing server changes back to the card */
  secrets?: SecretStore;
  /** the card's authorities' ADM keys in DODF order (default ADM1, ADM2, ...) */
  admKeys?: string[];
  retry?: RetryPolicy;
  connectivity?: ConnectivityOptions;
  trace?: TraceSink;
  onEvent?: (e: AgentEvent) => void;
}

export class DeviceAgent {
  readonly state: StateDir;
  private queue: Promise<void> = Promise.resolve();
  private prompt: AbortController | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopped = false;
  private readonly notifications = new ReplayGuard();
  private readonly onInserted = (): void => {
    void this.schedule();
  };
  private readonly onRemoved = (): void => {
    this.prompt?.abort();
    this.emit({ type: 'removed' });
  };
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
    this.stopped = false;
    const t = this.opts.transport;
    t.on?.('inserted', this.onInserted);
    t.on?.('removed', this.onRemoved);
    const present = (t as { cardPresent?: boolean }).cardPresent;
    if (present !== false) void this.schedule();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.opts.transport.off?.('inserted', this.onInserted);
    this.opts.transport.off?.('removed', this.onRemoved);
    return this.queue;
  }

  /** Resolves when the passes queued so far are done. */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(() =>
      job().catch((e: unknown) => {
        this.emit({ type: 'error', code: e instanceof SimdmError ? e.code : 'agent.internal', message: e instanceof Error ? e.message : String(e) });
      }),
    );
    return this.queue;
  }

  /** Queues one pass over the card in the reader; resolves when it is done. `ask`: ask again even for a declined pair (agent apply). */
  schedule(): Promise<void> {
    return this.enqueue(() => this.processCard());
  }

  private link(): CardLink {
    return new CardLink(this.opts.transport, this.opts.trace ? { trace: this.opts.trace } : {});
  }

  private async processCard(): Promise<void> {
    const t = this.opts.transport;
    await t.connect();
    let pair: string;
    let known: boolean;
    let read: Awaited<ReturnType<BootstrapSource['bootstrap']>> | undefined;
    const link = this.link();
    try {
      const id = await this.opts.source.identity(link);
      pair = `${id.iccid}/${id.imsi}`;
      const rec = this.state.state.pairs[pair];
      known = rec !== undefined && (rec.status === 'active' || rec.status === 'pending' || rec.status === 'loaded') && this.state.hasTree(pair);
      this.emit({ type: 'card', iccid: id.iccid, imsi: id.imsi, known });
      if (!known) read = await this.opts.source.bootstrap(link);
      else if (rec!.cardWrite?.length) await this.writeBack(pair, rec!.cardWrite, link);
    } finally {
      await t.disconnect().catch(() => undefined);
    }
    if (pair !== this.state.state.current) this.cancelRetry();
    const now = new Date().toISOString();
    if (known) {
      const rec = this.state.state.pairs[pair]!;
      rec.lastSeen = now;
      this.state.state.current = pair;
      this.state.save();
      this.tree = this.state.loadTree(pair);
      this.emit({ type: 'activated', pair, status: rec.status });
      if (rec.status === 'pending' && !this.retryTimer) await this.connectWithRetry(pair);
      return;
    }
    const r = read!;
    const prev = this.state.state.pairs[pair];
    const firstSeen = prev?.firstSeen ?? now;
    if (r.files.length === 0) {
      this.state.state.pairs[pair] = { firstSeen, lastSeen: now, status: 'no-bootstrap' };
      this.state.save();
      throw new AgentError('agent.bootstrap', `the card holds no usable bootstrap${r.issues.length ? `: ${r.issues[0]}` : ''}`);
    }
    const files = withCpAccounts(r.files, r.issues);
    const accounts = files.filter((f) => f.kind === 'dm').flatMap((f) => accountsOf(f.fields));
    const ind = indicationsOf(accounts, this.opts.defaults ?? { userConfirmation: false, autoConnect: false });
    if (ind.userConfirmation) {
      const servers = accounts.map((a) => a.name ?? a.serverId).join(', ') || 'LwM2M servers';
      const ac = new AbortController();
      this.prompt = ac;
      let ok: boolean;
      try {
        ok = await this.opts.confirm(`Apply the device management bootstrap from the card (${servers})?`, ac.signal);
      } catch (e) {
        if (!ac.signal.aborted) throw e;
        ok = false;
      } finally {
        this.prompt = undefined;
      }
      if (ac.signal.aborted) {
        this.emit({ type: 'cancelled', pair });
        return;
      }
      if (!ok) {
        this.state.state.pairs[pair] = { firstSeen, lastSeen: now, status: 'declined' };
        this.state.save();
        this.emit({ type: 'declined', pair });
        return;
      }
    }
    const tree = this.tree && this.state.state.current && this.state.hasTree(this.state.state.current) ? structuredClone(this.tree) : this.state.loadTree(pair);
    const report = applyBootstrap(tree, pair, files);
    setDevInfo(tree, this.deviceId);
    setConnectivityNodes(tree, this.napsOf(files));
    this.state.dropOtherTrees(pair);
    this.state.saveTree(pair, tree);
    const sessionDue = ind.autoConnect && accounts.some((a) => a.addr);
    this.state.state.pairs[pair] = { firstSeen, lastSeen: now, status: sessionDue ? 'pending' : 'loaded' };
    this.state.state.current = pair;
    this.state.save();
    this.tree = tree;
    this.attempts = 0;
    this.emit({ type: 'bootstrap', pair, report, issues: r.issues, indications: ind });
    if (sessionDue) await this.connectWithRetry(pair);
  }

  private napsOf(files: BootstrapFileData[]): NapSettings[] {
    return files.filter((f) => f.kind === 'other').flatMap((f) => napsOfCp(f.fields));
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.attempts = 0;
  }

  /** Connects; on failure keeps the pair pending and tries again later (exponential backoff). */
  private async connectWithRetry(pair: string): Promise<void> {
    this.attempts++;
    try {
      await this.connectAll(pair);
      this.attempts = 0;
    } catch (e) {
      const rec = this.state.state.pairs[pair];
      if (rec) {
        rec.status = 'pending';
        rec.lastError = e instanceof SimdmError ? `${e.code}: ${e.message}`.slice(0, 300) : 'error';
        this.state.save();
      }
      const p = this.opts.retry ?? {};
      const delay = p.none || !this.opts.retry || this.stopped ? undefined : Math.min((p.initialMs ?? 2000) * 2 ** (this.attempts - 1), p.maxMs ?? 300_000);
      this.emit({ type: 'pending', pair, attempt: this.attempts, ...(delay !== undefined ? { retryInMs: delay } : {}) });
      if (delay !== undefined) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (this.stopped || this.state.state.current !== pair) return;
          void this.enqueue(() => this.connectWithRetry(pair));
        }, delay);
        this.retryTimer.unref?.();
      }
      throw e;
    }
  }

  /** Hands the NAP the account prefers (or the card's first) to the host. */
  private async applyConnectivity(tree: DeviceTree, prefConRef: string | undefined, server: string): Promise<void> {
    const c = this.opts.connectivity;
    if (!c?.hook && !c?.nmKeyfileDir) return;
    const naps = napsFromTree(tree);
    const nap = naps.find((n) => n.napId === prefConRef) ?? naps[0];
    if (!nap) return;
    const via: string[] = [];
    if (c.nmKeyfileDir) via.push(writeNmKeyfile(c.nmKeyfileDir, nap));
    if (c.hook) {
      await runHook(c.hook, hookEnv(nap, server));
      via.push('hook');
    }
    this.emit({ type: 'connectivity', napId: nap.napId, via });
  }

  /** One DM 1.2 session with each account's server; nonces persisted; pair active when all succeed. */
  async connectAll(pair = this.state.state.current, only?: { account: string; serverInitiated: { sessionId: number } }): Promise<void> {
    if (!pair || !this.tree) throw new AgentError('agent.state', 'no bootstrap loaded');
    const tree = this.tree;
    let applied = false;
    for (const acc of accountsOf(tree.dm)) {
      if (!acc.addr || (only && acc.nodeName !== only.account)) continue;
      if (!applied) {
        const pref = tree.dm[`./DMAcc/${acc.nodeName}/PrefConRef`];
        await this.applyConnectivity(tree, pref, acc.addr);
        applied = true;
      }
      const cli = acc.auth.find((a) => a.level === 'CLCRED');
      const gba = cli && /GBA|AKA/i.test(cli.type) ? await this.gbaKeys(pair, acc.addr) : undefined;
      const res = await dmSession(
        acc,
        tree,
        { ...(this.opts.dm ?? {}), devId: this.deviceId, ...(gba ? { gba } : {}), ...(only ? { serverInitiated: only.serverInitiated } : {}) },
        (level, nonce) => {
          setNonce(tree, acc.nodeName, level, nonce);
          this.state.saveTree(pair, tree);
        },
      );
      this.state.saveTree(pair, tree);
      this.emit({ type: 'connected', serverId: res.serverId, roundTrips: res.roundTrips, changed: res.changed });
      if (res.cardChanges.length) await this.cardChanged(pair, res.cardChanges);
    }
    const rec = this.state.state.pairs[pair];
    if (rec) {
      rec.status = 'active';
      delete rec.lastError;
      this.state.save();
    }
  }

  /**
   * Package #0 (OMA-TS-DM_Notification 6): the digest is checked with the named server's SRVCRED
   * (AAuthName is not used: the server identifier is) over the server nonce; a package seen before
   * is refused; then a server-initiated session (Alert 1200) runs with the package's session id.
   */
  notify(pkg: Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      const pair = this.state.state.current;
      if (!pair || !this.tree) throw new AgentError('agent.state', 'package #0 received but no bootstrap is loaded');
      const n = parseNotification(pkg);
      const acc = accountsOf(this.tree.dm).find((a) => a.serverId === n.serverId);
      const srv = acc?.auth.find((a) => a.level === 'SRVCRED');
      if (!acc || srv?.secret === undefined)
        throw new AgentError('agent.dm', `package #0 from unknown server ${JSON.stringify(n.serverId.slice(0, 64))}: ignored`);
      try {
        acceptNotification(pkg, srv.secret, new Uint8Array(Buffer.from(srv.data ?? '', 'base64')), this.notifications);
      } catch (e) {
        throw new AgentError('agent.dm', `package #0 from ${acc.serverId} refused: ${e instanceof SimdmError ? e.message : 'invalid'}`, { cause: e });
      }
      await this.connectAll(pair, { account: acc.nodeName, serverInitiated: { sessionId: n.sessionId } });
    });
  }

  /** The server changed card-resident accounts: write them to the card now, or at its next insertion. */
  private async cardChanged(pair: string, accounts: string[]): Promise<void> {
    const rec = this.state.state.pairs[pair];
    if (!rec) return;
    rec.cardWrite = [...new Set([...(rec.cardWrite ?? []), ...accounts])];
    this.state.save();
    const t = this.opts.transport;
    if ((t as { cardPresent?: boolean }).cardPresent === false) return;
    await t.connect();
    try {
      const link = this.link();
      const iccid = await readIccid(link);
      if (iccid !== pair.split('/')[0]) return; // another card now: at the next insertion
      await this.writeBack(pair, rec.cardWrite, link);
    } finally {
      await t.disconnect().catch(() => undefined);
    }
  }

  private async writeBack(pair: string, accounts: string[], link: CardLink): Promise<void> {
    const tree = this.tree && this.state.state.current === pair ? this.tree : this.state.loadTree(pair);
    if (!this.opts.secrets)
      throw new AgentError('agent.card', `the server changed ${accounts.join(', ')} on the card, but no ADM key was given to write it (SIMDM_ADM1)`);
    const rep = await writeAccountsToCard(link, tree, accounts, { secrets: this.opts.secrets, ...(this.opts.admKeys ? { admKeys: this.opts.admKeys } : {}) });
    const rec = this.state.state.pairs[pair];
    if (rec) {
      delete rec.cardWrite;
      this.state.save();
    }
    this.emit({ type: 'card-written', accounts, files: rep.files.filter((f) => f.action === 'write').map((f) => f.label) });
  }

  /** AKA/GBA through the card in the reader (it must still be the card of `pair`). */
  private async gbaKeys(pair: string, addr: string): Promise<{ btid: string; ksNaf: Uint8Array }> {
    const imsi = pair.split('/')[1]!;
    const t = this.opts.transport;
    await t.connect();
    try {
      const link = this.link();
      // after power-up PIN1 must be verified again before AUTHENTICATE (TS 31.102 7.1.2): reading
      // the identity does that (IMSI behind PIN1) and checks the card is still the card of `pair`
      const id = await this.opts.source.identity(link);
      if (`${id.iccid}/${id.imsi}` !== pair) throw new AgentError('agent.card', 'the card in the reader is not the bootstrapped card');
      return await gbaBootstrap(link, { dmUrl: new URL(addr), impi: impiFromImsi(imsi), ...(this.opts.dm?.ca ? { ca: this.opts.dm.ca } : {}) });
    } finally {
      await t.disconnect().catch(() => undefined);
    }
  }
}

/** CP-only DM accounts (APPLICATION w7) become DM fields when no DM file names the same server. */
function withCpAccounts(files: BootstrapFileData[], issues: string[]): BootstrapFileData[] {
  const dmServers = new Set(files.filter((f) => f.kind === 'dm').flatMap((f) => accountsOf(f.fields).map((a) => a.serverId)));
  const extra: BootstrapFileData[] = [];
  for (const f of files) {
    if (f.kind !== 'other') continue;
    const fields = dmFieldsFromCp(f.fields);
    const accs = accountsOf(fields).filter((a) => !dmServers.has(a.serverId));
    if (!accs.length) continue;
    const keep = Object.fromEntries(
      Object.entries(fields).filter(([k]) => accs.some((a) => k === `./DMAcc/${a.nodeName}` || k.startsWith(`./DMAcc/${a.nodeName}/`))),
    );
    extra.push({ kind: 'dm', authority: f.authority, fields: keep });
    issues.push(`DM account${accs.length > 1 ? 's' : ''} ${accs.map((a) => a.serverId).join(', ')} loaded from the CP document (APPLICATION w7)`);
  }
  return [...files, ...extra];
}

/** The NAPs in the tree's ./NAP and ./Proxy nodes. */
export function napsFromTree(tree: DeviceTree): NapSettings[] {
  const out: NapSettings[] = [];
  const ids = new Set(
    Object.keys(tree.dm)
      .map((k) => /^\.\/NAP\/([^/]+)$/.exec(k)?.[1])
      .filter((x): x is string => !!x),
  );
  for (const id of ids) {
    const b = `./NAP/${id}`;
    const n: NapSettings = { napId: id };
    const g = (k: string): string | undefined => tree.dm[`${b}/${k}`];
    if (g('Name')) n.name = g('Name')!;
    if (g('Addr')) n.apn = g('Addr')!;
    if (g('Bearer/BearerType')) n.bearer = g('Bearer/BearerType')!;
    const auth = Object.keys(tree.dm)
      .map((k) => new RegExp(`^\\./NAP/${id}/Auth/([^/]+)$`).exec(k)?.[1])
      .find((x) => !!x);
    if (auth)
      n.auth = {
        type: auth,
        ...(g(`Auth/${auth}/Id`) !== undefined ? { name: g(`Auth/${auth}/Id`)! } : {}),
        ...(g(`Auth/${auth}/Secret`) !== undefined ? { secret: g(`Auth/${auth}/Secret`)! } : {}),
      };
    for (const k of Object.keys(tree.dm)) {
      const m = /^\.\/Proxy\/([^/]+)\/ConRef\/[^/]+\/ConRef$/.exec(k);
      if (!m || tree.dm[k] !== b) continue;
      const p = `./Proxy/${m[1]}`;
      const port = tree.dm[`${p}/Ports/1/PortNbr`]?.replace(/ \(int\)$/, '');
      n.proxy = { id: tree.dm[`${p}/Id`] ?? m[1]!, addr: tree.dm[`${p}/Addr`] ?? '', ...(port ? { port: Number(port) } : {}) };
    }
    out.push(n);
  }
  return out;
}
