/**
 * Turns a `--reader` value into a Transport:
 *  - a PC/SC reader name (exact, unique substring, or index); empty = the first reader;
 *  - `sim:` = the built-in virtual UICC in-process (`sim:FILE.json` loads that image and saves
 *    changes back to it);
 *  - other schemes registered by their modules (e.g. `remote://host:port/READER` by the bridge).
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { defaultImage } from '../sim/default-image.js';
import { loadImage, saveImage } from '../sim/image.js';
import { VirtualUicc } from '../sim/uicc.js';
import { InProcessTransport } from './inproc.js';
import { PcscContext } from './pcsc.js';
import type { Transport } from './types.js';

export interface OpenedTransport {
  transport: Transport;
  close(): Promise<void>;
}

export type SchemeOpener = (spec: string, options: Record<string, unknown>) => Promise<OpenedTransport>;
const schemes = new Map<string, SchemeOpener>();

export function registerScheme(prefix: string, opener: SchemeOpener): void {
  schemes.set(prefix, opener);
}

export async function openTransport(spec: string | undefined, options: Record<string, unknown> = {}): Promise<OpenedTransport> {
  const s = spec ?? process.env.SIMDM_READER;
  if (s?.startsWith('sim:')) {
    const path = s.slice(4);
    let image = defaultImage();
    if (path) {
      if (existsSync(path)) image = loadImage(path);
      else throw new UsageError(`card image ${path} not found (create one with: simdm vcard init --out ${path})`);
    }
    const card = new VirtualUicc(image, path ? { onChange: (c) => saveImage(path, c.toImage()) } : {});
    const t = new InProcessTransport(card, path ? `sim:${path}` : 'sim: (built-in virtual UICC)');
    return { transport: t, close: () => t.close() };
  }
  for (const [prefix, opener] of schemes) if (s?.startsWith(prefix)) return opener(s, options);
  const ctx = new PcscContext();
  try {
    const t = await ctx.transport(s);
    return {
      transport: t,
      close: async () => {
        await t.close();
        ctx.close();
      },
    };
  } catch (e) {
    ctx.close();
    throw e;
  }
}
