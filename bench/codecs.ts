/**
 * Codec benchmark for issue 3: one table with the TLV figures (bench/codecs-tlv.ts) and the WBXML
 * figures (bench/codecs-wbxml.ts, including libwbxml's tools timed in the same run).
 * Run: npx tsx bench/codecs.ts
 */
import { benchWbxml, type WbxmlBenchRow } from './codecs-wbxml.js';

interface Row {
  name: string;
  decodeMBps: number;
  encodeMBps: number;
  decodeMsPerDoc?: number;
  encodeMsPerDoc?: number;
  note?: string;
}

async function tlvRows(): Promise<Row[]> {
  try {
    const mod = (await import('./codecs-tlv.js')) as { benchTlv?: () => Promise<Row[]> };
    if (typeof mod.benchTlv !== 'function') return [{ name: 'TLV: bench/codecs-tlv.ts has no benchTlv()', decodeMBps: NaN, encodeMBps: NaN }];
    return (await mod.benchTlv()).map((r) => ({ ...r, name: `TLV ${r.name}` }));
  } catch (e) {
    return [{ name: `TLV: skipped (${(e as Error).message.split('\n')[0]})`, decodeMBps: NaN, encodeMBps: NaN }];
  }
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
}

const rows: Row[] = [...(await tlvRows()), ...((await benchWbxml()) as WbxmlBenchRow[])];
const head = ['codec', 'decode MB/s', 'encode MB/s', 'decode ms/doc', 'encode ms/doc', 'note'];
const body = rows.map((r) => [r.name, fmt(r.decodeMBps, 2), fmt(r.encodeMBps, 2), fmt(r.decodeMsPerDoc, 3), fmt(r.encodeMsPerDoc, 3), r.note ?? '']);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const line = (cells: string[]) =>
  cells
    .map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
    .join('  ')
    .trimEnd();
console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const b of body) console.log(line(b));
