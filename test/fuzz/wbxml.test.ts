/**
 * WBXML properties: generated PROV and SyncML trees survive encode -> decode unchanged; random and
 * mutated bytes never make the decoder throw anything but CodecError (with offset and token);
 * whatever decodes re-encodes to the same tree.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/codec/errors.js';
import { decodeWbxml, encodeWbxml, PROV10, SYNCML12, xmlToWbxml, type LanguageDecl, type WbxmlElement, type WbxmlNode } from '../../src/codec/wbxml/index.js';
import { FUZZ_RUNS, FUZZ_RUNS_SLOW } from '../helpers/fuzz.js';

/** strings as the decoder returns them (no lone surrogates: UTF-8 cannot carry them) */
const str = (maxLength = 12) => fc.string({ unit: 'binary', maxLength }).map((s) => Buffer.from(s, 'utf8').toString('utf8'));

const words = (decl: LanguageDecl, page?: number) => {
  const tags = new Set<string>();
  const starts: [string, string][] = [];
  const values = new Set<string>();
  for (const p of decl.pages) {
    if (page !== undefined && p.page !== page) continue;
    for (const [, n] of p.tags ?? []) tags.add(n);
    for (const [, n, pre] of p.attrStarts ?? []) starts.push([n, pre ?? '']);
    for (const [, v] of p.attrValues ?? []) values.add(v);
  }
  return { tags: [...tags], starts, values: [...values] };
};

/** normalise a generated tree the way WBXML keeps it: adjacent text merged, empty text dropped */
function normalise(e: WbxmlElement): WbxmlElement {
  const children: WbxmlNode[] = [];
  for (const c of e.children) {
    if (c.kind === 'text') {
      if (!c.text) continue;
      const last = children[children.length - 1];
      if (last && last.kind === 'text') children[children.length - 1] = { kind: 'text', text: last.text + c.text };
      else children.push(c);
    } else if (c.kind === 'opaque') children.push(c);
    else children.push(normalise(c));
  }
  return { name: e.name, attrs: e.attrs, children };
}

const PROV = words(PROV10);
const provValue = fc.oneof(fc.constantFrom(...PROV.values), str(), fc.constant(''));
const provAttrs = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PROV.starts).chain(([n, pre]) => provValue.map((v): [string, string] => [n, pre + v])),
      fc.tuple(fc.constantFrom('name', 'value', 'type', 'x-vendor'), provValue),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => Object.fromEntries(pairs) as Record<string, string>);

const provTree = fc
  .letrec<{ node: WbxmlNode; elem: WbxmlElement }>((tie) => ({
    elem: fc.record({
      name: fc.constantFrom('characteristic', 'parm', 'characteristic', 'x-unknown'),
      attrs: provAttrs,
      children: fc.array(tie('node'), { maxLength: 4 }),
    }),
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ kind: fc.constant('text' as const), text: str() }),
      fc.record({ kind: fc.constant('opaque' as const), data: fc.uint8Array({ maxLength: 8 }) }),
      tie('elem'),
    ),
  }))
  .elem.map((e) => normalise({ name: 'wap-provisioningdoc', attrs: { version: '1.0' }, children: [e] }));

const SY0 = words(SYNCML12, 0).tags.filter((t) => t !== 'SyncML');
const SY1 = words(SYNCML12, 1).tags;
const metinf = fc.letrec<{ m: WbxmlElement }>((tie) => ({
  m: fc.record({
    name: fc.constantFrom(...SY1),
    attrs: fc.constant({}),
    children: fc.array(fc.oneof({ depthSize: 'small' }, fc.record({ kind: fc.constant('text' as const), text: str() }), tie('m')), { maxLength: 3 }),
  }),
})).m;
const syncmlTree = fc
  .letrec<{ s: WbxmlElement }>((tie) => ({
    s: fc.record({
      name: fc.constantFrom(...SY0),
      attrs: fc.constant({}),
      children: fc.array(
        fc.oneof(
          { depthSize: 'small' },
          fc.record({ kind: fc.constant('text' as const), text: str() }),
          fc.record({ kind: fc.constant('opaque' as const), data: fc.uint8Array({ maxLength: 8 }) }),
          metinf.map((m): WbxmlElement => ({ ...m, attrs: { xmlns: 'syncml:metinf' } })),
          tie('s'),
        ),
        { maxLength: 4 },
      ),
    }),
  }))
  .s.map((e) => normalise({ name: 'SyncML', attrs: { xmlns: 'SYNCML:SYNCML1.2' }, children: [e] }));

