/**
 * simdm select PATH: SELECT a file and show what its FCP says (TS 102 221 11.1.1.3) and its
 * access rules: a short summary for an operator, the decoded FCP as JSON with --json.
 */
import type { Argv, CommandModule } from 'yargs';
import { fileJson } from '../file-view.js';
import { CardFs, type FileInfo } from '../../card/fs.js';
import { keyName } from '../../card/keys.js';
import { hexNum, toHex } from '../../util/hex.js';
import { type GlobalArgs, output } from '../context.js';
import { withCard } from '../session.js';

interface Args extends GlobalArgs {
  path: string;
}

const TYPE_NAMES: Record<string, string> = { MF: 'MF', DF: 'DF', ADF: 'ADF (application)', EF: 'EF' };

/** The FCP in a few lines an operator reads at a glance (the raw FCP last, for the record). */
export function selectSummary(f: FileInfo): string {
  const fcp = f.fcp;
  const head = `${f.path}  ${hexNum(f.fid, 4)}${f.entry ? `  ${f.entry.desc} (${f.entry.spec})` : ''}`;
  const type: string[] = [TYPE_NAMES[f.type] ?? f.type];
  if (f.type === 'EF') {
    if (f.structure) type.push(f.structure);
    if (f.recordCount !== undefined && f.recordLength !== undefined) type.push(`${f.recordCount} records of ${f.recordLength} bytes`);
    else if (f.size !== undefined) type.push(`${f.size} bytes`);
    if (f.sfi !== undefined) type.push(f.sfi === null ? 'no SFI' : `SFI ${hexNum(f.sfi, 2)}`);
  }
  if (fcp?.fileDescriptor.shareable) type.push('shareable');
  const rows: [string, string | undefined][] = [
    ['type', type.join(', ')],
    ['AID', f.aid ? toHex(f.aid) : undefined],
    ['life cycle', f.lcs],
    [
      'access',
      f.access
        ? Object.entries(f.access)
            .map(([op, who]) => `${op} ${who}`)
            .join(', ')
        : f.arrRef
          ? `EF.ARR ${hexNum(f.arrRef.fid, 4)} record ${f.arrRef.record}`
          : undefined,
    ],
    ['PINs', fcp?.pinStatus?.keys.map((k) => `${keyName(k.keyReference)} ${k.enabled ? 'enabled' : 'disabled'}`).join(', ')],
    [
      'memory',
      f.type !== 'EF' && (fcp?.proprietary?.availableMemory !== undefined || fcp?.totalFileSize !== undefined)
        ? [
            fcp?.proprietary?.availableMemory !== undefined ? `${fcp.proprietary.availableMemory} bytes free` : '',
            fcp?.totalFileSize !== undefined ? `${fcp.totalFileSize} bytes in this DF` : '',
          ]
            .filter(Boolean)
            .join(', ')
        : undefined,
    ],
    ['codec', f.entry?.codec ? `${f.entry.codec.name} (simdm cat ${f.path} decodes it)` : undefined],
    ['FCP', `${toHex(f.fcpRaw)}${fcp ? '' : '  (does not decode)'}  (decoded: --json)`],
  ];
  return [head, ...rows.filter(([, v]) => v).map(([k, v]) => `  ${k.padEnd(11)} ${v}`)].join('\n');
}

const cmd: CommandModule<GlobalArgs, Args> = {
  command: 'select <path>',
  describe: 'select a file and show its FCP, decoded',
  builder: (y: Argv<GlobalArgs>) =>
    y.positional('path', {
      type: 'string',
      demandOption: true,
      describe: "path or name: 'MF/ADF.USIM/EF.IMSI', EF.DIR, 2FE2, AID:A0000000871002",
    }) as Argv<Args>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const fs = new CardFs(link);
      const f = await fs.select(argv.path);
      if (f.arrRef) await fs.accessOf(f);
      output(argv, fileJson(f), () => selectSummary(f));
    });
  },
};
export default cmd;
