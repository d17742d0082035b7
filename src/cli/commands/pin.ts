/**
 * simdm pin status|verify|change|unblock|enable|disable [KEY] [--force], KEY = PIN1 (default),
 * PIN2, ADM1, 0A ... (also as --pin-ref KEY):
 * TS 102 221 11.1.9-11.1.13 with the counter read first and a refusal at one try left.
 * Values: SIMDM_PIN1 / SIMDM_ADM1 / SIMDM_PUK1 / SIMDM_NEW_PIN1 ... or --keys FILE, never arguments.
 */
import type { Argv, CommandModule } from 'yargs';
import { keyValue, pukValue } from '../../card/key-secrets.js';
import { keyName, keyRefOf } from '../../card/keys.js';
import { changePin, disablePin, enablePin, pinStatus, unblockPin, verifyPin } from '../../card/pin.js';
import { DEFAULT_OVERVIEW_REFS, keyOverview, type KeyOverview } from '../../card/pin-overview.js';
import { UsageError } from '../../errors.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  action: 'status' | 'verify' | 'change' | 'unblock' | 'enable' | 'disable';
  key?: string;
  'pin-ref'?: string;
}

const KEY_HELP = 'PIN1 (default), PIN2, UPIN, ADM1..ADM10, or a key reference in hex (0A = ADM1, 81 = PIN2; TS 102 221 9.5.1)';

/** the key named as `pin verify adm1` or `pin verify --pin-ref adm1` (not both, differently) */
function keyOf(argv: Args): string | undefined {
  const { key, 'pin-ref': opt } = argv;
  if (key && opt && keyRefOf(key) !== keyRefOf(opt)) throw new UsageError(`two keys named: ${key} and --pin-ref ${opt}`);
  return key ?? opt;
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'pin <action> [key]',
  describe: 'PIN/ADM status, verify, change, unblock, enable, disable (never blocks a card: refuses at 1 try left without --force)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .positional('action', { choices: ['status', 'verify', 'change', 'unblock', 'enable', 'disable'] as const, demandOption: true })
      .positional('key', { type: 'string', describe: KEY_HELP })
      .option('pin-ref', { type: 'string', describe: `the key, as an option: ${KEY_HELP}` })
      .option('force', { type: 'boolean', describe: 'present the value even with only one try left' })
      .example('SIMDM_ADM1=88888888 $0 pin verify adm1', "verify ADM1 (hex or ASCII; 88888888 is the virtual card's)")
      .example('$0 pin status', 'retry counters of PIN1, PIN2, ADM1 ... (presents nothing)')
      .example('SIMDM_PIN1=1234 SIMDM_NEW_PIN1=4321 $0 pin change', 'change PIN1')
      .example('SIMDM_PUK1=12345678 SIMDM_NEW_PIN1=1234 $0 pin unblock', 'unblock PIN1') as Argv<Args>,
  handler: async (argv) => {
    const store = secretsFor(argv);
    const force = !!argv.force;
    await withCard(argv, async ({ link }) => {
      if (argv.action === 'status') {
        const named = keyOf(argv);
        const rows = await keyOverview(link, named ? [keyRefOf(named)] : DEFAULT_OVERVIEW_REFS, !!named);
        output(argv, rows, (rs: KeyOverview[]) =>
          rs
            .map(
              (s) =>
                `${s.name.padEnd(5)} ${s.blocked ? 'BLOCKED' : s.verified ? 'verified' : `${s.retries} ${s.retries === 1 ? 'try' : 'tries'} left`}${s.enabled === false ? ', disabled' : ''}${s.pukRetries !== undefined ? `  (PUK: ${s.pukRetries} left)` : ''}`,
            )
            .join('\n'),
        );
        return;
      }
      const ref = keyRefOf(keyOf(argv) ?? 'PIN1');
      const name = keyName(ref);
      switch (argv.action) {
        case 'verify':
          await verifyPin(link, ref, keyValue(store, ref, `verify ${name}`), { force });
          break;
        case 'change':
          await changePin(link, ref, keyValue(store, ref, `change ${name}`), keyValue(store, ref, `change ${name}`, 'NEW_'), { force });
          break;
        case 'unblock':
          await unblockPin(link, ref, pukValue(store, ref, `unblock ${name}`), keyValue(store, ref, `unblock ${name}`, 'NEW_'), { force });
          break;
        case 'enable':
          await enablePin(link, ref, keyValue(store, ref, `enable ${name}`), { force });
          break;
        case 'disable':
          await disablePin(link, ref, keyValue(store, ref, `disable ${name}`), { force });
          break;
      }
      const st = await pinStatus(link, ref);
      output(argv, { action: argv.action, ...st }, () => `${name}: ${argv.action} done (${st.verified ? 'verified' : `${st.retries} tries left`})`);
    });
  },
};
export default cmd;
