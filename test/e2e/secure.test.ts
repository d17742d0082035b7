/**
 * Issue 6 end to end through real pcscd + vpcd (port 35973): AKA against the card's USIM
 * AUTHENTICATE, a GlobalPlatform SCP03 session with the card's ISD, and an OTA secured packet
 * (TS 102 225) carrying RFM commands (TS 102 226) that update a file. The algorithms themselves are
 * checked on published vectors in test/unit/secure; here the point is the whole path over PC/SC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardLink } from '../../src/apdu/link.js';
import { decodeCommand } from '../../src/apdu/command.js';
import { memorySink } from '../../src/apdu/trace.js';
import { authenticate } from '../../src/secure/aka/device.js';
import { generateVector, verifyAuts } from '../../src/secure/aka/auc.js';
import { Milenage } from '../../src/secure/aka/milenage.js';
import { listStatus, openSecureChannel } from '../../src/secure/gp/channel.js';
import { unwrapPor, wrapScript } from '../../src/secure/ota/sender.js';
import { buildSmsPpEnvelope } from '../../src/secure/ota/smspp.js';
import { decodeSpi } from '../../src/secure/ota/spi.js';
import { provisionOta } from '../../src/sim/applets/ota.js';
import { provisionUsimAuth } from '../../src/sim/applets/usim-auth.js';
import { defaultImage, pinHex, USIM_AID } from '../../src/sim/default-image.js';
import { VirtualUicc } from '../../src/sim/uicc.js';
import type { PcscTransport } from '../../src/transport/pcsc.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { CardHostClient, E2E, PcscContext, readerFor } from '../helpers/vcards.js';

const PORT = 35973;
// TS 35.208 test set 1 (K, OPc)
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const GP_KEY = fromHex('404142434445464748494A4B4C4D4E4F');
const OTA_KEYS = { kic: fromHex('200102030405060708090a0b0c0d0e0f'), kid: fromHex('201102030405060708090a0b0c0d0e0f') };

describe.skipIf(!E2E)('secure messaging over pcscd + vpcd', () => {
  let host: CardHostClient;
  let ctx: PcscContext;
  let t: PcscTransport;
  beforeAll(async () => {
    const card = new VirtualUicc(defaultImage());
    provisionUsimAuth(card, { alg: 'milenage', k: K, opc: OPC });
    provisionOta(card, { keySets: [{ index: 2, kic: toHex(OTA_KEYS.kic), kid: toHex(OTA_KEYS.kid) }] });
    host = await CardHostClient.start();
    await host.plug(PORT, card.toImage());
    ctx = new PcscContext();
    t = await readerFor(ctx, PORT);
  });
  afterAll(async () => {
    await t?.close();
    ctx?.close();
    await host?.stop();
  });

  it('AKA: RES/CK/IK from the card equal the AuC vector; a replay gets AUTS that resynchronises; a wrong K gets 9862', async () => {
    await t.connect();
    const trace = memorySink();
    const link = new CardLink(t, { trace });
    await link.send({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x04, data: fromHex(USIM_AID), le: 256 });
    // AUTHENTICATE needs PIN1 (TS 31.102 7.1.2): without it the card says 6982
    expect((await link.transmit({ cla: 0, ins: 0x88, p1: 0, p2: 0x81, data: new Uint8Array(34).fill(0x10), le: 256 })).sw).toBe(0x6982);
    await link.send({ cla: 0, ins: 0x20, p1: 0, p2: 0x01, data: fromHex(pinHex('1234')) }, 'VERIFY PIN1');
    const alg = new Milenage(fromHex(K), fromHex(OPC));
    const v = generateVector(alg, { sqn: 32 * 7 + 1, amf: fromHex('8000') });
    const r = await authenticate(link, v.rand, v.autn);
    expect(r.kind).toBe('success');
    if (r.kind !== 'success') return;
    expect(toHex(r.res)).toBe(toHex(v.xres));
    expect(toHex(r.ck)).toBe(toHex(v.ck));
    expect(toHex(r.ik)).toBe(toHex(v.ik));
    // CK and IK came back through 61xx + GET RESPONSE over pcscd, and never reach the trace
    const traced = trace.entries.map((e) => e.text).join('\n');
    expect(traced).not.toContain(toHex(r.ck));
    expect(traced).not.toContain(toHex(r.ik));
    const replay = await authenticate(link, v.rand, v.autn);
    expect(replay.kind).toBe('sync-failure');
    if (replay.kind === 'sync-failure') expect(verifyAuts(alg, v.rand, replay.auts).sqnMsValue).toBe(32 * 7 + 1);
    const wrong = generateVector(new Milenage(new Uint8Array(16).fill(1), fromHex(OPC)), { sqn: 500, amf: fromHex('8000') });
    expect(await authenticate(link, wrong.rand, wrong.autn)).toEqual({ kind: 'mac-failure' });
    await t.disconnect();
  });

  it('SCP03: a C-MAC + C-DEC + R-MAC + R-ENC session with the ISD; wrong keys are refused with a typed error', async () => {
    await t.connect();
    const link = new CardLink(t);
    const keys = { enc: GP_KEY, mac: GP_KEY, dek: GP_KEY };
    const ch = await openSecureChannel(link, { keys, level: 0x33, kvn: 0x30, select: true });
    expect(ch.info.scp).toBe(3);
    const isd = await listStatus(ch, 'isd');
    expect(toHex(isd[0]!.aid)).toBe('A000000151000000');
    await expect(openSecureChannel(link, { keys: { ...keys, mac: new Uint8Array(16) }, level: 1, kvn: 0x30, select: true })).rejects.toMatchObject({
      code: 'scp.cryptogram',
    });
    await t.disconnect();
  });

  it('OTA: an SMS-PP secured packet with RFM commands updates EF.SPN; the PoR verifies; a replayed counter is refused', async () => {
    await t.connect();
    const link = new CardLink(t);
    const spi = decodeSpi(fromHex('1639')); // CC + ciphering, counter higher, PoR with CC + ciphering
    const send = async (counter: number, cmds: string[]) => {
      const pkt = wrapScript(
        { spi, kic: 0x22, kid: 0x22, tar: fromHex('B00000'), counter, commands: cmds.map((c) => decodeCommand(fromHex(c))), format: 'compact' },
        OTA_KEYS,
      );
      const r = await link.transmit(buildSmsPpEnvelope(pkt));
      expect(r.sw).toBe(0x9000);
      return unwrapPor(r.data, { spi, kic: 0x22, kid: 0x22, format: 'compact' }, OTA_KEYS);
    };
    const por = await send(1, ['00a40004027ff0', '00a40004026f46', '00d60000050153494d4f']);
    expect(por.status).toBe(0);
    expect(por.verified).toBe(true);
    await link.send({ cla: 0, ins: 0xa4, p1: 0x08, p2: 0x0c, data: fromHex('7FF06F46') });
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 5 }))).toBe('0153494D4F');
    const replay = await send(1, ['00a40004027ff0', '00a40004026f46', '00d6000005015a5a5a5a']);
    expect(replay.statusText).toBe('CNTR low');
    expect(toHex(await link.send({ cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 5 }))).toBe('0153494D4F');
    await t.disconnect();
  });
});
