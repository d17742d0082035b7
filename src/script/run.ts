/**
 * Running an APDU script (parse.ts) on a card. Commands go out as written, without automatic
 * GET RESPONSE (as scriptor does), so `#> SW=61xx` expectations mean what they say. A VERIFY
 * whose data is a PIN/ADM variable is not sent raw: it goes through card/pin.ts verifyPin (retry
 * counter first, refusal at one try left unless --force). Secret bytes never reach the output:
 * commands carrying a variable other than ICCID/IMSI print their data as `**`.
 */
import { decodeCommand, type CommandApdu } from '../apdu/command.js';
import { decodeResponse } from '../apdu/response.js';
import { changePin, disablePin, enablePin, encodePinValue, unblockPin, verifyPin } from '../card/pin.js';
import { insName, SECRET_COMMAND_INS, SECRET_RESPONSE_INS } from '../apdu/ins.js';
import type { Transport } from '../transport/types.js';
import { fromHex, hexNum, toHex } from '../util/hex.js';
import type { SecretStore } from '../util/secrets.js';
import { maskMatches, ScriptError, type Expect, type Script, type Section, type Step, type VarRef } from './parse.js';
import { CardLink, type ApduSender } from '../apdu/link.js';
import { openSection, sendOtaSection, type SectionAnswer } from './sections.js';

export interface RunOptions {
  secrets: SecretStore;
  /** non-secret variables (--vars) */
  vars?: Record<string, string>;
  /** only these blocks (steps outside blocks always run) */
  blocks?: string[];
  dryRun?: boolean;
  force?: boolean;
  /** one line per command/response */
  log?: (line: string) => void;
  /** stop at the first unmet expectation (default true) */
  stopOnMismatch?: boolean;
}

export interface StepResult {
  line: number;
  command: string;
  sw?: string;
  data?: string;
  ok: boolean;
  message?: string;
}

export interface RunReport {
  steps: StepResult[];
  sent: number;
  failed: number;
  dryRun: boolean;
}

/** Card variables (ICCID, IMSI) are read once, lazily, by the caller-supplied reader. */
export type CardVarReader = (name: 'ICCID' | 'IMSI') => Promise<Uint8Array>;

async function bytesOf(v: VarRef, o: RunOptions, card: CardVarReader | undefined, line: number): Promise<Uint8Array> {
  if (v.kind === 'card') {
    const given = o.vars?.[v.name];
    if (given !== undefined) return fromHex(given.length % 2 ? given + 'F' : given, v.name);
    if (!card) throw new ScriptError(`line ${line}: \${${v.name}} needs the card (not available in a dry run without --vars ${v.name}=...)`, line);
    return card(v.name as 'ICCID' | 'IMSI');
  }
  const value = o.vars?.[v.name] ?? o.secrets.get(v.name);
  if (value === undefined) throw new ScriptError(`line ${line}: variable ${v.name} not set: export SIMDM_${v.name}=... or give it in --keys / --vars`, line);
  switch (v.kind) {
    case 'adm':
      return encodePinValue(value, 'adm');
    case 'pin':
      return encodePinValue(value, 'pin');
    case 'puk':
      return encodePinValue(value, 'puk');
    case 'hex':
      try {
        return fromHex(value, v.name);
      } catch {
        throw new ScriptError(`line ${line}: variable ${v.name} is not hex`, line);
      }
    default:
      return new TextEncoder().encode(value);
  }
}

const isSecretVar = (v: VarRef): boolean => v.kind !== 'card';

