/** simdm select PATH: SELECT a file and show its FCP decoded (TS 102 221 11.1.1.3) and its access rules. */
import type { Argv, CommandModule } from 'yargs';
import { fileJson } from '../file-view.js';
import { CardFs } from '../../card/fs.js';
import { type GlobalArgs, jsonReplacer, output } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  path: string;
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'select <path>',
  describe: 'select a file and show its FCP, decoded',
  builder: (y: Argv<GlobalArgs>) =>
    y.positional('path', { type: 'string', demandOption: true, describe: "path or name: 'MF/ADF.USIM/EF.IMSI', EF.DIR, 2FE2, AID:A0000000871002" }) as Argv<Args>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const fs = new CardFs(link);
      const f = await fs.select(argv.path);
      if (f.arrRef) await fs.accessOf(f);
      const j = fileJson(f);
      output(argv, j, () => {
        const { fcp, fcpRaw, ...head } = j;
        const lines = Object.entries(head).filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padEnd(13)} ${typeof v === 'object' ? JSON.stringify(v, jsonReplacer) : String(v)}`);
        return [...lines, `${'fcpRaw'.padEnd(13)} ${String(fcpRaw)}`, `fcp:`, JSON.stringify(fcp, jsonReplacer, 2)].join('\n');
      });
    });
  },
};
export default cmd;
