/**
 * Files that hold secrets (tokens, transport keys, key stores, card images with PIN/ADM/K/OPc,
 * journal seals): created with mode 600, and brought to 600 when they already exist (a plain
 * writeFile with `mode` keeps the mode of an existing file). Key files given to read are checked
 * the way ssh checks a private key: readable by group or others is warned about.
 */
import { closeSync, fchmodSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';

/** Writes `data` to `path` with mode 600, whether or not the file existed (and whatever its mode was). */
export function writeSecretFile(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    // an existing file keeps its mode through open(2): narrow it before a byte is written
    fchmodSync(fd, 0o600);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } finally {
    closeSync(fd);
  }
}

/** Makes an open descriptor's file mode 600 (streams that write secrets). */
export function secretFd(fd: number): void {
  if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
}

/**
 * A warning text when `path` (a file holding keys) can be read by group or others, else undefined.
 * Like ssh, which refuses such private keys; we warn and go on (the key is already exposed).
 */
export function looseModeWarning(path: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined;
  }
  if (process.platform === 'win32' || (mode & 0o077) === 0) return undefined;
  return `${path} is readable by ${mode & 0o070 ? 'group' : ''}${mode & 0o070 && mode & 0o007 ? ' and ' : ''}${mode & 0o007 ? 'others' : ''} (mode ${(mode & 0o777).toString(8)}): it holds keys; chmod 600 ${path}`;
}
