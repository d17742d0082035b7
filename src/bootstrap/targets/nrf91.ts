/**
 * nRF91 (nRF Connect SDK `lib/uicc_lwm2m` + `lwm2m_client_utils` bootstrap from SIM), modelled
 * from its public source (nrfconnect/sdk-nrf; behaviour only, no code taken):
 *
 *  - MANAGE CHANNEL open, then everything with CLA 01 (channel 1 hard-wired);
 *  - SELECT the PKCS#15 AID by name with FCP requested (never reads EF.DIR); every answer must
 *    end in 9000 and carry data (the modem fetches 61xx itself);
 *  - SELECT 7FFF + 5031 (path from the MF, P1 08), one READ BINARY Le=00: 256 bytes at most;
 *  - EF.ODF: walks the top-level TLVs and keeps the path of the LAST `A7` (dataObjects) entry;
 *  - SELECT 7FFF + the first two bytes of that path, one READ BINARY, and parses the whole
 *    buffer: every `A1` (oidDO) whose OID is 2.23.43.9.1 (or the mis-encoded `06 04 67 2B 09 01`)
 *    sets the bootstrap path, the last one wins; an element cut off by the 256-byte read fails
 *    the whole DODF (FF padding is tolerated);
 *  - the bootstrap EF the same way: one READ BINARY, so its content must fit 256 bytes; then
 *    <count><size><objects> with size + 4 <= what was read, each object id, version (00, or
 *    major > 0 then minor), 2-byte length, LwM2M TLV written into the client's objects.
 */
import type { CardLink, ApduSender } from '../../apdu/link.js';
import { swHex } from '../../apdu/sw.js';
import { decodeLwm2mObject } from '../../codec/tlv/lwm2m-model.js';
import { flattenLwm2m } from '../content/lwm2m.js';
import type { Lwm2mBootstrapObject } from '../content/lwm2m-file.js';
import { fromHex, toHex } from '../../util/hex.js';
import { KINDS, PKCS15_AID } from '../oids.js';
import { type DeviceTarget, refuse, runTarget, type TargetFile } from './types.js';

const OID_OK = ['672B0901', '0604672B0901'];
/** the decoder's path buffer: 16 hex characters with the NUL */
const PATH_MAX = 7;

interface Head {
  tag: number;
  len: number;
  at: number;
}

/** A buffer walked the device's way: 1-byte tags, lengths of up to 3 bytes, nothing past the end. */
class Walk {
  off = 0;
  error = false;
  last = { tag: 0, len: 0 };
  constructor(
    readonly b: Uint8Array,
    readonly end = b.length,
  ) {}
  next(): Head | undefined {
    if (this.error || this.off + 2 > this.end) return undefined;
    const tag = this.b[this.off++]!;
    let len = this.b[this.off++]!;
    this.last = { tag, len };
    if ((tag & 0x1f) === 0x1f) return this.fail();
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n > 3 || this.off + n > this.end) return this.fail();
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | this.b[this.off++]!;
    }
    if (this.off + len > this.end) return this.fail();
    const h = { tag, len, at: this.off };
    this.off += len;
    return h;
  }
  inner(h: Head): Walk {
    return new Walk(this.b.subarray(h.at, h.at + h.len));
  }
  private fail(): undefined {
    this.error = true;
    return undefined;
  }
  /** the device's verdict: an error is forgiven when it was FF padding */
  ok(): boolean {
    return !(this.error && this.last.tag !== 0xff && this.last.len !== 0xff);
  }
}

/** The OCTET STRING of a Path SEQUENCE's contents. */
function pathIn(w: Walk): string | undefined {
  let path: string | undefined;
  for (let h = w.next(); h; h = w.next()) {
    if (h.tag !== 0x04) continue;
    if (h.len > PATH_MAX) {
      w.error = true;
      return undefined;
    }
    path = toHex(w.b.subarray(h.at, h.at + h.len));
  }
  return path;
}

export function nrfOdfPath(odf: Uint8Array): string | undefined {
  const w = new Walk(odf);
  let path: string | undefined;
  for (let h = w.next(); h; h = w.next()) {
    if (h.tag !== 0xa7) continue;
    const inner = w.inner(h);
    for (let p = inner.next(); p; p = inner.next()) if (p.tag === 0x30) path = pathIn(inner.inner(p)) ?? path;
  }
  if (!w.ok()) refuse('EF.ODF does not parse (an element runs past the bytes read)');
  return path;
}

export function nrfDodfPath(dodf: Uint8Array): string | undefined {
  const w = new Walk(dodf);
  let path: string | undefined;
  let broken = false;
  for (let h = w.next(); h; h = w.next()) {
    if (h.tag !== 0xa1) continue;
    const obj = w.inner(h);
    for (let t = obj.next(); t; t = obj.next()) {
      if (t.tag !== 0xa1) continue;
      const ta = obj.inner(t);
      for (let s = ta.next(); s; s = ta.next()) {
        if (s.tag !== 0x30) continue;
        const o = ta.inner(s);
        let match = false;
        for (let e = o.next(); e; e = o.next()) {
          if (e.tag === 0x06) match = OID_OK.includes(toHex(o.b.subarray(e.at, e.at + e.len)));
          else if (e.tag === 0x30 && match) path = pathIn(o.inner(e)) ?? path;
        }
        broken ||= o.error;
      }
      broken ||= ta.error;
    }
    broken ||= obj.error;
  }
  if (broken || !w.ok())
    refuse(`the DODF does not parse as the device reads it (${dodf.length} bytes read; an element is cut off or malformed), so it is rejected whole`);
  return path;
}

