/** `simdm dm` in-process: the published OMA DM md5 example and package #0 round trip. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import yargs from 'yargs';
import dmCmd from '../../../../src/cli/commands/dm.js';

afterEach(() => {
  vi.unstubAllEnvs();
  process.exitCode = 0;
});

async function simdm(args: string[], env: Record<string, string>): Promise<string> {
  for (const k of ['SIMDM_DM_PASSWORD']) vi.stubEnv(k, ''); // an empty value counts as unset
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  try {
    await yargs(args)
      .option('json', { type: 'boolean', global: true })
      .option('keys', { type: 'string', global: true })
      .command(dmCmd)
      .strict()
      .fail((m, e) => {
        throw e ?? new Error(m);
      })
      .parseAsync();
  } finally {
    spy.mockRestore();
  }
  return out;
}

const env = { SIMDM_DM_PASSWORD: 'OhBehave' };

describe('simdm dm', () => {
  it('auth md5: Bruce2/OhBehave/"Nonce" (OMA DM Protocol example), from text or base64 nonce', async () => {
    expect((await simdm(['dm', 'auth', '--type', 'md5', '--user', 'Bruce2', '--nonce', 'Nonce'], env)).trim()).toBe('Zz6EivR3yeaaENcRN6lpAQ==');
    expect((await simdm(['dm', 'auth', '--type', 'md5', '--user', 'Bruce2', '--nonce-b64', 'Tm9uY2U='], env)).trim()).toBe('Zz6EivR3yeaaENcRN6lpAQ==');
  });
  it('auth --verify sets exit code 1 on a wrong credential', async () => {
    await simdm(['dm', 'auth', '--type', 'md5', '--user', 'Bruce2', '--nonce', 'Nonce', '--verify', 'Zz6EivR3yeaaENcRN6lpAQ=='], env);
    expect(process.exitCode ?? 0).toBe(0);
    await simdm(['dm', 'auth', '--type', 'md5', '--user', 'Bruce2', '--nonce', 'Nonce', '--verify', 'AAAAAAAAAAAAAAAAAAAAAA=='], env);
    expect(process.exitCode).toBe(1);
  });
  it('notification: build, parse and verify', async () => {
    const pkg = JSON.parse(await simdm(['dm', 'notification', '--json', '--server-id', 'srv', '--nonce', 'n', '--session-id', '258'], env)).package0 as string;
    const parsed = JSON.parse(await simdm(['dm', 'notification', '--json', '--parse', pkg], {}));
    expect(parsed).toMatchObject({ version: 12, server_id: 'srv', session_id: 258, server_initiated: true });
    expect(JSON.parse(await simdm(['dm', 'notification', '--json', '--verify', pkg, '--nonce', 'n'], env))).toMatchObject({ valid: true });
    await expect(simdm(['dm', 'notification', '--verify', pkg, '--nonce', 'x'], env)).rejects.toThrow(/digest does not verify/);
  });
  it('the password comes only from SIMDM_DM_PASSWORD', async () => {
    await expect(simdm(['dm', 'auth', '--type', 'basic', '--user', 'u'], {})).rejects.toThrow(/DM_PASSWORD/);
  });
});
