/**
 * Device side of the DMS's optional AKA/GBA authentication (src/dms/gba.ts): Ub bootstrap with
 * the card's AUTHENTICATE (TS 31.102 7.1.2; the keys never leave the card, CK/IK come back to
 * the ME as in GBA_ME), Ks_NAF derivation (TS 33.220 Annex B), then one DM request MACed with
 * Ks_NAF; the server must prove Ks_NAF over the client's fresh challenge.
 */
import { request } from 'node:https';
import type { ApduSender } from '../apdu/link.js';
import { authenticate } from '../secure/aka/device.js';
import { ks, ksExtNaf, nafId } from '../secure/gba/gba.js';
import { GBA_UA } from '../secure/gba/ua.js';
import { USIM_AID } from '../sim/default-image.js';
import { fromHex } from '../util/hex.js';
import { AgentError } from './errors.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function post(url: URL, body: string, headers: Record<string, string>, ca: string | Buffer | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      const c: Buffer[] = [];
      res.on('data', (d: Buffer) => c.push(d));
      res.on('end', () => {
        let b: unknown = {};
        try {
          b = JSON.parse(Buffer.concat(c).toString('utf8'));
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body: typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {} });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => reject(new AgentError('agent.dm', `DM server ${url.host} unreachable: ${e.message}`)));
    req.end(body);
  });
}

const s = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface GbaSessionParams {
  dmUrl: URL;
  impi: string;
  ca?: string | Buffer;
}

/** Ub bootstrap through the card (TS 33.220 4.5.2); returns the B-TID and Ks_NAF for the DM URL's host. */
export async function gbaBootstrap(card: ApduSender, p: GbaSessionParams): Promise<{ btid: string; ksNaf: Uint8Array }> {
  const bsf = new URL('/gba/bootstrap', p.dmUrl);
  const ch = await post(bsf, JSON.stringify({ impi: p.impi }), {}, p.ca);
  if (ch.status !== 401 || !s(ch.body.rand) || !s(ch.body.autn))
    throw new AgentError('agent.dm', `GBA bootstrap: no challenge (${s(ch.body.code) || ch.status})`);
  const rand = new Uint8Array(Buffer.from(s(ch.body.rand), 'base64'));
  const autn = new Uint8Array(Buffer.from(s(ch.body.autn), 'base64'));
  await card.send({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: fromHex(USIM_AID) }, 'SELECT ADF.USIM');
  const r = await authenticate(card, rand, autn);
  if (r.kind !== 'success') throw new AgentError('agent.dm', `GBA bootstrap: the card refused the network (${r.kind})`);
  const ans = await post(bsf, JSON.stringify({ impi: p.impi, rand: s(ch.body.rand), res: Buffer.from(r.res).toString('base64') }), {}, p.ca);
  const btid = s(ans.body.btid);
  if (ans.status !== 200 || !btid) throw new AgentError('agent.dm', `GBA bootstrap refused (${s(ans.body.code) || ans.status})`);
  return { btid, ksNaf: ksExtNaf(ks(r.ck, r.ik), rand, p.impi, nafId(p.dmUrl.hostname, GBA_UA)) };
}
