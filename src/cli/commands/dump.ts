/**
 * simdm dump -o FILE.json [--deep | --layout EARLIER.json]: every readable file of the card, raw and
 * decoded (src/card/dump.ts); with a layout, exactly its files in the fewest APDUs (dump-layout.ts).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { verifyKeys } from '../../card/key-secrets.js';
import { dumpCard, parseDump } from '../../card/dump.js';
import { UsageError } from '../../errors.js';
import { CardFs } from '../../card/fs.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  out: string;
  deep?: boolean;
  layout?: string;
  verify?: string[];
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'dump',
  describe: 'dump the whole readable file tree to JSON (raw + decoded; unreadable files with the reason)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output JSON file (- for stdout)' })
      .option('deep', { type: 'boolean', describe: 'also probe every FID of the usual ranges' })
      .option('layout', {
        type: 'string',
        describe:
          'an earlier dump of a card of the same kind: read exactly its files, sizes and SFIs taken from it, probe nothing (fewest APDUs); a file this card has otherwise is read the probing way. A file grown beyond the earlier size goes unnoticed: dump without --layout when cards may differ',
      })
      .option('verify', { type: 'string', array: true, describe: 'verify these keys first so protected files are read too, e.g. --verify pin1' })
      .option('force', { type: 'boolean', describe: 'allow verifying a key with one try left' }) as Argv<Args>,
  handler: async (argv) => {
    await withCard(argv, async ({ link, atr }) => {
      await verifyKeys(link, secretsFor(argv), argv.verify, !!argv.force);
      const fs = new CardFs(link);
      const t0 = performance.now();
      const n0 = link.apduCount;
      const layout = argv.layout ? parseDump(readJson(argv.layout), argv.layout).files : undefined;
      const { dump, stats } = await dumpCard(fs, { atr, ...(argv.deep ? { probe: 'deep' as const } : {}), ...(layout ? { layout } : {}) });
      const ms = Math.round(performance.now() - t0);
      const text = JSON.stringify(dump, null, 2) + '\n';
      if (argv.out === '-') process.stdout.write(text);
      else {
        const tmp = `${argv.out}.tmp-${process.pid}`;
        // a dump holds file contents, which may include keys and credentials: owner only
        writeFileSync(tmp, text, { mode: 0o600 });
        renameSync(tmp, argv.out);
        const summary = { out: argv.out, ...stats, apdus: link.apduCount - n0, ms };
        output(
          argv,
          summary,
          () =>
            `${argv.out}: ${stats.files} files (${stats.efs} EFs, ${stats.bytes} bytes, ${stats.unreadable} unreadable) in ${ms} ms, ${summary.apdus} APDUs` +
            (stats.stale ? `; ${stats.stale} files differed from the layout and were probed` : ''),
        );
      }
    });
  },
};
function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read layout ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export default cmd;