/** lwm2m_ef_decode: objects from at most the bytes read. */
export function nrfBootstrapObjects(buf: Uint8Array): Lwm2mBootstrapObject[] {
  let n = buf.length;
  if (n > 4) n = Math.min(n, 4 + ((buf[2]! << 8) | buf[3]!));
  if (n < 4) refuse(`the bootstrap file gave ${n} bytes, its header needs 4`);
  const count = (buf[0]! << 8) | buf[1]!;
  const size = (buf[2]! << 8) | buf[3]!;
  if (n < size + 4) refuse(`the LwM2M bootstrap file announces ${size} + 4 bytes; nrf91 reads one ${buf.length}-byte block`);
  const out: Lwm2mBootstrapObject[] = [];
  let off = 4;
  for (let i = 0; i < count; i++) {
    if (n < off + 6) refuse(`object ${i + 1} of ${count}: its header runs past the ${n} bytes`);
    const objectId = (buf[off]! << 8) | buf[off + 1]!;
    off += 2;
    const major = buf[off++]!;
    const minor = major > 0 ? buf[off++]! : 0;
    const len = (buf[off]! << 8) | buf[off + 1]!;
    off += 2;
    if (n < off + len) refuse(`object ${objectId}: ${len} bytes run past the ${n} bytes`);
    try {
      out.push({ objectId, ...(major ? { version: { major, minor } } : {}), instances: decodeLwm2mObject(buf.subarray(off, off + len), objectId) });
    } catch (e) {
      refuse(`object ${objectId}: the client's TLV write fails (${(e as Error).message})`);
    }
    off += len;
  }
  return out;
}

/** csim_send: the answer must end in 9000 and carry data. */
async function csim(ch: ApduSender, cmd: Parameters<ApduSender['transmit']>[0], what: string): Promise<Uint8Array> {
  const r = await ch.transmit(cmd);
  if (r.sw !== 0x9000) refuse(`${what}: ${swHex(r.sw)} (the device needs 9000)`);
  if (r.data.length === 0) refuse(`${what}: no data in the answer`);
  return r.data;
}

async function readFile(ch: ApduSender, path: string, what: string): Promise<Uint8Array> {
  if (path.length < 4) refuse(`${what}: path ${path || '(empty)'} is shorter than one FID`);
  await csim(ch, { cla: 0, ins: 0xa4, p1: 0x08, p2: 0x04, data: fromHex('7FFF' + path.slice(0, 4)), le: 256 }, `SELECT 7FFF/${path.slice(0, 4)} (${what})`);
  return csim(ch, { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 256, secret: true }, `READ BINARY ${what}`);
}

async function sequence(link: CardLink): Promise<TargetFile> {
  const open = await link.transmit({ cla: 0, ins: 0x70, p1: 0, p2: 0, le: 1 });
  if (open.sw !== 0x9000 || open.data.length !== 1) refuse(`MANAGE CHANNEL open: ${swHex(open.sw)}`);
  const n = open.data[0]!;
  const ch = link.on(n);
  try {
    if (n !== 1) refuse(`the card opened channel ${n}; nrf91 always sends on channel 1`);
    await csim(ch, { cla: 0, ins: 0xa4, p1: 0x04, p2: 0x04, data: fromHex(PKCS15_AID), le: 256 }, 'SELECT PKCS#15 AID');
    const dodfPath = nrfOdfPath(await readFile(ch, '5031', 'EF.ODF')) ?? refuse('EF.ODF has no dataObjects (A7) entry with a path');
    const filePath =
      nrfDodfPath(await readFile(ch, dodfPath, `EF.DODF ${dodfPath}`)) ?? refuse(`the last DODF in EF.ODF (${dodfPath}) has no oidDO with OID 2.23.43.9.1`);
    const buf = await readFile(ch, filePath, `LwM2M bootstrap file ${filePath}`);
    const objects = nrfBootstrapObjects(buf);
    return { kind: 'lwm2m', oid: KINDS.lwm2m.oid, path: filePath, bytes: Math.min(buf.length, 4 + ((buf[2]! << 8) | buf[3]!)), fields: flattenLwm2m(objects) };
  } finally {
    await ch.transmit({ cla: 0, ins: 0x70, p1: 0x80, p2: n }).catch(() => undefined);
  }
}

export const nrf91: DeviceTarget = {
  name: 'nrf91',
  describe: 'nRF91 modem firmware, nRF Connect SDK uicc_lwm2m: LwM2M only, last DODF of EF.ODF, one 256-byte READ BINARY per file',
  kinds: ['lwm2m'],
  read: (link) =>
    runTarget('nrf91', link, async (l, r) => {
      r.files.push(await sequence(l));
    }),
};
