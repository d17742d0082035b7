/**
 * Progress of a run: on a TTY one cli-progress bar per reader and a total bar (cards/min, ETA,
 * failures); otherwise one plain line per card event. Lines carry row numbers and ICCIDs
 * (not secret), never a key, PIN or ADM.
 */
import cliProgress from 'cli-progress';
import type { RunnerEvent } from './runner.js';

export interface Progress {
  event(e: RunnerEvent): void;
  stop(): void;
}

export function createProgress(opts: { readers: string[]; total: number; done: number; tty: boolean; out?: NodeJS.WritableStream }): Progress {
  const out = opts.out ?? process.stderr;
  const t0 = Date.now();
  let verified = 0;
  let failed = 0;
  let pulled = 0;
  const rate = (): number => (verified * 60000) / Math.max(1, Date.now() - t0);
  const eta = (): string => {
    const left = opts.total - opts.done - verified;
    const r = rate();
    if (r <= 0 || left <= 0) return '-';
    const s = Math.round((left / r) * 60);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  };
  if (!opts.tty) {
    return {
      event(e) {
        if (e.type === 'verified') verified++;
        else if (e.type === 'failed') failed++;
        else if (e.type === 'pulled') pulled++;
        if (e.type === 'step' || e.type === 'card') return;
        const what =
          e.type === 'verified'
            ? `verified row ${e.rowNo} ICCID ${e.iccid} (${e.apdus} APDUs)`
            : `${e.type}${e.rowNo !== undefined ? ` row ${e.rowNo}` : ''}${e.iccid ? ` ICCID ${e.iccid}` : ''}${e.detail ? `: ${e.detail}` : ''}`;
        out.write(
          `${new Date().toISOString()} [${e.reader}] ${what} | total ${opts.done + verified}/${opts.total}, ${rate().toFixed(1)} cards/min, ETA ${eta()}, failed ${failed}, pulled ${pulled}\n`,
        );
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { clearOnComplete: false, hideCursor: true, format: '{name} |{bar}| {value}/{total} {info}', stream: out as NodeJS.WriteStream, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  const total = multi.create(opts.total, opts.done, { name: 'total'.padEnd(24), info: '' });
  const perReader = new Map<string, number>();
  const bars = new Map(opts.readers.map((r) => [r, multi.create(1, 0, { name: r.slice(0, 24).padEnd(24), info: 'waiting for a card' })]));
  return {
    event(e) {
      const b = bars.get(e.reader);
      if (e.type === 'card') b?.update(0, { info: `row ${e.rowNo} ${e.iccid}` });
      if (e.type === 'step' && b) {
        b.setTotal(e.steps ?? 1);
        b.update(e.step ?? 0);
      }
      if (e.type === 'verified') {
        verified++;
        perReader.set(e.reader, (perReader.get(e.reader) ?? 0) + 1);
        b?.update(b.getTotal(), { info: `verified row ${e.rowNo} (${perReader.get(e.reader)} cards)` });
      }
      if (e.type === 'failed') {
        failed++;
        b?.update(0, { info: `FAILED row ${e.rowNo ?? '-'}: ${(e.detail ?? '').slice(0, 60)}` });
      }
      if (e.type === 'pulled') {
        pulled++;
        b?.update(0, { info: `pulled: ${e.detail ?? ''}` });
      }
      if (e.type === 'skipped') b?.update(0, { info: `skipped: ${(e.detail ?? '').slice(0, 60)}` });
      total.update(opts.done + verified, { info: `${rate().toFixed(1)} cards/min ETA ${eta()} failed ${failed} pulled ${pulled}` });
    },
    stop() {
      multi.stop();
    },
  };
}
