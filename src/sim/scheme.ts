/**
 * The `sim:` reader scheme: the virtual UICC in this process, no pcscd.
 *   `sim:`           the built-in default image, changes kept in memory only;
 *   `sim:FILE.json`  that image, every change saved back to the file.
 * Registered with the transport layer's scheme registry by whoever sets the program up
 * (cli/schemes.ts); the card's modules load only when a `sim:` reader is opened.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { registerScheme, type OpenedTransport } from '../transport/open.js';

export const SIM_SCHEME = 'sim:';

export async function openSimReader(spec: string): Promise<OpenedTransport> {
  const path = spec.slice(SIM_SCHEME.length);
  const [{ defaultImage }, { loadImage, saveImage }, { VirtualUicc }, { InProcessTransport }] = await Promise.all([
    import('./default-image.js'),
    import('./image.js'),
    import('./uicc.js'),
    import('./inproc.js'),
  ]);
  let image = defaultImage();
  if (path) {
    if (existsSync(path)) image = loadImage(path);
    else throw new UsageError(`card image ${path} not found (create one with: simdm vcard init --out ${path})`);
  }
  const card = new VirtualUicc(image, path ? { onChange: (c) => saveImage(path, c.toImage()) } : {});
  const t = new InProcessTransport(card, path ? `sim:${path}` : 'sim: (built-in virtual UICC)');
  return { transport: t, close: () => t.close() };
}

export function registerSimScheme(): void {
  registerScheme(SIM_SCHEME, openSimReader);
}
