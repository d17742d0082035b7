/**
 * The secured sections of an APDU script (parse.ts):
 *  - `#@ gp [scp=02|03] [level=cmac|...] [kvn=N] [aid=HEX]`: the APDUs up to `#@ end` go through a
 *    GlobalPlatform secure channel to the security domain (GP Card Spec 2.3 E.5 / Amd D 7.1:
 *    INITIALIZE UPDATE + EXTERNAL AUTHENTICATE, then C-MAC and, at higher levels, C-DEC on every
 *    command), with the static keys from SIMDM_ENC / SIMDM_MAC / SIMDM_DEK, or SIMDM_KEY for all three
 *    (the names `simdm gp` uses);
 *  - `#@ ota spi=HEX kic=HEX kid=HEX [tar=B00000] [cntr=N] [format=compact|expanded]`: the APDUs up
 *    to `#@ end` form one RFM script (TS 102 226 5.2) sent as one secured command packet
 *    (TS 102 225 5.1 / TS 31.115 4.2) in SMS-PP download ENVELOPEs (TS 31.111 7.1.1.2), keys from
 *    SIMDM_KIC / SIMDM_KID; each APDU's expectation is checked against its answer in the PoR.
 * Option values are literal or `${NAME}` from --vars: keys never stand in a script.
 */
import type { CommandApdu } from '../apdu/command.js';
import type { ApduSender } from '../apdu/link.js';
import { openSecureChannel, type GpKeySet } from '../secure/gp/channel.js';
import { parseLevel } from '../secure/gp/common.js';
import type { OtaKeys } from '../secure/ota/packet.js';
import { unwrapPor, wrapScript, type ScriptFormat } from '../secure/ota/sender.js';
import { buildSmsPpEnvelopes } from '../secure/ota/smspp.js';
import { decodeSpi } from '../secure/ota/spi.js';
import { fromHex, hexNum } from '../util/hex.js';
import type { SecretStore } from '../util/secrets.js';
import { ScriptError, type Section } from './parse.js';

/** One APDU's answer; `unseen`: executed, but the compact PoR carries only the last answer. */
export interface SectionAnswer {
  data: Uint8Array;
  sw: number;
  unseen?: boolean;
  /** why the card did not run it (the OTA script stopped before it) */
  notRun?: string;
}

interface SectionContext {
  secrets: SecretStore;
  vars?: Record<string, string>;
}

/** an option of the section, `${NAME}` resolved from --vars */
function opt(sec: Section, name: string, o: SectionContext): string | undefined {
  const v = sec.options[name];
  const m = v ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(v) : null;
  if (!m) return v;
  const given = o.vars?.[m[1]!];
  if (given === undefined) throw new ScriptError(`line ${sec.line}: ${name}=\${${m[1]}} needs --vars ${m[1]}=...`, sec.line);
  return given;
}

function hexOpt(sec: Section, name: string, o: SectionContext, length: number): Uint8Array | undefined {
  const v = opt(sec, name, o);
  if (v === undefined) return undefined;
  let b: Uint8Array;
  try {
    b = fromHex(v, name);
  } catch {
    throw new ScriptError(`line ${sec.line}: ${name}=${v} is not hex`, sec.line);
  }
  if (b.length !== length) throw new ScriptError(`line ${sec.line}: ${name}= takes ${length} byte(s) of hex`, sec.line);
  return b;
}

function intOpt(sec: Section, name: string, o: SectionContext, max: number): number | undefined {
  const v = opt(sec, name, o);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new ScriptError(`line ${sec.line}: ${name}=${v} must be an integer 0..${max}`, sec.line);
  return n;
}

const GP_KEY_LENGTHS = [16, 24, 32];

function gpKeys(s: SecretStore): GpKeySet {
  if (s.has('ENC') || s.has('MAC') || s.has('DEK')) {
    return {
      enc: s.requireHex('ENC', GP_KEY_LENGTHS, 'script'),
      mac: s.requireHex('MAC', GP_KEY_LENGTHS, 'script'),
      dek: s.requireHex('DEK', GP_KEY_LENGTHS, 'script'),
    };
  }
  const k = s.requireHex('KEY', GP_KEY_LENGTHS, 'script');
  return { enc: k, mac: k, dek: k };
}

