import type { Argv, CommandModule } from 'yargs';
import { decodeCommand } from '../../apdu/command.js';
import { insName, SECRET_COMMAND_INS } from '../../apdu/ins.js';
import { swText } from '../../apdu/sw.js';
import { UsageError } from '../../errors.js';
import { fromHex, hexNum, toHex } from '../../util/hex.js';
import { type GlobalArgs, output } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  apdus: string[];
  raw?: boolean;
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'apdu <apdus..>',
  describe: 'send raw APDUs (hex) and print each response with its status word',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('apdus', { type: 'string', array: true, demandOption: true, describe: 'C-APDUs in hex, e.g. 00A4000C023F00' })
      .option('raw', { type: 'boolean', describe: 'no automatic GET RESPONSE / Le correction' })
      .example('$0 apdu 00A40004023F00', 'SELECT the MF and show its FCP') as Argv<Args>,
  handler: async (argv) => {
    // parse all before touching the card: a typo must not leave half a script sent
    const cmds = argv.apdus.map((h, i) => {
      const bytes = fromHex(h, `APDU ${i + 1}`);
      // a PIN typed here would sit in the shell history and the process list: refuse it, and never
      // echo the APDU in a message
      if (bytes.length > 5 && SECRET_COMMAND_INS.has(bytes[1]!)) {
        throw new UsageError(
          `APDU ${i + 1} carries a PIN or key (${insName(bytes[1]!)}): use 'simdm pin ...' or an apdu script with \${PIN1}-style variables from SIMDM_* or --keys`,
        );
      }
      try {
        return decodeCommand(bytes);
      } catch (e) {
        throw new UsageError(`APDU ${i + 1}: ${(e as Error).message}`);
      }
    });
    await withCard(argv, async ({ link }) => {
      const results: { data: string; sw: string; status: string }[] = [];
      for (const c of cmds) {
        const r = argv.raw ? await rawSend(link.transport.transmit.bind(link.transport), c) : await link.transmit(c);
        results.push({ data: toHex(r.data), sw: hexNum(r.sw, 4), status: swText(r.sw) });
      }
      output(argv, results, (rs: typeof results) => rs.map((r) => `${r.data ? r.data + ' ' : ''}${r.sw}  (${r.status.slice(5)})`).join('\n'));
    });
  },
};

async function rawSend(tx: (b: Uint8Array) => Promise<Uint8Array>, c: ReturnType<typeof decodeCommand>) {
  const { encodeCommand } = await import('../../apdu/command.js');
  const { decodeResponse } = await import('../../apdu/response.js');
  return decodeResponse(await tx(encodeCommand(c)));
}
export default cmd;