export async function runScript(script: Script, transport: Transport | undefined, o: RunOptions, card?: CardVarReader): Promise<RunReport> {
  const report: RunReport = { steps: [], sent: 0, failed: 0, dryRun: !!o.dryRun };
  const log = o.log ?? (() => undefined);
  const link = transport ? new CardLink(transport, { autoGetResponse: false }) : undefined;
  // secured sections fetch their answers themselves (GET RESPONSE on 61xx/9Fxx): the card's
  // answers are inside the secure messaging or the PoR, not lines of the script
  const sectionLink = transport ? new CardLink(transport) : undefined;
  const selected = (s: Step) => !o.blocks || !s.block || o.blocks.includes(s.block);
  for (const b of o.blocks ?? [])
    if (!script.blocks.includes(b)) throw new ScriptError(`no block '${b}' in the script (has: ${script.blocks.join(', ') || 'none'})`);
  let secretAnswerPending = false;
  const otaAnswers = new Map<Section, Map<Step, SectionAnswer>>();
  const channels = new Map<Section, ApduSender>();
  const sectionSender = async (sec: Section): Promise<ApduSender> => {
    let c = channels.get(sec);
    if (!c) {
      c = await openSection(sectionLink!, sec, o);
      channels.clear(); // a new secure channel ends the one before (its SELECT resets the session)
      channels.set(sec, c);
      log(`${String(sec.line).padStart(4)}  GP secure channel open`);
    }
    return c;
  };
  for (const step of script.steps) {
    if (!selected(step)) continue;
    if (step.kind === 'reset') {
      log(`${String(step.line).padStart(4)}  reset`);
      if (!o.dryRun && transport) await transport.reset();
      report.steps.push({ line: step.line, command: 'reset', ok: true });
      continue;
    }
    const { bytes, cmd } = await commandOf(step, o, card);
    const pinCommand = SECRET_COMMAND_INS.has(cmd.ins) && cmd.ins !== 0xd8 && !!cmd.data?.length;
    const fromVars = step.parts.some((p) => 'var' in p);
    // a PIN typed into a script would sit in a file and in logs: only variables may carry one
    if (pinCommand && !fromVars) {
      throw new ScriptError(
        `line ${step.line}: ${insName(cmd.ins)} with a literal value: write the PIN/ADM as a variable (\${PIN1}, \${ADM1}) from SIMDM_* or --keys`,
        step.line,
      );
    }
    if (pinCommand && step.section)
      throw new ScriptError(
        `line ${step.line}: ${insName(cmd.ins)} inside '#@ ${step.section.kind}' (line ${step.section.line}): verify before the section`,
        step.line,
      );
    const secret = pinCommand || SECRET_COMMAND_INS.has(cmd.ins) || step.parts.some((p) => 'var' in p && isSecretVar(p.var));
    const shown = secret ? `${toHex(bytes.subarray(0, 5))} **` : toHex(bytes);
    if (o.dryRun || !link) {
      log(`${String(step.line).padStart(4)}  ${shown}`);
      report.steps.push({ line: step.line, command: shown, ok: true });
      continue;
    }
    // VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK: through the safe path (retry counter read first,
    // refused at one try left without --force), never raw
    const safe = pinCommand ? pinOperation(link, cmd, !!o.force) : undefined;
    if (pinCommand && !safe) {
      throw new ScriptError(
        `line ${step.line}: ${insName(cmd.ins)} with ${cmd.data!.length} bytes of data (${cmd.ins === 0x24 || cmd.ins === 0x2c ? 16 : 8} expected)`,
        step.line,
      );
    }
    if (safe) {
      let ok = true;
      let message: string | undefined;
      try {
        await safe;
      } catch (e) {
        ok = false;
        message = (e as Error).message;
      }
      report.sent++;
      log(`${String(step.line).padStart(4)}  ${shown}  -> ${ok ? 'done (retry counter checked first)' : message}`);
      report.steps.push({ line: step.line, command: shown, sw: ok ? '9000' : undefined, ok, ...(message ? { message } : {}) });
      if (!ok) {
        report.failed++;
        if (o.stopOnMismatch !== false) break;
      }
      continue;
    }
    let r: SectionAnswer;
    if (step.section?.kind === 'ota') {
      // the whole section travels as one secured packet, sent at its first APDU
      if (!otaAnswers.has(step.section)) {
        const members = script.steps.filter((x): x is ApduStep => x.kind === 'apdu' && x.section === step.section && selected(x));
        const cmds = await Promise.all(members.map(async (m) => (await commandOf(m, o, card)).cmd));
        const answers = await sendOtaSection(sectionLink!, step.section, cmds, o);
        otaAnswers.set(step.section, new Map(members.map((m, i) => [m, answers[i]!])));
        log(`${String(step.section.line).padStart(4)}  OTA secured packet: ${cmds.length} command(s) in one SMS-PP download`);
      }
      r = otaAnswers.get(step.section)!.get(step)!;
    } else {
      const via: ApduSender = step.section ? await sectionSender(step.section) : link;
      r = await via.transmit({ ...cmd, ...(secret ? { secret: true } : {}) });
    }
    report.sent++;
    const hideData = SECRET_RESPONSE_INS.has(cmd.ins) || (cmd.ins === 0xc0 && secretAnswerPending);
    secretAnswerPending = (SECRET_RESPONSE_INS.has(cmd.ins) || (cmd.ins === 0xc0 && secretAnswerPending)) && r.sw >> 8 === 0x61;
    const dataText = hideData ? `** (${r.data.length} bytes)` : toHex(r.data);
    const sw = hexNum(r.sw, 4);
    const swBytes = Uint8Array.of(r.sw >> 8, r.sw & 0xff);
    const exp = step.expect;
    const swOk = r.notRun
      ? false
      : exp?.sw.length
        ? exp.sw.some((m) => maskMatches(m, swBytes))
        : r.sw === 0x9000 || r.sw >> 8 === 0x61 || r.sw >> 8 === 0x9f || r.sw >> 8 === 0x91;
    const dataOk = exp?.data && !r.unseen ? maskMatches(exp.data, r.data) : true;
    const ok = swOk && dataOk;
    const message = ok ? undefined : r.notRun ? r.notRun : !swOk ? `SW ${sw}, expected ${expected(exp)}` : `data ${dataText} does not match ${exp!.data!.text}`;
    log(`${String(step.line).padStart(4)}  ${shown}  -> ${r.data.length ? dataText + ' ' : ''}${sw}${ok ? '' : `  MISMATCH: ${message}`}`);
    report.steps.push({ line: step.line, command: shown, sw, ...(r.data.length ? { data: dataText } : {}), ok, ...(message ? { message } : {}) });
    if (!ok) {
      report.failed++;
      if (o.stopOnMismatch !== false) break;
    }
  }
  return report;
}