/** Opens the GP secure channel of a `#@ gp` section; its transmit() wraps each command. */
export async function openSection(link: ApduSender, sec: Section, o: SectionContext): Promise<ApduSender> {
  const scp = opt(sec, 'scp', o);
  if (scp !== undefined && !['02', '03', '2', '3'].includes(scp)) throw new ScriptError(`line ${sec.line}: scp=${scp} (02 or 03)`, sec.line);
  const levelText = opt(sec, 'level', o) ?? 'cmac';
  const level = parseLevel(levelText);
  if (Number.isNaN(level))
    throw new ScriptError(`line ${sec.line}: level=${levelText} (cmac, cmac+cdec, cmac+cdec+rmac, cmac+cdec+rmac+renc or hex)`, sec.line);
  const kvn = intOpt(sec, 'kvn', o, 127);
  const aid = opt(sec, 'aid', o);
  return openSecureChannel(link, {
    keys: gpKeys(o.secrets),
    level,
    ...(scp ? { scp: Number(scp) as 2 | 3 } : {}),
    ...(kvn !== undefined ? { kvn } : {}),
    select: aid ? fromHex(aid, 'aid') : true,
  });
}

function otaKeys(s: SecretStore, need: { kic: boolean; kid: boolean }): OtaKeys {
  const k: OtaKeys = {};
  if (need.kic || s.has('KIC')) k.kic = s.requireHex('KIC', [8, 16, 24, 32], 'script');
  if (need.kid || s.has('KID')) k.kid = s.requireHex('KID', [8, 16, 24, 32], 'script');
  return k;
}

/** Sends the APDUs of a `#@ ota` section as one secured packet; one answer per APDU from the PoR. */
export async function sendOtaSection(link: ApduSender, sec: Section, cmds: CommandApdu[], o: SectionContext): Promise<SectionAnswer[]> {
  const spiBytes = hexOpt(sec, 'spi', o, 2)!;
  let spi;
  try {
    spi = decodeSpi(spiBytes);
  } catch (e) {
    throw new ScriptError(`line ${sec.line}: spi=: ${(e as Error).message}`, sec.line);
  }
  const kic = hexOpt(sec, 'kic', o, 1)![0]!;
  const kid = hexOpt(sec, 'kid', o, 1)![0]!;
  const tar = hexOpt(sec, 'tar', o, 3) ?? Uint8Array.of(0xb0, 0x00, 0x00);
  const counter = intOpt(sec, 'cntr', o, 0xffffffffff) ?? 0;
  const format = (opt(sec, 'format', o) ?? 'compact') as ScriptFormat;
  if (!['compact', 'expanded', 'expanded-indefinite'].includes(format))
    throw new ScriptError(`line ${sec.line}: format=${format} (compact, expanded)`, sec.line);
  const packet = wrapScript({ spi, kic, kid, tar, counter, commands: cmds, format }, otaKeys(o.secrets, { kic: spi.ciphering, kid: spi.integrity === 'cc' }));
  let last: { data: Uint8Array; sw: number } = { data: new Uint8Array(0), sw: 0x9000 };
  const envs = buildSmsPpEnvelopes(packet);
  for (const [i, env] of envs.entries()) {
    last = await link.transmit(env);
    if (last.sw !== 0x9000 && last.sw >> 8 !== 0x91)
      throw new ScriptError(`line ${sec.line}: ENVELOPE ${i + 1}/${envs.length} answered ${hexNum(last.sw, 4)}`, sec.line);
  }
  if (!last.data.length)
    throw new ScriptError(`line ${sec.line}: no PoR from the card (spi= must ask for a PoR so that the script can check the answers)`, sec.line);
  const por = unwrapPor(last.data, { spi, kic, kid, format }, otaKeys(o.secrets, { kic: spi.porCiphering, kid: spi.porIntegrity === 'cc' }));
  if (por.status !== 0) throw new ScriptError(`line ${sec.line}: the card refused the secured packet: ${por.statusText}`, sec.line);
  const responses = por.result?.responses ?? [];
  const executed = por.result?.executed ?? 0;
  return cmds.map((_, i) => {
    if (i >= executed) return { data: new Uint8Array(0), sw: 0, notRun: `not run: the OTA script stopped after ${executed} command(s)` };
    // expanded PoR: one answer per command; compact: only the last command's (TS 102 226 5.1.2)
    if (responses.length === cmds.length || responses.length === executed) return { data: responses[i]!.data, sw: responses[i]!.sw };
    if (i === executed - 1 && responses.length) return { data: responses[responses.length - 1]!.data, sw: responses[responses.length - 1]!.sw };
    return { data: new Uint8Array(0), sw: 0x9000, unseen: true };
  });
}
