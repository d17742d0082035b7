/**
 * Secrets (PINs, ADM keys, K/OPc, transport keys) never come from command-line arguments, which any
 * local user can read in the process list. One convention everywhere: an environment variable
 * `SIMDM_<NAME>` (e.g. SIMDM_PIN1, SIMDM_ADM1, SIMDM_K, SIMDM_OPC, SIMDM_KIC) or a key file given with
 * `--keys FILE` holding the same names, one `NAME=value` per line (`#` comments; the `SIMDM_` prefix is
 * optional in the file). The environment wins over the file, so a one-off override needs no file edit.
 */
import { readFileSync } from 'node:fs';
import { looseModeWarning } from './secret-file.js';
import { UsageError } from '../errors.js';
import { fromHex } from './hex.js';
import { checkInputSize } from './input-file.js';

export class SecretStore {
  private readonly file = new Map<string, string>();
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    keyFile?: string,
  ) {
    if (keyFile) this.load(keyFile);
  }

  private load(path: string): void {
    // as ssh does for private keys: a key file others can read is reported (the key may be exposed)
    const loose = looseModeWarning(path);
    if (loose) process.stderr.write(`simdm: warning: ${loose}\n`);
    let text: string;
    checkInputSize(path, 'keys');
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const m = /^(?:export\s+)?(?:SIMDM_)?([A-Za-z0-9_]+)\s*[=:]\s*(.*)$/.exec(line);
      // never echo the line: it holds a secret
      if (!m) throw new UsageError(`key file ${path} line ${i + 1}: expected NAME=value`);
      let v = m[2]!.trim();
      if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
      this.file.set(m[1]!.toUpperCase(), v);
    });
  }

  /** The raw text of secret NAME (without the SIMDM_ prefix), or undefined. */
  get(name: string): string | undefined {
    const key = name.toUpperCase().replace(/^SIMDM_/, '');
    return this.env[`SIMDM_${key}`] ?? this.file.get(key);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  require(name: string, purpose?: string): string {
    const v = this.get(name);
    if (v === undefined || v === '') {
      const key = name.toUpperCase().replace(/^SIMDM_/, '');
      throw new UsageError(`${purpose ? purpose + ': ' : ''}secret ${key} not set: export SIMDM_${key}=... or put ${key}=... in a file given with --keys`);
    }
    return v;
  }

  /** A key in hex; checks the length in bytes if given. The message never shows the value. */
  requireHex(name: string, lengths?: number[], purpose?: string): Uint8Array {
    const key = name.toUpperCase().replace(/^SIMDM_/, '');
    let b: Uint8Array;
    try {
      b = fromHex(this.require(name, purpose), key);
    } catch (e) {
      if (e instanceof UsageError && e.message.includes('not set')) throw e;
      throw new UsageError(`secret ${key} is not valid hex`);
    }
    if (lengths && !lengths.includes(b.length)) {
      throw new UsageError(`secret ${key} must be ${lengths.join(' or ')} bytes, got ${b.length}`);
    }
    return b;
  }

  /** Every value held, for redaction of accidental echoes. */
  values(): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(this.env)) if (k.startsWith('SIMDM_') && v) out.push(v);
    for (const v of this.file.values()) if (v) out.push(v);
    return out;
  }
}

export const SECRET_HELP =
  'Secrets are never taken from arguments: set SIMDM_<NAME> (SIMDM_PIN1, SIMDM_PUK1, SIMDM_ADM1, SIMDM_K, SIMDM_OP, SIMDM_OPC, SIMDM_KIC, SIMDM_KID, SIMDM_TRANSPORT_KEY, ...) or pass --keys FILE with NAME=value lines.';