const encOpts = fc.record({
  version: fc.constantFrom(0, 1, 2, 3),
  stringTable: fc.constantFrom('auto' as const, 'none' as const),
});

function onlyCodecError(bytes: Uint8Array, opts = {}): void {
  try {
    const d = decodeWbxml(bytes, opts);
    // whatever decodes, re-encodes to the same tree
    const again = decodeWbxml(encodeWbxml(d.root, { language: d.language }), { language: d.language });
    expect(again.root).toEqual(d.root);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    expect(e.tag).toBeTypeOf('string');
    expect(e.message).toContain(`offset ${e.offset}`);
  }
}

const FIX = join(import.meta.dirname, '../fixtures/wbxml');
const seeds = [
  xmlToWbxml(readFileSync(join(FIX, 'prov-dm-account.xml'), 'utf8')),
  xmlToWbxml(readFileSync(join(FIX, 'syncml-dm-bootstrap.xml'), 'utf8')),
  new Uint8Array(readFileSync(join(FIX, 'prov-dm-account.libwbxml.wbxml'))),
  new Uint8Array(readFileSync(join(FIX, 'syncml-dm-bootstrap.libwbxml.wbxml'))),
];

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), v: fc.constant(0) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), v: fc.constant(0) }),
);

function mutate(src: Uint8Array, ms: { op: string; at: number; v: number }[]): Uint8Array {
  let b = Array.from(src);
  for (const m of ms) {
    const at = b.length ? m.at % (b.length + (m.op === 'insert' ? 1 : 0)) : 0;
    if (m.op === 'flip' && b.length) b[at] = m.v;
    else if (m.op === 'insert') b.splice(at, 0, m.v);
    else if (m.op === 'delete') b.splice(at, 1);
    else b = b.slice(0, at);
  }
  return Uint8Array.from(b);
}

describe('WBXML fuzz', () => {
  it('generated PROV trees round-trip', () => {
    fc.assert(
      fc.property(provTree, encOpts, (tree, o) => {
        const d = decodeWbxml(encodeWbxml(tree, { ...o, language: PROV10 }));
        expect(d.root).toEqual(tree);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('generated SyncML trees round-trip (MetInf namespace on page 1)', () => {
    fc.assert(
      fc.property(syncmlTree, encOpts, (tree, o) => {
        const d = decodeWbxml(encodeWbxml(tree, { ...o, language: SYNCML12 }));
        expect(d.root).toEqual(tree);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('random bytes: only CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => onlyCodecError(b)),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('valid header + random body: only CodecError', () => {
    const heads = [Uint8Array.of(3, 0x0b, 0x6a, 0), Uint8Array.of(3, 0xa4, 1, 0x6a, 0), Uint8Array.of(3, 1, 0x6a, 2, 0x61, 0)];
    fc.assert(
      fc.property(fc.constantFrom(...heads), fc.uint8Array({ minLength: 1, maxLength: 96 }), (h, body) => {
        const b = new Uint8Array(h.length + body.length);
        b.set(h);
        b.set(body, h.length);
        onlyCodecError(b);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('mutated real documents: only CodecError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => onlyCodecError(mutate(seed, ms))),
      { numRuns: FUZZ_RUNS_SLOW * 5 },
    );
  });
});
