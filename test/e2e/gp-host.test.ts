/**
 * Issue 17 end to end through a real pcscd + vpcd (slot 35975), the default virtual card behind it:
 * - a GP host selects A000000003000000 with P2=04 (FCP naming that AID), opens SCP03 at level 33
 *   and reads the key information inside the channel; outside the channel only what GP allows;
 * - `simdm gp list --scp 02` without --kvn on the default card (the CLI, from the sources);
 * - an OTA packet to a USIM RFM TAR runs its script in ADF.USIM with the default image's documented
 *   test key set.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeCommand } from '../../src/apdu/command.js';
import { CardLink } from '../../src/apdu/link.js';
import { listStatus, openSecureChannel } from '../../src/secure/gp/channel.js';
import { getData, parseKeyInformation, selectAid } from '../../src/secure/gp/commands.js';
import { getStatus } from '../../src/secure/gp/registry.js';
import { unwrapPor, wrapScript } from '../../src/secure/ota/sender.js';
import { buildSmsPpEnvelope } from '../../src/secure/ota/smspp.js';
import { decodeSpi } from '../../src/secure/ota/spi.js';
import { OTA_TEST_KEYS } from '../../src/sim/applets/ota.js';
import { fromHex, toHex } from '../../src/util/hex.js';
import { simdmArgv } from '../helpers/cli.js';
import { E2E, readerFor, useCardRig, vpcdReaderName } from '../helpers/vcards.js';

const PORT = 35975;
const GP_KEY = fromHex('404142434445464748494A4B4C4D4E4F');
const run = promisify(execFile);

describe.skipIf(!E2E)('GP host and OTA over pcscd + vpcd', () => {
  const rig = useCardRig([PORT]);

  it('select A000000003000000 with P2=04, SCP03 level 33: FCP, key information inside; outside only what GP allows', async () => {
    await rig.fresh(PORT);
    const t = await readerFor(rig.ctx, PORT);
    await t.connect();
    try {
      const link = new CardLink(t);
      const fcp = await link.transmit(selectAid(fromHex('A000000003000000'), 0x04));
      expect(fcp.sw).toBe(0x9000);
      expect(toHex(fcp.data).slice(0, 2)).toBe('62');
      expect(toHex(fcp.data)).toContain('8408A000000003000000');
      // outside a secure channel: card data and key information yes, GET STATUS no
      expect((await link.transmit(getData(0x66))).sw).toBe(0x9000);
      expect((await link.transmit(getData(0xe0))).sw).toBe(0x9000);
      expect((await link.transmit(getStatus('isd'))).sw).toBe(0x6982);
      expect((await link.transmit(getData(0x2f00))).sw).toBe(0x6982);
      const ch = await openSecureChannel(link, { keys: { enc: GP_KEY, mac: GP_KEY, dek: GP_KEY }, level: 0x33, select: fromHex('A000000003000000') });
      expect(ch.info).toMatchObject({ scp: 3, kvn: 0x30, aid: 'A000000003000000', level: 'C-MAC+C-DECRYPTION+R-MAC+R-ENCRYPTION' });
      const ki = parseKeyInformation(await ch.send(getData(0xe0)));
      expect(ki.map((k) => k.version)).toContain(0x30);
      expect(toHex(await ch.send(getData(0xd3)))).toBe('D301B3');
      const isd = await listStatus(ch, 'isd');
      expect(toHex(isd[0]!.aid)).toBe('A000000003000000');
    } finally {
      await t.disconnect();
    }
  });

  it('simdm gp list --scp 02 without --kvn on the default card', async () => {
    const r = await run(process.execPath, simdmArgv(['gp', 'list', '--reader', vpcdReaderName(PORT), '--scp', '02', '--scope', 'isd', '--json']), {
      env: { ...process.env, SIMDM_KEY: toHex(GP_KEY) },
      timeout: 60_000,
    });
    const v = JSON.parse(r.stdout) as { channel: { scp: number; kvn: number }; entries: { aid: string }[] };
    expect(v.channel).toMatchObject({ scp: 2, kvn: 0x20 });
    expect(v.entries[0]!.aid).toBe('A000000151000000');
  });

  it('OTA to the USIM RFM TAR B00010 with the default test keys: the script starts in ADF.USIM', async () => {
    const t = await readerFor(rig.ctx, PORT);
    await t.connect();
    try {
      const link = new CardLink(t);
      const keys = { kic: fromHex(OTA_TEST_KEYS[1]!.kic!), kid: fromHex(OTA_TEST_KEYS[1]!.kid!) };
      const spi = decodeSpi(fromHex('1639'));
      // READ BINARY by SFI 07 (EF.IMSI): only reachable when the current DF is ADF.USIM
      const pkt = wrapScript({ spi, kic: 0x22, kid: 0x22, tar: fromHex('B00010'), counter: 1, commands: [decodeCommand(fromHex('00b0870009'))] }, keys);
      const r = await link.transmit(buildSmsPpEnvelope(pkt));
      expect(r.sw).toBe(0x9000);
      const por = unwrapPor(r.data, { spi, kic: 0x22, kid: 0x22 }, keys);
      expect(por).toMatchObject({ status: 0, verified: true });
      expect(toHex(por.result!.responses[0]!.data)).toBe('080910101032547698');
    } finally {
      await t.disconnect();
    }
  });
});
