/**
 * The manifest of CLI commands: name, usage and one-line description of each command group, and
 * how to load its module (one module per group in this folder, a yargs CommandModule as default).
 * main.ts imports only the module of the command that runs, so `simdm --help` and a simple
 * command do not pay for pg, ws, zod, yaml and the rest. test/unit/cli/manifest.test.ts checks
 * that each entry says what its module says. Add an entry here to register a new command.
 */
import type { CommandModule } from 'yargs';
import { Parser } from 'yargs/helpers';
import type { GlobalArgs } from '../context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SimdmCommand = CommandModule<GlobalArgs, any>;

export interface CommandEntry {
  /** the yargs command string of the module, e.g. `ls [path]` */
  command: string;
  describe: string;
  load(): Promise<{ default: SimdmCommand }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  // foundation
  { command: 'readers', describe: 'list PC/SC readers and whether a card is present', load: () => import('./readers.js') },
  { command: 'atr', describe: 'read and decode the ATR of the card in the reader', load: () => import('./atr.js') },
  { command: 'apdu <apdus..>', describe: 'send raw APDUs (hex) and print each response with its status word', load: () => import('./apdu.js') },
  { command: 'vcard <command>', describe: 'the built-in virtual UICC', load: () => import('./vcard.js') },
  { command: 'wbxml <command>', describe: 'WBXML (OMA Client Provisioning, SyncML DM) to and from XML', load: () => import('./wbxml.js') },
  { command: 'tlv <command>', describe: 'decode and encode BER-TLV, COMPREHENSION-TLV, SIMPLE-TLV and LwM2M TLV', load: () => import('./tlv.js') },
  // authentication (AKA, GBA, OMA DM), bridge, agent, secure channels
  { command: 'aka <command>', describe: '3GPP AKA: vectors (MILENAGE, TUAK), AUTS resync, AUTHENTICATE a USIM', load: () => import('./aka.js') },
  { command: 'gba <command>', describe: 'GBA (TS 33.220): Ks_NAF derivation, B-TID', load: () => import('./gba.js') },
  { command: 'dm <command>', describe: 'OMA DM authentication: basic / md5 / HMAC credentials, package #0 digests', load: () => import('./dm.js') },
  { command: 'bridge <command>', describe: 'share card readers over the network (TLS, tokens or client certificates)', load: () => import('./bridge.js') },
  {
    command: 'agent <command>',
    describe: "device agent: card watch, bootstrap into the local DM tree, OMA DM 1.2 sessions with the card's servers",
    load: () => import('./agent.js'),
  },
  { command: 'dms <command>', describe: 'a small OMA DM 1.2 server (HTTPS, XML/WBXML) for tests and demos', load: () => import('./dms.js') },
  { command: 'gp <command>', describe: 'GlobalPlatform secure channel (SCP02/SCP03) and card management', load: () => import('./gp.js') },
  { command: 'ota <command>', describe: 'OTA secured packets (TS 102 225 / TS 31.115) with RFM scripts (TS 102 226)', load: () => import('./ota.js') },
  // card file system explorer
  { command: 'ls [path]', describe: 'list the files under a DF (names, FIDs, structure, size, SFI, access rules)', load: () => import('./ls.js') },
  { command: 'cat <path>', describe: 'read an EF: decoded by its codec (default when there is one) or raw hex', load: () => import('./cat.js') },
  {
    command: 'write <path>',
    describe: 'write an EF from hex or from JSON encoded by its codec (checked before anything is written)',
    load: () => import('./write.js'),
  },
  { command: 'select <path>', describe: 'select a file and show its FCP, decoded', load: () => import('./select.js') },
  {
    command: 'pin <action> [key]',
    describe: 'PIN/ADM status, verify, change, unblock, enable, disable (never blocks a card: refuses at 1 try left without --force)',
    load: () => import('./pin.js'),
  },
  { command: 'dump', describe: 'dump the whole readable file tree to JSON (raw + decoded; unreadable files with the reason)', load: () => import('./dump.js') },
  {
    command: 'restore <file>',
    describe: 'write a dump back: only files that differ; refuses (with reasons) what it cannot write',
    load: () => import('./restore.js'),
  },
  { command: 'perso', describe: 'bulk personalisation: key stores, parallel runs on many readers, journal, resume, reports', load: () => import('./perso.js') },
  // bootstrap on the card
  {
    command: 'profile <command>',
    describe: 'card profiles: validate, compile to an APDU script, write to / read from / diff against a card, roll back',
    load: () => import('./profile.js'),
  },
  { command: 'bootstrap <command>', describe: 'the bootstrap data on the card (PKCS#15: OMA ProvSC, OMA DM, LwM2M)', load: () => import('./bootstrap.js') },
  { command: 'script <command>', describe: 'APDU scripts (scriptor syntax plus expectations, variables, blocks)', load: () => import('./script.js') },
];

/** the word that names the command: `ls` for `ls [path]` */
export function commandName(e: Pick<CommandEntry, 'command'>): string {
  return e.command.split(' ')[0]!;
}

/** Loads every command module (tests and tools that need them all; the CLI loads one). */
export async function loadCommands(): Promise<SimdmCommand[]> {
  return Promise.all(COMMANDS.map(async (e) => (await e.load()).default));
}

/** the global options (main.ts) that take a value, and the flags (so a word after them is the command) */
const VALUE_OPTIONS = ['reader', 'keys', 'token-file', 'bridge-ca', 'bridge-cert', 'bridge-key'];
const FLAGS = ['json', 'trace', 'help', 'version'];
const COMPLETION_FLAG = '--get-yargs-completions';

/** The command word of `args` (`ls` in `-r sim: ls -R`), also when the shell asks for completions. */
export function requestedCommand(args: readonly string[]): string | undefined {
  // completion: `simdm --get-yargs-completions simdm WORD...` (yargs' completion script)
  const words = args[0] === COMPLETION_FLAG ? args.slice(2) : [...args];
  const first = Parser(words, { string: VALUE_OPTIONS, boolean: FLAGS, alias: { reader: ['r'] }, configuration: { 'unknown-options-as-args': false } })._[0];
  return first === undefined ? undefined : String(first);
}
