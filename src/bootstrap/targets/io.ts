/** APDU helpers shared by the target models: each model decides its own sequence. */
import type { ApduSender } from '../../apdu/link.js';
import { swHex } from '../../apdu/sw.js';
import { decodeContent } from '../content/index.js';
import { CodecError } from '../../codec/errors.js';
import { KINDS, type BootstrapKind } from '../oids.js';
import { refuse, type TargetFile } from './types.js';
import { tlvs, value } from './der.js';

export const ok = (sw: number): boolean => sw === 0x9000;

export interface Fcp {
  size?: number;
  /** file descriptor byte: 0x41 transparent EF, 0x38/0x78 DF */
  descriptor?: number;
}

/** The few FCP fields the models look at (TS 102 221 11.1.1.4: 82 descriptor, 80 size). */
export function fcpOf(b: Uint8Array): Fcp {
  try {
    const [t] = tlvs(b, 'FCP');
    if (!t || t.tag !== 0x62) return {};
    const out: Fcp = {};
    for (const e of tlvs(value(b, t), 'FCP')) {
      const v = value(value(b, t), e);
      if (e.tag === 0x80 && v.length >= 1) out.size = v.reduce((n, x) => n * 256 + x, 0);
      if (e.tag === 0x82 && v.length >= 1) out.descriptor = v[0]!;
    }
    return out;
  } catch {
    return {};
  }
}

/** SELECT with FCP; refuses with `what` unless 9000. */
export async function selectFcp(ch: ApduSender, p1: number, data: Uint8Array, what: string): Promise<Fcp> {
  const r = await ch.transmit({ cla: 0, ins: 0xa4, p1, p2: 0x04, data, le: 256 });
  if (!ok(r.sw)) refuse(`SELECT ${what}: ${swHex(r.sw)}`);
  return fcpOf(r.data);
}

/** READ BINARY of the selected EF: `size` bytes (from its FCP), in blocks of 256. */
export async function readBinary(ch: ApduSender, size: number | undefined, what: string): Promise<Uint8Array> {
  const out: number[] = [];
  for (let off = 0; size === undefined || off < size;) {
    const le = size === undefined ? 256 : Math.min(256, size - off);
    const r = await ch.transmit({ cla: 0, ins: 0xb0, p1: (off >> 8) & 0x7f, p2: off & 0xff, le, secret: true });
    if (r.sw === 0x6b00 && off > 0) break;
    if (!ok(r.sw) && r.sw !== 0x6282) refuse(`READ BINARY ${what} at ${off}: ${swHex(r.sw)}`);
    out.push(...r.data);
    off += r.data.length;
    if (r.data.length < le || r.sw === 0x6282 || r.data.length === 0) break;
  }
  return Uint8Array.from(out);
}

/** The file's content as fields, or a refusal naming the file. */
export function loaded(kind: BootstrapKind, path: string, bytes: Uint8Array): TargetFile {
  try {
    const c = decodeContent(KINDS[kind].format, bytes, `${KINDS[kind].label} (${path})`);
    return { kind, oid: KINDS[kind].oid, path, bytes: c.length, fields: c.fields };
  } catch (e) {
    if (e instanceof CodecError) refuse(`${KINDS[kind].label} (${path}): ${e.message}`);
    throw e;
  }
}
