/**
 * simdm ls [PATH] [-R] [--deep]: the files under a DF (TS 102 221 8), found through EF.DIR, the
 * catalogue of standard FIDs and, with --deep, probing of the usual FID ranges.
 */
import type { Argv, CommandModule } from 'yargs';
import { fileJson, fileLine } from '../file-view.js';
import { CardFs } from '../../card/fs.js';
import { listDf, walk } from '../../card/walk.js';
import { type GlobalArgs, output } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  path: string;
  recursive?: boolean;
  deep?: boolean;
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'ls [path]',
  describe: 'list the files under a DF (names, FIDs, structure, size, SFI, access rules)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('path', { type: 'string', default: 'MF', describe: "DF/ADF path: MF, ADF.USIM, 'MF/DF.TELECOM', AID:A0000000871002, 3F00/7FFF" })
      .option('recursive', { alias: 'R', type: 'boolean', describe: 'the whole tree below' })
      .option('deep', { type: 'boolean', describe: 'also probe every FID of the usual ranges (slow: ~256 SELECTs per DF)' })
      .example('$0 ls -R', 'the whole card')
      .example('$0 ls ADF.USIM', 'the USIM application') as Argv<Args>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const fs = new CardFs(link);
      const probe = argv.deep ? 'deep' : 'catalogue';
      let files;
      if (argv.recursive) files = (await walk(fs, argv.path, { probe })).map((f) => ({ f, depth: f.path.split('/').length - 1 }));
      else {
        const df = await fs.select(argv.path);
        const kids = df.type === 'EF' ? [] : await listDf(fs, df, probe);
        files = [{ f: df, depth: 0 }, ...kids.map((f) => ({ f, depth: 1 }))];
      }
      const base = files[0]?.depth ?? 0;
      output(
        argv,
        files.map(({ f }) => fileJson(f)),
        () => files.map(({ f, depth }) => (depth === base ? f.path : fileLine(f, depth - base))).join('\n'),
      );
    });
  },
};
export default cmd;
