import type { CommandModule } from 'yargs';
import { decodeAtr, describeAtr } from '../../apdu/atr.js';
import { toHex } from '../../util/hex.js';
import { type GlobalArgs, output } from '../context.js';
import { withCard } from '../session.js';

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'atr',
  describe: 'read and decode the ATR of the card in the reader',
  handler: async (argv) => {
    await withCard(argv, async ({ atr, transport }) => {
      const d = decodeAtr(atr);
      output(argv, { reader: transport.name, atr: toHex(atr), ...d }, () =>
        [`reader: ${transport.name}`, `ATR: ${toHex(atr, ' ')}`, ...describeAtr(d)].join('\n'),
      );
    });
  },
};
export default cmd;
