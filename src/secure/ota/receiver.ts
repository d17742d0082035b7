/**
 * The receiving entity (the UICC's RFM/RAM application) for secured command packets, ETSI TS 102 225
 * 5.1 and TS 102 226 5: find the application by TAR, fetch the keys by KIc/KID key index, decipher,
 * verify the CC, check the application's minimum security level and the counter, run the APDU
 * script, and answer with a response packet (PoR) when the SPI asks for one. Synchronous, so the
 * virtual card can run it inside one command.
 *
 * How each outcome is answered (TS 102 225 5.2; docs/ota.md has the table): a PoR the card cannot
 * trust its keys for goes out unsecured, RHL 0A, no CC, not ciphered, counter 0: 09 TAR unknown,
 * 01 CC failed, 05 ciphering error, 06 unidentified security error (unknown key index, unsupported
 * algorithm, bad CHL). Once the CC verified, the PoR is secured as the SPI asks: 02/03/04 counter
 * errors, 0A insufficient security level, 06 for a script that does not decode, 00 with the
 * script's result. A 0A for a packet without CC goes out unsecured.
 */
import type { CommandApdu } from '../../apdu/command.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { toHex } from '../../util/hex.js';
import { checkCounter, type CounterStore, MemoryCounterStore } from './counter.js';
import { OtaError } from './errors.js';
import { buildResponsePacket, openCommandPacket, type OtaKeys, type OtaSecurityOptions, readCommandHeader } from './packet.js';
import { decodeCompactScript, decodeExpandedScript, encodeCompactResult, encodeExpandedResult, type ScriptResult } from './rfm.js';
import { decodeKic, decodeKid, decodeSpi, type Spi } from './spi.js';
import { PorStatus } from './status.js';

export type ScriptForm = 'compact' | 'expanded';

export interface OtaApplication {
  /** runs one C-APDU of the script (compact scripts are in the T=0 form, TS 102 226 5.1.1) */
  execute(cmd: CommandApdu, form: ScriptForm): ResponseApdu;
  /**
   * Minimum Security Level (TS 102 226 8.2.1.3.2.1): coded as the first SPI byte; a packet whose
   * integrity, ciphering or counter is weaker is refused with status 0A. Default 02: CC required.
   */
  msl?: number;
  /** script end (the application may release what it held for the script) */
  end?(): void;
}

const INTEGRITY_RANK = { none: 0, rc: 1, cc: 2, ds: 3 } as const;
const COUNTER_RANK = { none: 0, available: 1, higher: 2, 'one-higher': 3 } as const;

/** Whether a packet secured as `spi` meets the minimum security level `msl` (SPI1 coding). */
export function meetsMsl(spi: Spi, msl: number): boolean {
  const m = decodeSpi(Uint8Array.of(msl, 0));
  return (
    INTEGRITY_RANK[spi.integrity] >= INTEGRITY_RANK[m.integrity] && (spi.ciphering || !m.ciphering) && COUNTER_RANK[spi.counter] >= COUNTER_RANK[m.counter]
  );
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
        out.por = secured ? this.securedPor({ ...base, counter, status, data: new Uint8Array(0) }, keys) : undefined;
        // unsecured (RHL 0A): no CC, no ciphering, counter 0 when the counter could not be read
        out.por ??= buildResponsePacket({ ...base, counter: secured ? counter : 0, status, data: new Uint8Array(0), unsecured: true }, {}, this.cfg.security);
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
    if (!meetsMsl(h.spi, app.msl ?? 0x02)) {
      // secured when the CC verified (the keys are trusted), else unsecured
      return fail(
        new OtaError('format', "the packet is secured below the application's minimum security level", PorStatus.INSUFFICIENT_SECURITY_LEVEL),
        opened.counter,
        h.spi.integrity === 'cc',
      );
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
    const form = expanded ? 'expanded' : 'compact';
    for (const c of cmds) {
      const r = app.execute(c, form);
      result.executed++;
      result.responses.push({ data: r.data, sw: r.sw });
      if (!continues(r.sw)) {
        failed = true;
        break;
      }
    }
    app.end?.();
    const out: ReceiverOutcome = { status: PorStatus.OK, script: result };
    if (h.spi.por === 'always' || (h.spi.por === 'on-error' && failed)) {
      const data = expanded ? encodeExpandedResult(result, { indefinite: opened.data[0] === 0xae }) : encodeCompactResult(result);
      out.por = buildResponsePacket({ ...base, counter: opened.counter, status: PorStatus.OK, data }, keys, this.cfg.security);
    }
    return out;
  }

  /** A PoR secured as the SPI asks; undefined when a key it needs is missing (then it goes unsecured). */
  private securedPor(r: Parameters<typeof buildResponsePacket>[0], keys: OtaKeys): Uint8Array | undefined {
    try {
      return buildResponsePacket(r, keys, this.cfg.security);
    } catch (e) {
      if (e instanceof OtaError) return undefined;
      throw e;
    }
  }
}
