/**
 * The bridge's principals file (`--tokens FILE`, JSON). It never holds a token, only its SHA-256
 * (tokens are 32 random bytes, so a plain hash is enough: no dictionary to attack):
 *
 *   { "principals": [
 *       { "id": "agent-1", "sha256": "<hex>", "readers": ["Virtual PCD 00 00"], "readOnly": false },
 *       { "id": "dashboard", "sha256": "<hex>", "readers": ["*"], "readOnly": true },
 *       { "id": "line-3", "certCN": "line-3.factory", "readers": ["*"] } ] }
 *
 * A principal with `certCN` is reached by mutual TLS: a client certificate signed by the
 * `--client-ca` whose subject CN matches. Token lookup hashes the presented token and compares it
 * with every entry in constant time (no early exit), so timing tells nothing about the entries.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BridgeError } from './errors.js';
import type { Principal } from './policy.js';
import { checkInputSize } from '../util/input-file.js';

const Entry = z
  .object({
    id: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces'),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, '64 hex digits')
      .optional(),
    certCN: z.string().min(1).max(256).optional(),
    readers: z.array(z.string().min(1)).min(1),
    readOnly: z.boolean().optional(),
    /** read-only principals: extra CLA||INS pairs (4 hex digits) beyond the default allow-list */
    allow: z
      .array(z.string().regex(/^[0-9A-Fa-f]{4}$/, 'CLA and INS as 4 hex digits'))
      .max(64)
      .optional(),
  })
  .strict()
  .refine((e) => (e.sha256 === undefined) !== (e.certCN === undefined), 'exactly one of sha256 and certCN');

const TokensFile = z.object({ principals: z.array(Entry) }).strict();
export type TokensFileJson = z.infer<typeof TokensFile>;

export function hashToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

/** A fresh token: 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export class TokenStore {
  private readonly byHash: { hash: Uint8Array; principal: Principal }[] = [];
  private readonly byCn = new Map<string, Principal>();

  constructor(json: TokensFileJson) {
    for (const e of json.principals) {
      const p: Principal = { id: e.id, readers: e.readers, readOnly: e.readOnly ?? false, ...(e.allow ? { allow: e.allow.map((a) => a.toUpperCase()) } : {}) };
      if (e.sha256) this.byHash.push({ hash: new Uint8Array(Buffer.from(e.sha256, 'hex')), principal: p });
      else if (e.certCN) this.byCn.set(e.certCN, p);
    }
  }

  static parse(json: unknown, source = 'tokens file'): TokenStore {
    const r = TokensFile.safeParse(json);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new BridgeError('bridge.config', `${source}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    return new TokenStore(r.data);
  }

  static load(path: string): TokenStore {
    let text: string;
    checkInputSize(path, 'tokens');
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new BridgeError('bridge.config', `cannot read tokens file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BridgeError('bridge.config', `tokens file ${path} is not JSON`);
    }
    return TokenStore.parse(json, path);
  }

  /** The principal of a bearer token, or undefined. Constant time in the token and the match. */
  byToken(token: string): Principal | undefined {
    return this.byTokenHash(hashToken(token));
  }

  /** The principal of a token given by its SHA-256; constant time over all entries. */
  byTokenHash(h: Uint8Array): Principal | undefined {
    if (h.length !== 32) return undefined;
    let found: Principal | undefined;
    for (const e of this.byHash) {
      if (timingSafeEqual(e.hash, h) && !found) found = e.principal;
    }
    return found;
  }

  byCertCn(cn: string): Principal | undefined {
    return this.byCn.get(cn);
  }

  get size(): number {
    return this.byHash.length + this.byCn.size;
  }
}
