/**
 * simdm ota: secured packets of ETSI TS 102 225 / 3GPP TS 31.115 carrying TS 102 226 RFM scripts.
 *   ota wrap <apdus..>    build a command packet (or its SMS-PP ENVELOPE with --envelope)
 *   ota unwrap <por>      check and decode a response packet (PoR)
 *   ota send <apdus..>    ENVELOPE (SMS-PP download) to the card in the reader, decode the PoR
 * KIc / KID keys only from SIMDM_KIC / SIMDM_KID (or --keys); SPI, key identifiers, TAR and
 * counter are options.
 */
import type { Argv, CommandModule } from 'yargs';
import { encodeCommand, decodeCommand, type CommandApdu } from '../../apdu/command.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { UsageError } from '../../errors.js';
import { OtaError } from '../../secure/ota/errors.js';
import type { OtaKeys } from '../../secure/ota/packet.js';
import { type ScriptFormat, unwrapPor, type UnwrappedPor, wrapScript } from '../../secure/ota/sender.js';
import { buildSmsPpEnvelopes } from '../../secure/ota/smspp.js';
import { decodeSpi, type Spi } from '../../secure/ota/spi.js';
import { fromHex, toHex, hexNum } from '../../util/hex.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';

interface PacketArgs extends GlobalArgs {
  spi: string;
  kic: string;
  kid: string;
  format: ScriptFormat;
  'cc-length': number;
}

function packetOptions<T>(y: Argv<T>): Argv<T & PacketArgs> {
  return y
    .option('spi', { type: 'string', demandOption: true, describe: 'SPI, 2 bytes hex (e.g. 1639: CC, ciphering, counter higher, PoR with CC and ciphering)' })
    .option('kic', { type: 'string', default: '00', describe: 'KIc byte, hex (e.g. 22: AES-CBC key set 2; 35: 3DES 2-key key set 3)' })
    .option('kid', { type: 'string', default: '00', describe: 'KID byte, hex (e.g. 22: AES-CMAC key set 2)' })
    .option('format', { choices: ['compact', 'expanded', 'expanded-indefinite'] as const, default: 'compact' as const, describe: 'TS 102 226 script format' })
    .option('cc-length', { type: 'number', choices: [4, 8], default: 8, describe: 'AES-CMAC checksum length' }) as unknown as Argv<T & PacketArgs>;
}

function byteOpt(v: string, name: string): number {
  const b = fromHex(v, name);
  if (b.length !== 1) throw new UsageError(`${name} must be one byte of hex`);
  return b[0]!;
}

function spiOpt(v: string): Spi {
  const b = fromHex(v, '--spi');
  if (b.length !== 2) throw new UsageError('--spi must be 2 bytes of hex');
  try {
    return decodeSpi(b);
  } catch (e) {
    throw new UsageError(`--spi: ${(e as Error).message}`);
  }
}

function keys(a: GlobalArgs, spi: Spi, forPor: boolean): OtaKeys {
  const s = secretsFor(a);
  const k: OtaKeys = {};
  const needKic = forPor ? spi.porCiphering : spi.ciphering;
  const needKid = (forPor ? spi.porIntegrity : spi.integrity) === 'cc';
  if (needKic || s.has('KIC')) k.kic = s.requireHex('KIC', [8, 16, 24, 32], 'ota');
  if (needKid || s.has('KID')) k.kid = s.requireHex('KID', [8, 16, 24, 32], 'ota');
  return k;
}

function parseApdus(list: string[]): CommandApdu[] {
  return list.map((h, i) => {
    try {
      return decodeCommand(fromHex(h, `APDU ${i + 1}`));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`APDU ${i + 1} (${h}): ${(e as Error).message}`);
    }
  });
}

interface WrapArgs extends PacketArgs {
  apdus: string[];
  tar: string;
  cntr: number;
  udh?: boolean;
  envelope?: boolean;
}

function wrapOptions<T>(y: Argv<T>): Argv<T & WrapArgs> {
  return packetOptions(y)
    .positional('apdus', { type: 'string', array: true, demandOption: true, describe: 'C-APDUs of the script, hex' })
    .option('tar', { type: 'string', default: 'B00000', describe: 'TAR, 3 bytes hex (B00000: RFM UICC)' })
    .option('cntr', { type: 'number', default: 0, describe: 'counter value (5 bytes)' }) as unknown as Argv<T & WrapArgs>;
}

function build(a: WrapArgs): { spi: Spi; kic: number; kid: number; packet: Uint8Array } {
  const spi = spiOpt(a.spi);
  const kic = byteOpt(a.kic, '--kic');
  const kid = byteOpt(a.kid, '--kid');
  const tar = fromHex(a.tar, '--tar');
  if (tar.length !== 3) throw new UsageError('--tar must be 3 bytes of hex');
  if (!Number.isInteger(a.cntr) || a.cntr < 0 || a.cntr > 0xffffffffff) throw new UsageError('--cntr must be 0..2^40-1');
  const packet = wrapScript({ spi, kic, kid, tar, counter: a.cntr, commands: parseApdus(a.apdus), format: a.format }, keys(a, spi, false), {
    aesCcLength: a['cc-length'] as 4 | 8,
    ...(a.udh ? { udh: true } : {}),
  });
  return { spi, kic, kid, packet };
}