export { decodeResponse };

type ApduStep = Extract<Step, { kind: 'apdu' }>;

const expected = (exp: Expect | undefined): string => (exp?.sw.length ? exp.sw.map((m) => m.text).join('|') : '9000/61xx');

/** The bytes of an APDU line (variables resolved) and the command they make. */
async function commandOf(step: ApduStep, o: RunOptions, card: CardVarReader | undefined): Promise<{ bytes: Uint8Array; cmd: CommandApdu }> {
  const chunks: Uint8Array[] = [];
  for (const p of step.parts) chunks.push('hex' in p ? fromHex(p.hex) : await bytesOf(p.var, o, o.dryRun ? undefined : card, step.line));
  const bytes = Uint8Array.from(chunks.flatMap((c) => [...c]));
  try {
    return { bytes, cmd: decodeCommand(bytes) };
  } catch (e) {
    throw new ScriptError(`line ${step.line}: ${(e as Error).message}`, step.line);
  }
}

/** The PIN operation a VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK command stands for (TS 102 221 11.1.9-13). */
function pinOperation(link: CardLink, cmd: CommandApdu, force: boolean): Promise<void> | undefined {
  const d = cmd.data!;
  const opts = { force };
  switch (cmd.ins) {
    case 0x20:
      return d.length === 8 ? verifyPin(link, cmd.p2, d, opts) : undefined;
    case 0x24:
      return d.length === 16 ? changePin(link, cmd.p2, d.subarray(0, 8), d.subarray(8), opts) : undefined;
    case 0x26:
      return d.length === 8 ? disablePin(link, cmd.p2, d, opts) : undefined;
    case 0x28:
      return d.length === 8 ? enablePin(link, cmd.p2, d, opts) : undefined;
    case 0x2c:
      return d.length === 16 ? unblockPin(link, cmd.p2, d.subarray(0, 8), d.subarray(8), opts) : undefined;
    default:
      return undefined;
  }
}
