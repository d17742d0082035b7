import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { REMOTE_SCHEME, registerRemoteScheme } from '../../../src/bridge/remote-scheme.js';
import { registerReaderSchemes } from '../../../src/cli/schemes.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { SIM_SCHEME, registerSimScheme } from '../../../src/sim/scheme.js';
import { openTransport, registerScheme, registeredSchemes } from '../../../src/transport/open.js';

// SELECT MF by FID (TS 102 221 11.1.1): a UICC answers 61xx or 9000 with the FCP
const SELECT_MF = Uint8Array.from([0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00]);

describe('reader scheme registry', () => {
  it('routes a spec to the opener registered for its prefix', async () => {
    const seen: string[] = [];
    registerScheme('test-x:', async (spec, options) => {
      seen.push(`${spec}|${String(options.k)}`);
      const t = new InProcessTransport(undefined as never, 'x');
      return { transport: t, close: async () => undefined };
    });
    const o = await openTransport('test-x:abc', { k: 7 });
    expect(o.transport.name).toBe('x');
    expect(seen).toEqual(['test-x:abc|7']);
  });

  it('refuses a scheme nobody registered instead of looking for a PC/SC reader of that name', async () => {
    await expect(openTransport('nosuch://h:1/r')).rejects.toThrow(UsageError);
    await expect(openTransport('nosuch://h:1/r')).rejects.toThrow(/reader scheme nosuch: is not available here/);
  });

  it('sim: registers from src/sim and opens the built-in virtual UICC', async () => {
    registerSimScheme();
    expect(registeredSchemes()).toContain(SIM_SCHEME);
    const o = await openTransport('sim:');
    try {
      await o.transport.connect();
      const r = await o.transport.transmit(SELECT_MF);
      const sw1 = r[r.length - 2];
      expect(sw1 === 0x61 || sw1 === 0x90).toBe(true);
    } finally {
      await o.close();
    }
  });

  it('sim:FILE names a missing image with the command that creates it', async () => {
    registerSimScheme();
    const path = join(mkdtempSync(join(tmpdir(), 'simdm-scheme-')), 'none.json');
    expect(existsSync(path)).toBe(false);
    await expect(openTransport(`sim:${path}`)).rejects.toThrow(/simdm vcard init --out/);
  });

  it('remote:// registers from src/bridge without loading the client, and asks for a reader', async () => {
    registerRemoteScheme();
    expect(registeredSchemes()).toContain(REMOTE_SCHEME);
    await expect(openTransport('remote://127.0.0.1:9/')).rejects.toThrow(/name the reader/);
  });

  it('the CLI set-up registers both', () => {
    registerReaderSchemes();
    expect(registeredSchemes()).toEqual(expect.arrayContaining([SIM_SCHEME, REMOTE_SCHEME]));
  });
});
