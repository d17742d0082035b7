import type { CommandModule } from 'yargs';
import { PcscContext } from '../../transport/pcsc.js';
import { type GlobalArgs, output } from '../context.js';

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'readers',
  describe: 'list PC/SC readers and whether a card is present',
  handler: async (argv) => {
    const ctx = new PcscContext();
    try {
      const names = await ctx.listReaders();
      await new Promise((r) => setTimeout(r, 50)); // reader status arrives just after the list
      const list = names.sort().map((name) => {
        const r = ctx.readers.get(name)!;
        return { name, card: (r.state & r.SCARD_STATE_PRESENT) !== 0 };
      });
      output(argv, list, (l: typeof list) => (l.length ? l.map((r) => `${r.card ? '*' : ' '} ${r.name}`).join('\n') : 'no readers'));
    } finally {
      ctx.close();
    }
  },
};
export default cmd;
