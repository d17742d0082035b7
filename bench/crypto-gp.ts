/**
 * Throughput of SCP03 command wrapping: a 200-byte UPDATE BINARY protected with C-MAC and
 * C-DECRYPTION (AES-128, S8), the cost a personalisation line pays per APDU. Also reports the
 * card-side unwrap rate of the virtual ISD's verifier and the OTA AES packet build rate.
 * `npx tsx bench/crypto-gp.ts` prints the figures; benchGp() returns wrapped APDUs per second.
 */
import { pathToFileURL } from 'node:url';
import { encodeCommand, type CommandApdu } from '../src/apdu/command.js';
import { Scp03CardSession, Scp03Session } from '../src/secure/gp/scp03.js';
import { buildCommandPacket } from '../src/secure/ota/packet.js';
import { decodeSpi } from '../src/secure/ota/spi.js';
import { callsPerSecond } from './lib.js';

const KEY = new Uint8Array(16).fill(0x40);
const KEYS = { enc: KEY, mac: KEY, dek: KEY };
const UPDATE_BINARY: CommandApdu = {
  cla: 0x00,
  ins: 0xd6,
  p1: 0x00,
  p2: 0x00,
  data: Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff),
};

const rate = (f: () => unknown, ms: number): number => Math.round(callsPerSecond(f, ms, 500));

function openPair(level: number): { host: Scp03Session; card: Scp03CardSession } {
  const card = new Scp03CardSession(KEYS, { kvn: 0x30, i: 0x60 });
  const host = new Scp03Session(KEYS, { kvn: 0x30 });
  host.processInitializeUpdate(card.initializeUpdate(host.initializeUpdate().data!));
  card.externalAuthenticate(host.externalAuthenticate(level));
  return { host, card };
}

/** SCP03 (C-MAC + C-DECRYPTION) wrapped 200-byte UPDATE BINARY APDUs per second, host side. */
export async function benchGp(ms = 1000): Promise<number> {
  const { host } = openPair(0x03);
  return rate(() => encodeCommand(host.wrap(UPDATE_BINARY)), ms);
}

export interface GpBenchDetail {
  wrapPerSecond: number;
  wrapAndUnwrapPerSecond: number;
  otaAesPacketsPerSecond: number;
}

export async function benchGpDetail(ms = 1000): Promise<GpBenchDetail> {
  const wrapPerSecond = await benchGp(ms);
  const { host, card } = openPair(0x03);
  const wrapAndUnwrapPerSecond = rate(() => card.unwrapCommand(host.wrap(UPDATE_BINARY)), ms);
  const spi = decodeSpi(Uint8Array.of(0x16, 0x39));
  let counter = 0;
  const otaAesPacketsPerSecond = rate(
    () =>
      buildCommandPacket({ spi, kic: 0x22, kid: 0x22, tar: Uint8Array.of(0xb0, 0, 0), counter: ++counter, data: UPDATE_BINARY.data! }, { kic: KEY, kid: KEY }),
    ms,
  );
  return { wrapPerSecond, wrapAndUnwrapPerSecond, otaAesPacketsPerSecond };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const d = await benchGpDetail();
  process.stdout.write(
    `SCP03 C-MAC+C-DEC wrap, 200-byte UPDATE BINARY: ${d.wrapPerSecond.toLocaleString('en')} APDUs/s\n` +
      `  wrap + card-side unwrap:                      ${d.wrapAndUnwrapPerSecond.toLocaleString('en')} APDUs/s\n` +
      `OTA AES-CBC + AES-CMAC command packet (200 B):  ${d.otaAesPacketsPerSecond.toLocaleString('en')} packets/s\n`,
  );
}
