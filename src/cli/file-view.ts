/**
 * How the card explorer commands (ls, select) show a file: one text line of `ls`, and a plain
 * JSON view of a FileInfo. Presentation only: the facts come from card/fs.ts.
 */
import type { FileInfo } from '../card/fs.js';
import { hexNum, toHex } from '../util/hex.js';

/** One line of `ls`: name, FID, structure, size, SFI, access. */
export function fileLine(f: FileInfo, indent = 0): string {
  const name = f.path.split('/').pop()!;
  const parts = [`${' '.repeat(indent * 2)}${name}`.padEnd(28), hexNum(f.fid, 4), f.type.padEnd(3)];
  if (f.type === 'EF') {
    parts.push((f.structure ?? '?').padEnd(12));
    if (f.recordCount !== undefined) parts.push(`${f.recordCount}x${f.recordLength}`.padEnd(7));
    else parts.push(`${f.size ?? '?'}`.padEnd(7));
    parts.push(f.sfi ? `sfi ${hexNum(f.sfi)}` : '      ');
  } else if (f.aid) parts.push(toHex(f.aid));
  if (f.access) {
    const a = f.access;
    const acc = f.type === 'EF' ? [`read ${a.read ?? '?'}`, `update ${a.update ?? '?'}`] : Object.entries(a).map(([k, v]) => `${k} ${v}`);
    parts.push(acc.join(', '));
  } else if (f.arrRef) parts.push(`rules: EF.ARR ${hexNum(f.arrRef.fid, 4)} record ${f.arrRef.record}`);
  return parts.join('  ').trimEnd();
}

/** A plain JSON view of a FileInfo (bytes as hex, no catalogue object). */
export function fileJson(f: FileInfo): Record<string, unknown> {
  const { entry, fcpRaw, aid, ...rest } = f;
  return {
    ...rest,
    fid: hexNum(f.fid, 4),
    ...(aid ? { aid: toHex(aid) } : {}),
    fcpRaw: toHex(fcpRaw),
    ...(entry ? { description: entry.desc, spec: entry.spec, codec: entry.codec?.name } : {}),
  };
}
