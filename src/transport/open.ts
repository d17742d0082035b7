/**
 * Turns a `--reader` value into a Transport. The transport layer knows PC/SC only; every other
 * kind of reader is a scheme registered by the layer that implements it, explicitly, by whoever
 * sets the program up (the CLI does it in cli/schemes.ts):
 *  - `sim:[IMAGE.json]` (src/sim/scheme.ts): the virtual UICC in this process;
 *  - `remote://host:port/READER` (src/bridge/scheme.ts): a reader behind a simdm bridge.
 * Anything else is a PC/SC reader name (exact, unique substring, or index); empty = the first reader.
 */
import { UsageError } from '../errors.js';
import { PcscContext } from './pcsc.js';
import type { Transport } from './types.js';

export interface OpenedTransport {
  transport: Transport;
  close(): Promise<void>;
}

/** opens the reader `spec` (the whole --reader value, prefix included) */
export type SchemeOpener = (spec: string, options: Record<string, unknown>) => Promise<OpenedTransport>;

const schemes = new Map<string, SchemeOpener>();

/** Registers (or replaces) the opener of readers whose spec starts with `prefix` (e.g. `sim:`). */
export function registerScheme(prefix: string, opener: SchemeOpener): void {
  schemes.set(prefix, opener);
}

/** The registered prefixes, in registration order. */
export function registeredSchemes(): string[] {
  return [...schemes.keys()];
}

/** `sim:`, `remote://`, `x-y+z:`: what a reader scheme looks like (PC/SC names never start so) */
const SCHEME_SHAPE = /^[a-z][a-z0-9+.-]*:/;

export async function openTransport(spec: string | undefined, options: Record<string, unknown> = {}): Promise<OpenedTransport> {
  const s = spec ?? process.env.SIMDM_READER;
  if (s) {
    for (const [prefix, opener] of schemes) if (s.startsWith(prefix)) return opener(s, options);
    const shape = SCHEME_SHAPE.exec(s);
    if (shape) {
      const known = registeredSchemes();
      throw new UsageError(`reader scheme ${shape[0]} is not available here${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    }
  }
  return openPcsc(s);
}

async function openPcsc(spec: string | undefined): Promise<OpenedTransport> {
  const ctx = new PcscContext();
  try {
    const t = await ctx.transport(spec);
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
