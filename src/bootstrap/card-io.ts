/**
 * The few APDUs the bootstrap reader and writer need, through the lean mode of card/ (card/lean.ts):
 * SELECT without FCP (P2 = 0C, TS 102 221 11.1.1.2) and never of the file already selected, READ
 * BINARY of exactly the bytes expected or until the file ends (short answer, 6282 or 6B00),
 * CREATE/DELETE FILE (TS 102 222). Every function takes the caller's sender and goes through the
 * one LeanCard of it, so what the card has selected carries over from the read to the write.
 */
import type { ApduSender } from '../apdu/link.js';
import { LeanCard } from '../card/lean.js';

export { createFcp, type CreateSpec, fidBytes, found } from '../card/lean.js';

/** SELECT by AID, no answer data. Returns the SW (9000 / 6283 found). */
export async function selectAid(s: ApduSender, aid: Uint8Array): Promise<number> {
  return LeanCard.of(s).selectAid(aid);
}

/** SELECT by a PKCS#15 path (PKCS #15 v1.1 6.1.5), see LeanCard.selectPath. */
export async function selectPath(s: ApduSender, path: Uint8Array, fcp = false): Promise<{ sw: number; data: Uint8Array }> {
  return LeanCard.of(s).selectPath(path, fcp);
}

export async function selectFid(s: ApduSender, fid: number, fcp = false): Promise<{ sw: number; data: Uint8Array }> {
  return LeanCard.of(s).selectFid(fid, fcp);
}

/**
 * READ BINARY of the current EF from offset 0 until its end, or until `enough(bytesSoFar)` says
 * the data is complete (e.g. a length header was read, or FF padding began).
 */
export async function readToEnd(s: ApduSender, what: string, enough?: (b: Uint8Array) => boolean, max = 0x8000, secret = false): Promise<Uint8Array> {
  return LeanCard.of(s).readBinary(what, { ...(enough ? { enough } : {}), max, secret });
}

/** UPDATE BINARY of the current EF in chunks of at most 255 bytes (short APDUs). */
export async function updateAll(s: ApduSender, data: Uint8Array, what: string, offset = 0, secret = false): Promise<number> {
  return LeanCard.of(s).updateBinary(data, what, offset, secret);
}
