/**
 * The receiving entity (the UICC's RFM/RAM application) for secured command packets, ETSI TS 102 225
 * 5.1 and TS 102 226 5: find the application by TAR, fetch the keys by KIc/KID key index, decipher,
 * verify the CC, check the counter, run the APDU script, and answer with a response packet (PoR)
 * when the SPI asks for one. Security failures are answered with an unsecured PoR carrying the
 * status code (01 CC failed, 05 ciphering error, 06 unidentified security error, 09 TAR unknown);
 * counter errors (02/03/04) are answered with the security the SPI asks for. Synchronous, so the
 * virtual card can run it inside one command.
 */
import type { CommandApdu } from '../../apdu/command.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { toHex } from '../../util/hex.js';
import { checkCounter, type CounterStore, MemoryCounterStore } from './counter.js';
import { OtaError } from './errors.js';
import { buildResponsePacket, openCommandPacket, type OtaKeys, type OtaSecurityOptions, readCommandHeader } from './packet.js';
import {
  decodeCompactScript,
  decodeExpandedScript,
  encodeCompactResult,
  encodeExpandedResult,
  type ScriptResult,
} from './rfm.js';
import { decodeKic, decodeKid } from './spi.js';
import { PorStatus } from './status.js';

export interface OtaApplication {
  /** runs one C-APDU of the script */
  execute(cmd: CommandApdu): ResponseApdu;
  /** minimum security: refuse packets without CC (status 0A) unless false */
  requireCc?: boolean;
}

export interface ReceiverConfig {
  /** keys of key set `index` (the b8-b5 of KIc/KID) */
  keys(kicIndex: number, kidIndex: number): OtaKeys;
  /** the application addressed by a TAR (hex), or undefined */
  application(tar: string): OtaApplication | undefined;
  counters?: CounterStore;
  security?: OtaSecurityOptions;
}

export interface ReceiverOutcome {
  status: number;
  /** the PoR to return (with UDH 02 71 00), if the SPI asks for one */
  por?: Uint8Array;
  script?: ScriptResult;
  error?: OtaError;
}

function continues(sw: number): boolean {
  const s1 = sw >> 8;
  return sw === 0x9000 || s1 === 0x61 || s1 === 0x91;
}

export class OtaReceiver {
  readonly counters: CounterStore;
  constructor(private readonly cfg: ReceiverConfig) {
    this.counters = cfg.counters ?? new MemoryCounterStore();
  }

  /** Processes one command packet (CPL onwards, or with the 02 70 00 header). */
  process(packet: Uint8Array): ReceiverOutcome {
    const h = readCommandHeader(packet); // unreadable header: OtaError, no PoR possible
    const tarHex = toHex(h.tar);
    const base = { spi: h.spi, kic: h.kic, kid: h.kid, tar: h.tar };
    const fail = (e: OtaError, counter: number, secured: boolean): ReceiverOutcome => {
      const status = e.status ?? PorStatus.UNIDENTIFIED_SECURITY_ERROR;
      const out: ReceiverOutcome = { status, error: e };
      if (h.spi.por !== 'none') {
        out.por = secured
          ? buildResponsePacket({ ...base, counter, status, data: new Uint8Array(0) }, keys, this.cfg.security)
          : buildResponsePacket({ ...base, counter, status, data: new Uint8Array(0), unsecured: true }, {}, this.cfg.security);
      }
      return out;
    };
    let keys: OtaKeys = {};
    const app = this.cfg.application(tarHex);
    if (!app) return fail(new OtaError('format', `TAR ${tarHex} unknown`, PorStatus.TAR_UNKNOWN), 0, false);
    let opened;
    try {
      keys = this.cfg.keys(decodeKic(h.kic).keyIndex, decodeKid(h.kid).keyIndex);
      opened = openCommandPacket(packet, keys, this.cfg.security);
    } catch (e) {
      if (e instanceof OtaError) return fail(e, 0, false);
      throw e;
    }
    if (app.requireCc !== false && h.spi.integrity !== 'cc') {
      return fail(new OtaError('format', 'the application requires a cryptographic checksum', PorStatus.INSUFFICIENT_SECURITY_LEVEL), opened.counter, false);
    }
    try {
      checkCounter(this.counters, `${tarHex}/${h.kic >> 4}/${h.kid >> 4}`, h.spi.counter, opened.counter);
    } catch (e) {
      if (e instanceof OtaError) return fail(e, opened.counter, true);
      throw e;
    }
    const expanded = opened.data[0] === 0xaa || opened.data[0] === 0xae;
    let cmds: CommandApdu[];
    try {
      cmds = expanded ? decodeExpandedScript(opened.data) : decodeCompactScript(opened.data);
    } catch (e) {
      if (e instanceof OtaError) return fail(new OtaError('format', e.message, PorStatus.UNIDENTIFIED_SECURITY_ERROR), opened.counter, true);
      throw e;
    }
    const result: ScriptResult = { executed: 0, responses: [] };
    let failed = false;
    for (const c of cmds) {
      const r = app.execute(c);
      result.executed++;
      result.responses.push({ data: r.data, sw: r.sw });
      if (!continues(r.sw)) {
        failed = true;
        break;
      }
    }
    const out: ReceiverOutcome = { status: PorStatus.OK, script: result };
    if (h.spi.por === 'always' || (h.spi.por === 'on-error' && failed)) {
      const data = expanded ? encodeExpandedResult(result, { indefinite: opened.data[0] === 0xae }) : encodeCompactResult(result);
      out.por = buildResponsePacket({ ...base, counter: opened.counter, status: PorStatus.OK, data }, keys, this.cfg.security);
    }
    return out;
  }
}
