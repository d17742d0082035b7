/**
 * Running an APDU script (parse.ts) on a card. Commands go out as written, without automatic
 * GET RESPONSE (as scriptor does), so `#> SW=61xx` expectations mean what they say. A VERIFY
 * whose data is a PIN/ADM variable is not sent raw: it goes through card/pin.ts verifyPin (retry
 * counter first, refusal at one try left unless --force). Secret bytes never reach the output:
 * commands carrying a variable other than ICCID/IMSI print their data as `**`.
 */
import { decodeCommand, type CommandApdu } from '../apdu/command.js';
import { decodeResponse } from '../apdu/response.js';
import { encodePinValue, verifyPin } from '../card/pin.js';
import type { Transport } from '../transport/types.js';
import { fromHex, toHex } from '../util/hex.js';
import type { SecretStore } from '../util/secrets.js';
import { maskMatches, ScriptError, type Script, type Step, type VarRef } from './parse.js';
import { CardLink } from '../apdu/link.js';

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
  const selected = (s: Step) => !o.blocks || !s.block || o.blocks.includes(s.block);
  for (const b of o.blocks ?? []) if (!script.blocks.includes(b)) throw new ScriptError(`no block '${b}' in the script (has: ${script.blocks.join(', ') || 'none'})`);
  for (const step of script.steps) {
    if (!selected(step)) continue;
    if (step.kind === 'reset') {
      log(`${String(step.line).padStart(4)}  reset`);
      if (!o.dryRun && transport) await transport.reset();
      report.steps.push({ line: step.line, command: 'reset', ok: true });
      continue;
    }
    const secret = step.parts.some((p) => 'var' in p && isSecretVar(p.var));
    const chunks: Uint8Array[] = [];
    for (const p of step.parts) chunks.push('hex' in p ? fromHex(p.hex) : await bytesOf(p.var, o, o.dryRun ? undefined : card, step.line));
    const bytes = Uint8Array.from(chunks.flatMap((c) => [...c]));
    let cmd: CommandApdu;
    try {
      cmd = decodeCommand(bytes);
    } catch (e) {
      throw new ScriptError(`line ${step.line}: ${(e as Error).message}`, step.line);
    }
    const shown = secret ? `${toHex(bytes.subarray(0, 5))} **` : toHex(bytes);
    if (o.dryRun || !link) {
      log(`${String(step.line).padStart(4)}  ${shown}`);
      report.steps.push({ line: step.line, command: shown, ok: true });
      continue;
    }
    // VERIFY with a PIN/ADM variable: through the safe path, never raw
    const pinVar = step.parts.find((p): p is { var: VarRef } => 'var' in p && (p.var.kind === 'adm' || p.var.kind === 'pin'));
    if (cmd.ins === 0x20 && pinVar && cmd.data?.length === 8) {
      let ok = true;
      let message: string | undefined;
      try {
        await verifyPin(link, cmd.p2, cmd.data, { force: !!o.force });
      } catch (e) {
        ok = false;
        message = (e as Error).message;
      }
      report.sent++;
      log(`${String(step.line).padStart(4)}  ${shown}  -> ${ok ? 'verified (retry counter checked first)' : message}`);
      report.steps.push({ line: step.line, command: shown, sw: ok ? '9000' : undefined, ok, ...(message ? { message } : {}) });
      if (!ok) {
        report.failed++;
        if (o.stopOnMismatch !== false) break;
      }
      continue;
    }
    const r = await link.transmit({ ...cmd, ...(secret ? { secret: true } : {}) });
    report.sent++;
    const sw = r.sw.toString(16).toUpperCase().padStart(4, '0');
    const swBytes = Uint8Array.of(r.sw >> 8, r.sw & 0xff);
    const exp = step.expect;
    const swOk = exp?.sw.length ? exp.sw.some((m) => maskMatches(m, swBytes)) : r.sw === 0x9000 || r.sw >> 8 === 0x61 || r.sw >> 8 === 0x9f || r.sw >> 8 === 0x91;
    const dataOk = exp?.data ? maskMatches(exp.data, r.data) : true;
    const ok = swOk && dataOk;
    const message = ok ? undefined : !swOk ? `SW ${sw}, expected ${exp?.sw.length ? exp.sw.map((m) => m.text).join('|') : '9000/61xx'}` : `data ${toHex(r.data)} does not match ${exp!.data!.text}`;
    log(`${String(step.line).padStart(4)}  ${shown}  -> ${r.data.length ? toHex(r.data) + ' ' : ''}${sw}${ok ? '' : `  MISMATCH: ${message}`}`);
    report.steps.push({ line: step.line, command: shown, sw, ...(r.data.length ? { data: toHex(r.data) } : {}), ok, ...(message ? { message } : {}) });
    if (!ok) {
      report.failed++;
      if (o.stopOnMismatch !== false) break;
    }
  }
  return report;
}

export { decodeResponse };
