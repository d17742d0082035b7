import { existsSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { defaultImage } from '../../sim/default-image.js';
import { loadImage, MAX_LATENCY_MS, saveImage } from '../../sim/image.js';
import { CardHost } from '../../sim/host.js';
import { VPCD_BASE_PORT, type VpcdCard, vpcdReaderName, vpcdUnreachableHint } from '../../sim/vpcd.js';
import { type GlobalArgs, output } from '../context.js';

interface StartArgs extends GlobalArgs {
  image?: string;
  port: number;
  count: number;
  'exit-after'?: number;
  'latency-ms'?: number;
  'warn-after'?: number;
}

const start: CommandModule<GlobalArgs, StartArgs> = {
  command: 'start',
  describe: 'plug the virtual UICC into the vpcd virtual reader of a running pcscd (runs until Ctrl-C)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('image', { type: 'string', describe: 'card image JSON (changes are saved back to it); default: the built-in image, not saved' })
      .option('port', { type: 'number', default: VPCD_BASE_PORT, describe: 'vpcd port (35963 = reader "Virtual PCD 00 00")' })
      .option('count', { type: 'number', default: 1, describe: 'cards on consecutive ports (copies of the image; only the first is saved)' })
      .option('exit-after', { type: 'number', describe: 'stop after this many seconds' })
      .option('latency-ms', {
        type: 'number',
        describe: `delay each response by N ms (0..${MAX_LATENCY_MS}; real cards take 5-50 ms per APDU); default: the image's latencyMs, else 0`,
      })
      .option('warn-after', {
        type: 'number',
        default: 5,
        describe: 'warn on stderr when pcscd has not connected after this many seconds (0 = never)',
      }) as Argv<StartArgs>,
  handler: async (argv) => {
    if (argv.image && !existsSync(argv.image)) throw new UsageError(`card image ${argv.image} not found (simdm vcard init --out ${argv.image})`);
    const latency = argv['latency-ms'];
    if (latency !== undefined && (!Number.isInteger(latency) || latency < 0 || latency > MAX_LATENCY_MS)) {
      throw new UsageError(`--latency-ms ${latency}: expected an integer 0..${MAX_LATENCY_MS}`);
    }
    const image = argv.image ? loadImage(argv.image) : defaultImage();
    const host = new CardHost();
    const readers: string[] = [];
    const cards: VpcdCard[] = [];
    for (let i = 0; i < argv.count; i++) {
      cards.push(host.plug(argv.port + i, structuredClone(image), i === 0 ? argv.image : undefined, true, latency !== undefined ? { latencyMs: latency } : {}));
      readers.push(vpcdReaderName(argv.port + i));
    }
    // vpcd only listens while a pcscd with a vpcd entry for the port runs: say so instead of waiting in silence
    const warnAfter = argv['warn-after'];
    const warnTimer =
      warnAfter && warnAfter > 0
        ? setTimeout(() => {
            for (const c of cards) if (!c.isConnected) process.stderr.write(`warning: ${vpcdUnreachableHint(c)}\n`);
          }, warnAfter * 1000)
        : undefined;
    warnTimer?.unref();
    const latencyMs = cards[0]?.effectiveLatencyMs ?? 0;
    output(argv, { readers, ports: readers.map((_, i) => argv.port + i), latencyMs }, () =>
      readers.map((r, i) => `virtual UICC on port ${argv.port + i} -> reader "${r}"${latencyMs ? ` (${latencyMs} ms per APDU)` : ''}`).join('\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (argv['exit-after']) setTimeout(stop, argv['exit-after'] * 1000).unref();
    });
    if (warnTimer) clearTimeout(warnTimer);
    host.stopAll();
  },
};

interface InitArgs extends GlobalArgs {
  out: string;
  force?: boolean;
}

const init: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'write the default card image (MF, EF.ICCID, EF.DIR, ADF.USIM ..., PINs, ADM1)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the image' })
      .option('force', { type: 'boolean', describe: 'overwrite' }) as Argv<InitArgs>,
  handler: (argv) => {
    if (existsSync(argv.out) && !argv.force) throw new UsageError(`${argv.out} exists (use --force to overwrite)`);
    saveImage(argv.out, defaultImage());
    output(argv, { written: argv.out }, () => `wrote ${argv.out}`);
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'vcard <command>',
  describe: 'the built-in virtual UICC',
  builder: (y: Argv<GlobalArgs>) => y.command(start).command(init).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
