/**
 * The reader schemes the command line knows beside PC/SC, registered once before any command
 * runs (main.ts): `sim:` from the virtual card, `remote://` from the bridge. Both registrations
 * are cheap; each scheme loads its modules when a reader of it is opened.
 */
import { registerRemoteScheme } from '../bridge/remote-scheme.js';
import { registerSimScheme } from '../sim/scheme.js';

export function registerReaderSchemes(): void {
  registerSimScheme();
  registerRemoteScheme();
}
