/**
 * The view of a bootstrap file as read from a card that `simdm bootstrap read` and `simdm profile
 * read` print: where it was found, and its fields with the secrets redacted.
 */
import { hexNum } from '../util/hex.js';
import { redactFields } from './content/index.js';
import type { CardBootstrapFile } from './reader.js';

export function fileSummary(f: CardBootstrapFile) {
  return {
    label: f.label,
    kind: f.kind,
    oid: f.oid,
    dodf: hexNum(f.dodf, 4),
    fid: f.path,
    ...(f.content ? { bytes: f.content.length, fields: redactFields(f.content.fields) } : {}),
    ...(f.error ? { error: f.error } : {}),
  };
}
