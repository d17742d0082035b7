/** Server-side HMAC request check and device-side package #0 acceptance, with replays refused. */
import { describe, expect, it } from 'vitest';
import { authHmac } from '../../../../src/secure/dm/auth.js';
import { formatHmacHeader } from '../../../../src/secure/dm/hmac-header.js';
import { NonceStore, ReplayGuard } from '../../../../src/secure/dm/nonce-store.js';
import { buildNotification } from '../../../../src/secure/dm/notification.js';
import { acceptNotification, authenticateHmacRequest } from '../../../../src/secure/dm/session-auth.js';

const enc = new TextEncoder();
const users: Record<string, string> = { Bruce2: 'OhBehave' };

describe('authenticateHmacRequest', () => {
  const body = enc.encode('<SyncML>...</SyncML>');
  it('accepts a request MACed over the current nonce, rotates, refuses the replay', () => {
    const store = new NonceStore();
    const n1 = store.issue('Bruce2');
    const header = formatHmacHeader({ username: 'Bruce2', mac: authHmac('Bruce2', 'OhBehave', n1, body) });
    const r = authenticateHmacRequest(header, body, (u) => users[u], store);
    expect(r.username).toBe('Bruce2');
    expect(r.nextNonce).not.toEqual(n1);
    expect(() => authenticateHmacRequest(header, body, (u) => users[u], store)).toThrow(expect.objectContaining({ code: 'dm.nonce-replay' }));
    const h2 = formatHmacHeader({ username: 'Bruce2', mac: authHmac('Bruce2', 'OhBehave', r.nextNonce, body) });
    expect(authenticateHmacRequest(h2, body, (u) => users[u], store).username).toBe('Bruce2');
  });
  it('a tampered body or an unknown user is dm.auth-failure', () => {
    const store = new NonceStore();
    const n1 = store.issue('Bruce2');
    const header = formatHmacHeader({ username: 'Bruce2', mac: authHmac('Bruce2', 'OhBehave', n1, body) });
    expect(() => authenticateHmacRequest(header, enc.encode('<SyncML/>'), (u) => users[u], store)).toThrow(
      expect.objectContaining({ code: 'dm.auth-failure' }),
    );
    expect(() => authenticateHmacRequest(header, body, () => undefined, store)).toThrow(expect.objectContaining({ code: 'dm.auth-failure' }));
  });
});

describe('acceptNotification', () => {
  it('verifies once, refuses the replayed package', () => {
    const nonce = enc.encode('srv-nonce');
    const pkg = buildNotification({ version: 12, uiMode: 'background', serverInitiated: true, sessionId: 42, serverId: 'dm.example' }, 'pw', nonce);
    const guard = new ReplayGuard();
    expect(acceptNotification(pkg, 'pw', nonce, guard).sessionId).toBe(42);
    expect(() => acceptNotification(pkg, 'pw', nonce, guard)).toThrow(expect.objectContaining({ code: 'dm.nonce-replay' }));
  });
});
