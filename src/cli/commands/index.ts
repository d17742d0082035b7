/**
 * The registry of CLI commands: one module per command group in this folder, each exporting a
 * yargs CommandModule as default. Add a line here to register a new one.
 */
import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SimdmCommand = CommandModule<GlobalArgs, any>;

export async function loadCommands(): Promise<SimdmCommand[]> {
  const mods = await Promise.all([
    // foundation
    import('./readers.js'),
    import('./atr.js'),
    import('./apdu.js'),
    import('./vcard.js'),
    import('./wbxml.js'),
    import('./tlv.js'),
    // authentication (AKA, GBA, OMA DM)
    import('./aka.js'),
    import('./gba.js'),
    import('./dm.js'),
    import('./bridge.js'),
    import('./agent.js'),
    import('./dms.js'),
    import('./gp.js'),
    import('./ota.js'),
    // card file system explorer
    import('./ls.js'),
    import('./cat.js'),
    import('./write.js'),
    import('./select.js'),
    import('./pin.js'),
    import('./dump.js'),
    import('./restore.js'),
    import('./perso.js'),
    // bootstrap on the card
    import('./profile.js'),
    import('./bootstrap.js'),
    import('./script.js'),
  ]);
  return mods.map((m) => m.default as SimdmCommand);
}