function renderPor(p: UnwrappedPor): string {
  const lines = [`status ${hexNum(p.status, 2)} ${p.statusText}, counter ${p.counter}, TAR ${toHex(p.tar)}${p.verified ? ', CC verified' : ', no CC'}`];
  if (p.result) {
    lines.push(`${p.result.executed} command(s) executed`);
    for (const r of p.result.responses) lines.push(`  ${toHex(r.data)}${r.data.length ? ' ' : ''}${hexNum(r.sw, 4)}`);
  }
  return lines.join('\n');
}

function porJson(p: UnwrappedPor) {
  return {
    status: p.status,
    statusText: p.statusText,
    counter: p.counter,
    tar: toHex(p.tar),
    verified: p.verified,
    ...(p.result
      ? {
          executed: p.result.executed,
          responses: p.result.responses.map((r) => ({ data: toHex(r.data), sw: hexNum(r.sw, 4) })),
        }
      : {}),
  };
}

const wrap: CommandModule<GlobalArgs, WrapArgs> = {
  command: 'wrap <apdus..>',
  describe: 'build a secured command packet from C-APDUs',
  builder: (y) =>
    wrapOptions(y)
      .option('udh', { type: 'boolean', describe: 'prefix the SMS user data header 02 70 00' })
      .option('envelope', { type: 'boolean', describe: 'print the SMS-PP download ENVELOPE C-APDU(s) instead, one per short message' })
      .example(
        'SIMDM_KIC=... SIMDM_KID=... $0 ota wrap --spi 1639 --kic 22 --kid 22 --cntr 1 00A40004022FE2 00B000000A',
        'read EF.ICCID over RFM',
      ) as unknown as Argv<WrapArgs>,
  handler: (argv) => {
    const { packet } = build(argv);
    if (argv.envelope) {
      const envs = buildSmsPpEnvelopes(packet).map((e) => toHex(encodeCommand(e)));
      output(argv, { envelopes: envs }, (v: { envelopes: string[] }) => v.envelopes.join('\n'));
    } else output(argv, { packet: toHex(packet) }, (v: { packet: string }) => v.packet);
  },
};

interface UnwrapArgs extends PacketArgs {
  por: string;
}

const unwrap: CommandModule<GlobalArgs, UnwrapArgs> = {
  command: 'unwrap <por>',
  describe: 'check and decode a response packet (PoR), with or without the 02 71 00 header',
  builder: (y) => packetOptions(y).positional('por', { type: 'string', demandOption: true }) as unknown as Argv<UnwrapArgs>,
  handler: (argv) => {
    const spi = spiOpt(argv.spi);
    const p = unwrapPor(
      fromHex(argv.por, 'PoR'),
      { spi, kic: byteOpt(argv.kic, '--kic'), kid: byteOpt(argv.kid, '--kid'), format: argv.format },
      keys(argv, spi, true),
      {
        aesCcLength: argv['cc-length'] as 4 | 8,
      },
    );
    output(argv, porJson(p), () => renderPor(p));
  },
};

const send: CommandModule<GlobalArgs, WrapArgs> = {
  command: 'send <apdus..>',
  describe: 'send an RFM script to the card as SMS-PP download and decode the PoR',
  builder: (y) => wrapOptions(y) as Argv<WrapArgs>,
  handler: async (argv) => {
    const { spi, kic, kid, packet } = build(argv);
    await withCard(argv, async ({ link }) => {
      const envs = buildSmsPpEnvelopes(packet);
      let r: ResponseApdu = { data: new Uint8Array(0), sw: 0x9000 };
      for (const [i, env] of envs.entries()) {
        r = await link.transmit(env);
        if (r.sw !== 0x9000) throw new OtaError('por', `ENVELOPE ${i + 1}/${envs.length} answered ${hexNum(r.sw, 4)}`);
      }
      if (r.data.length === 0) {
        output(argv, { por: null }, () => 'no PoR (the SPI did not ask for one, or none on success)');
        return;
      }
      const p = unwrapPor(r.data, { spi, kic, kid, format: argv.format }, keys(argv, spi, true), { aesCcLength: argv['cc-length'] as 4 | 8 });
      output(argv, porJson(p), () => renderPor(p));
      // a refused packet or a failed script command is a failure for scripts calling simdm
      if (p.status !== 0) throw new OtaError('por', `the card refused the packet: ${p.statusText}`, p.status);
      const last = p.result?.responses[p.result.responses.length - 1];
      if (last && last.sw !== 0x9000 && last.sw >> 8 !== 0x61 && last.sw >> 8 !== 0x91) {
        throw new OtaError('por', `script stopped at command ${p.result!.executed} with ${hexNum(last.sw, 4)}`);
      }
    });
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'ota <command>',
  describe: 'OTA secured packets (TS 102 225 / TS 31.115) with RFM scripts (TS 102 226)',
  builder: (y) => y.command(wrap).command(unwrap).command(send).demandCommand(1) as Argv<GlobalArgs>,
  handler: () => undefined,
};
export default cmd;
