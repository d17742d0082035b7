/**
 * What a backup records of the card (bootstrap/backup.ts backupOfCard), the one builder the
 * writer's backup and the agent's write-back share.
 */
import { describe, expect, it } from 'vitest';
import { backupOfCard } from '../../../src/bootstrap/backup.js';
import type { CardState } from '../../../src/bootstrap/reader.js';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

describe('backupOfCard', () => {
  // EF.ODF with one DODF entry whose path ends in FID 4400 (PKCS#15 Path, ISO 7816-15): its last
  // object byte is 00. Trimming pad bytes (00/FF) would cut it; the reader's usedLength does not.
  const odf = bytes('A70630040402440000FFFFFF');
  const st: CardState = {
    present: true,
    odf: { bytes: odf, usedLength: 8, dodfPaths: [bytes('4400')] },
    dodfs: [{ fid: 0x4400, path: bytes('4400'), bytes: bytes('3000FFFF'), usedLength: 2, objects: [] }],
    files: [],
    issues: [],
    warnings: [],
  };

  it('records EF.ODF and each DODF up to the end of their objects, not up to the last non-pad byte', () => {
    const b = backupOfCard(st);
    expect(b.odf).toBe('A706300404024400');
    expect(b.dodfs).toEqual([{ fid: '4400', bytes: '3000' }]);
    expect(b.present).toBe(true);
    expect(b.files).toEqual([]);
  });
});
