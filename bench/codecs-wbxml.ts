/**
 * WBXML benchmark: decode and encode throughput of a ~4 KB (WBXML) OMA Client Provisioning document,
 * and, in the same run on the same document, the time per call of libwbxml's xml2wbxml / wbxml2xml
 * (spawned processes, so mostly process start-up: the figure a shell pipeline would pay).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { callsPerSecond } from './lib.js';
import { decodeWbxml, encodeWbxml, parseXml, PROV10, serializeXml, wbxmlToXml, xmlToWbxml, type WbxmlElement } from '../src/codec/wbxml/index.js';

export interface WbxmlBenchRow {
  name: string;
  decodeMBps: number;
  encodeMBps: number;
  /** milliseconds per document, where that is the meaningful figure */
  decodeMsPerDoc?: number;
  encodeMsPerDoc?: number;
  note?: string;
}

const FIXTURE = join(import.meta.dirname, '../test/fixtures/wbxml/prov-dm-account.xml');

/** The fixture's DM account, repeated with distinct names until the WBXML reaches `target` bytes. */
export function benchDocument(target = 4096): { root: WbxmlElement; xml: string; wbxml: Uint8Array } {
  const base = parseXml(readFileSync(FIXTURE, 'utf8')).root;
  const root: WbxmlElement = { name: base.name, attrs: { ...base.attrs }, children: [] };
  let wbxml = encodeWbxml(root, { language: PROV10 });
  for (let i = 0; wbxml.length < target; i++) {
    const copy = JSON.parse(
      JSON.stringify(base.children).replaceAll('NAP_DM', `NAP_DM${i}`).replaceAll('PX_DM', `PX_DM${i}`).replaceAll('example.com', `example${i}.com`),
    ) as WbxmlElement['children'];
    root.children.push(...copy);
    wbxml = encodeWbxml(root, { language: PROV10 });
  }
  return { root, xml: serializeXml(root, { language: PROV10 }), wbxml };
}

/** seconds per call of `fn` */
const time = (fn: () => unknown, ms = 400): number => 1 / callsPerSecond(fn, ms);

function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function benchWbxml(opts: { spawnCalls?: number } = {}): Promise<WbxmlBenchRow[]> {
  const doc = benchDocument();
  const mb = doc.wbxml.length / 1e6;
  const rows: WbxmlBenchRow[] = [];

  const dec = time(() => decodeWbxml(doc.wbxml));
  const enc = time(() => encodeWbxml(doc.root, { language: PROV10 }));
  rows.push({
    name: `WBXML PROV tree (${doc.wbxml.length} B)`,
    decodeMBps: mb / dec,
    encodeMBps: mb / enc,
    decodeMsPerDoc: dec * 1e3,
    encodeMsPerDoc: enc * 1e3,
    note: 'bytes <-> element tree',
  });
  const dx = time(() => wbxmlToXml(doc.wbxml));
  const ex = time(() => xmlToWbxml(doc.xml));
  rows.push({
    name: `WBXML PROV via XML text (${doc.xml.length} chars)`,
    decodeMBps: mb / dx,
    encodeMBps: mb / ex,
    decodeMsPerDoc: dx * 1e3,
    encodeMsPerDoc: ex * 1e3,
    note: 'bytes <-> XML text, in process',
  });

  if (haveTool('xml2wbxml') && haveTool('wbxml2xml')) {
    const dir = mkdtempSync(join(tmpdir(), 'simdm-bench-wbxml-'));
    const xmlFile = join(dir, 'doc.xml');
    const wbFile = join(dir, 'doc.wbxml');
    writeFileSync(xmlFile, doc.xml);
    writeFileSync(wbFile, doc.wbxml);
    const n = opts.spawnCalls ?? 30;
    const spawn = (tool: string, args: string[]) => {
      execFileSync(tool, args, { stdio: 'ignore' });
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) execFileSync(tool, args, { stdio: 'ignore' });
      return Number(process.hrtime.bigint() - t0) / 1e9 / n;
    };
    const pe = spawn('xml2wbxml', ['-v', '1.3', '-o', join(dir, 'out.wbxml'), xmlFile]);
    const pd = spawn('wbxml2xml', ['-o', join(dir, 'out.xml'), wbFile]);
    rows.push({
      name: 'libwbxml xml2wbxml / wbxml2xml',
      decodeMBps: mb / pd,
      encodeMBps: mb / pe,
      decodeMsPerDoc: pd * 1e3,
      encodeMsPerDoc: pe * 1e3,
      note: `spawned process per call, ${n} calls each`,
    });
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchWbxml()) console.log(r);
}
