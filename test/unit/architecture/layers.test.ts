/**
 * Layers as folders (issue #14, docs/architecture.md): no import cycle between the top-level
 * folders of src/, and the transport layer knows nothing of the virtual card. Every import counts:
 * static, `export ... from`, `import type` and `import('...')` with a literal path. Files directly
 * in src/ (errors.ts, index.ts) are nodes of their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', '..', 'src');

/**
 * The layers bottom up, as docs/architecture.md draws them: a folder imports only folders of a
 * lower rank (util and errors.ts, rank 0, from anywhere).
 */
const LAYER: Readonly<Record<string, number>> = {
  util: 0,
  'errors.ts': 0,
  codec: 1,
  transport: 2,
  apdu: 3,
  card: 4,
  secure: 4,
  sim: 5,
  bootstrap: 6,
  dm: 6,
  perso: 7,
  script: 7,
  bridge: 7,
  agent: 7,
  dms: 7,
  api: 8,
  'index.ts': 9,
  cli: 9,
};

/** Cycles that are known and owned (none: #18 moved the agent/dms shared pieces down). */
const ALLOWED_CYCLES: readonly string[][] = [];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function nodeOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : parts[0]!;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)|^import\s+'(\.[^']+)'/gm;

/** folder -> folder -> the files and specifiers that make the edge */
function graph(): Map<string, Map<string, string[]>> {
  const g = new Map<string, Map<string, string[]>>();
  for (const f of files(SRC)) {
    const from = nodeOf(f);
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      const target = resolve(dirname(f), spec);
      if (!target.startsWith(SRC + sep)) continue;
      const to = nodeOf(target.replace(/\.js$/, '.ts'));
      if (to === from) continue;
      if (!g.has(from)) g.set(from, new Map());
      const edges = g.get(from)!;
      if (!edges.has(to)) edges.set(to, []);
      edges.get(to)!.push(`${relative(SRC, f)} -> ${spec}`);
    }
  }
  return g;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(g: Map<string, Map<string, string[]>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('layers', () => {
  const g = graph();

  it('no import cycle between the top-level folders of src/', () => {
    const found = cycles(g);
    const unexpected = found.filter((c) => !ALLOWED_CYCLES.some((a) => a.length === c.length && a.every((x) => c.includes(x))));
    const explain = unexpected
      .map((c) =>
        c
          .map(
            (a) =>
              `${a}: ${c
                .filter((b) => g.get(a)?.has(b))
                .map((b) => `-> ${b} (${g.get(a)!.get(b)![0]})`)
                .join(', ')}`,
          )
          .join('\n'),
      )
      .join('\n\n');
    expect(unexpected, `import cycles between folders (see docs/architecture.md for who may import whom):\n${explain}`).toEqual([]);
  });

  it('src/transport imports nothing from src/sim (reader schemes register themselves)', () => {
    expect(g.get('transport')?.get('sim') ?? []).toEqual([]);
  });

  it('the lowest layers import no layer above them', () => {
    for (const low of ['util', 'errors.ts']) {
      const ups = [...(g.get(low)?.keys() ?? [])].filter((t) => t !== 'errors.ts' && t !== 'util');
      expect(ups, `${low} imports ${ups.join(', ')}`).toEqual([]);
    }
    for (const [low, may] of [
      ['codec', ['util', 'errors.ts']],
      ['transport', ['util', 'errors.ts']],
      ['apdu', ['util', 'errors.ts', 'transport']],
    ] as const) {
      const ups = [...(g.get(low)?.keys() ?? [])].filter((t) => !(may as readonly string[]).includes(t));
      expect(ups, `${low} imports ${ups.join(', ')}`).toEqual([]);
    }
  });

  it('every folder imports only the layers below it (the picture in docs/architecture.md)', () => {
    const unknown = [...g.keys()].filter((f) => LAYER[f] === undefined);
    expect(unknown, `folders the layer table does not place (add them to LAYER and to docs/architecture.md)`).toEqual([]);
    const up: string[] = [];
    for (const [from, edges] of g)
      for (const [to, where] of edges) if (LAYER[to] !== 0 && (LAYER[to] ?? Infinity) >= (LAYER[from] ?? -1)) up.push(`${from} -> ${to} (${where[0]})`);
    expect(up, 'imports of a layer at or above the importer').toEqual([]);
  });
});
