/**
 * Reading with the fewest APDUs (OMA DM Bootstrap req. 6.3.2.7): SELECT AID, SELECT/READ EF.ODF,
 * SELECT/READ the DODF, SELECT/READ the file; EF.DIR only when the AID is not selectable.
 */
import { describe, expect, it } from 'vitest';
import { CardLink } from '../../../src/apdu/link.js';
import type { TraceEntry } from '../../../src/apdu/trace.js';
import { readBootstrap } from '../../../src/bootstrap/reader.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';

// ODF -> DODF 6430 -> oidDO 2.23.43.9.1 -> 6440 holding a 29-byte LwM2M file (LwM2M Core G.3.3)
const LWM2M = '0001' + '0019' + '0000' + '00' + '0014' + '080011' + 'C80008' + Buffer.from('coap://a').toString('hex') + 'C10100' + 'C10203';
const DODF = 'A125' + '3011' + '0C0F' + Buffer.from('LwM2M Bootstrap').toString('hex') + '3000' + 'A10E' + '300C' + '0604672B0901' + '3004' + '04026440';

function card(withDirEntry: boolean, selectableByAid = true) {
  const img = defaultImage();
  const ef = (fid: string, content: string, size: number) => ({
    fid,
    type: 'EF' as const,
    structure: 'transparent' as const,
    size,
    content,
    access: { read: 'ALW' as const, update: 'ADM1' as const },
  });
  img.mf.children!.push({
    fid: '5015',
    type: selectableByAid ? 'ADF' : 'DF',
    ...(selectableByAid ? { aid: 'A000000063504B43532D3135' } : {}),
    access: {},
    children: [ef('5031', 'A706300404026430', 32), ef('6430', DODF, 64), ef('6440', LWM2M, 40)],
  });
  if (withDirEntry)
    img.mf.children!.find((f) => f.fid === '2F00')!.records![1] = ('611A4F0CA000000063504B43532D3135' + '50045031354E' + '51043F005015').padEnd(76, 'F');
  return img;
}

async function read(img: ReturnType<typeof defaultImage>) {
  const t = new InProcessTransport(new VirtualUicc(img), 'test');
  await t.connect();
  const lines: string[] = [];
  const link = new CardLink(t, { trace: (e: TraceEntry) => lines.push(JSON.stringify(e)) });
  const st = await readBootstrap(link);
  return { st, lines };
}

describe('bootstrap reader', () => {
  it('selectable by AID: 4 SELECTs and the READs, nothing else', async () => {
    const { st } = await read(card(false));
    expect(st.issues).toEqual([]);
    expect(st.files[0]!.content!.fields['/0/0/0']).toBe('coap://a');
    // SELECT AID, SELECT ODF, READ (+ re-issue with the exact Le on this T=0 card), x3 files
    expect(st.apdus).toBeLessThanOrEqual(1 + 3 * 3);
  });

  it('not selectable by AID: found through its EF.DIR path', async () => {
    const { st } = await read(card(true, false));
    expect(st.via).toBe('dir');
    expect(st.files).toHaveLength(1);
  });

  it('no application: says so', async () => {
    const { st } = await read(defaultImage());
    expect(st.present).toBe(false);
    expect(st.issues[0]).toMatch(/PKCS#15 application A000000063504B43532D3135 not found \(SELECT by AID: 6A82; no EF\.DIR entry\)/);
  });
});
