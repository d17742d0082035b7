/**
 * OMA DM authentication. Published: the OMA DM Protocol 9.4.2 / SyncML example (user "Bruce2",
 * password "OhBehave", nonce "Nonce" → Zz6EivR3yeaaENcRN6lpAQ==). For HMAC and package #0 no
 * numbers are published, so the expected values come from OpenSSL (`openssl dgst -md5 -binary |
 * base64`) over strings and trigger bytes spelled out here — never from the code under test.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { authBasic, authHmac, authMd5, parseBasic, verifyBasic, verifyHmac, verifyMd5 } from '../../../../src/secure/dm/auth.js';
import { formatHmacHeader, parseHmacHeader } from '../../../../src/secure/dm/hmac-header.js';
import { buildNotification, encodeTrigger, parseNotification, verifyNotification } from '../../../../src/secure/dm/notification.js';
import { NonceStore, ReplayGuard } from '../../../../src/secure/dm/nonce-store.js';
import { DmError } from '../../../../src/secure/dm/errors.js';

const enc = new TextEncoder();

/** base64(MD5(input)) by OpenSSL */
function md5b64(input: Uint8Array | string): string {
  return execFileSync('sh', ['-c', 'openssl dgst -md5 -binary | openssl base64 -A'], {
    input: typeof input === 'string' ? Buffer.from(input) : Buffer.from(input),
  })
    .toString()
    .trim();
}
function md5raw(input: Uint8Array | string): Buffer {
  return execFileSync('openssl', ['dgst', '-md5', '-binary'], { input: Buffer.from(input) });
}
function opensslB64(input: string): string {
  return execFileSync('openssl', ['base64', '-A'], { input: Buffer.from(input) })
    .toString()
    .trim();
}

describe('syncml:auth-basic and auth-md5', () => {
  it('basic: B64("Bruce2:OhBehave")', () => {
    expect(authBasic('Bruce2', 'OhBehave')).toBe(opensslB64('Bruce2:OhBehave'));
    expect(verifyBasic(opensslB64('Bruce2:OhBehave'), 'Bruce2', 'OhBehave')).toBe(true);
    expect(verifyBasic(opensslB64('Bruce2:OhBehavf'), 'Bruce2', 'OhBehave')).toBe(false);
    expect(parseBasic(authBasic('a:b', 'c:d'))).toEqual({ username: 'a', password: 'b:c:d' });
    expect(parseBasic('***')).toBeUndefined();
  });
  it('md5: the published OMA DM example Bruce2/OhBehave/"Nonce" = Zz6EivR3yeaaENcRN6lpAQ==', () => {
    expect(authMd5('Bruce2', 'OhBehave', enc.encode('Nonce'))).toBe('Zz6EivR3yeaaENcRN6lpAQ==');
    expect(verifyMd5('Zz6EivR3yeaaENcRN6lpAQ==', 'Bruce2', 'OhBehave', enc.encode('Nonce'))).toBe(true);
    expect(verifyMd5('Zz6EivR3yeaaENcRN6lpAQ==', 'Bruce2', 'OhBehave', enc.encode('nonce'))).toBe(false);
  });
  it('md5 with a binary nonce agrees with OpenSSL', () => {
    const nonce = Uint8Array.of(0x00, 0xff, 0x3a, 0x10, 0x80);
    const inner = md5b64('dmuser:secret');
    const expected = md5b64(Buffer.concat([Buffer.from(inner + ':'), Buffer.from(nonce)]));
    expect(authMd5('dmuser', 'secret', nonce)).toBe(expected);
  });
});

describe('syncml:auth-MAC (x-syncml-hmac)', () => {
  const body = enc.encode('<SyncML><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody><Final/></SyncBody></SyncML>');
  const nonce = enc.encode('Nonce');
  const expected = md5b64(`${md5b64('Bruce2:OhBehave')}:Nonce:${md5b64(body)}`);

  it('mac = B64(H(B64(H(user:pwd)):nonce:B64(H(body)))) as computed by OpenSSL', () => {
    expect(authHmac('Bruce2', 'OhBehave', nonce, body)).toBe(expected);
    expect(verifyHmac(expected, 'Bruce2', 'OhBehave', nonce, body)).toBe(true);
    expect(verifyHmac(expected, 'Bruce2', 'OhBehave', nonce, enc.encode('<SyncML/>'))).toBe(false);
  });
  it('header formats and parses', () => {
    const hdr = formatHmacHeader({ username: 'Bruce2', mac: expected });
    expect(hdr).toBe(`algorithm=MD5, username="Bruce2", mac=${expected}`);
    expect(parseHmacHeader(hdr)).toEqual({ algorithm: 'MD5', username: 'Bruce2', mac: expected });
    expect(parseHmacHeader(`USERNAME="a b", mac=${expected}`)).toEqual({ algorithm: 'MD5', username: 'a b', mac: expected });
  });
  it('header errors', () => {
    const bad = [
      `algorithm=SHA1, username="x", mac=${expected}`,
      'username="x"',
      `mac=${expected}`,
      `username="x, mac=${expected}`,
      `username=x, username=y, mac=${expected}`,
      'username=x, mac=abc',
    ];
    for (const b of bad) expect(() => parseHmacHeader(b)).toThrow(DmError);
  });
});

describe('package #0 notification digest (OMA-TS-DM_Notification)', () => {
  const serverId = 'com.example.dm';
  const nonce = enc.encode('ServerNonce');
  // version 1.2 (12), ui-mode user-interaction (11), initiator server (1), sessionid 0x0001
  const triggerHex = '0338000000' + '0001' + '0e' + Buffer.from(serverId).toString('hex');

  it('trigger-hdr bit layout', () => {
    const t = encodeTrigger({ version: 12, uiMode: 'user-interaction', serverInitiated: true, sessionId: 1, serverId });
    expect(Buffer.from(t).toString('hex')).toBe(triggerHex);
  });
  it('digest = H(B64(H(server-id:password)):nonce:B64(H(trigger))) as computed by OpenSSL', () => {
    const trigger = Buffer.from(triggerHex, 'hex');
    const digest = md5raw(`${md5b64(`${serverId}:pa55`)}:ServerNonce:${md5b64(trigger)}`);
    const pkg = buildNotification({ version: 12, uiMode: 'user-interaction', serverInitiated: true, sessionId: 1, serverId }, 'pa55', nonce);
    expect(Buffer.from(pkg).toString('hex')).toBe(digest.toString('hex') + triggerHex);
    const n = verifyNotification(pkg, 'pa55', nonce);
    expect(n).toMatchObject({ version: 12, uiMode: 'user-interaction', serverInitiated: true, sessionId: 1, serverId });
    expect(() => verifyNotification(pkg, 'pa56', nonce)).toThrow(expect.objectContaining({ code: 'dm.auth-failure' }));
  });
  it('vendor body is covered by the digest', () => {
    const pkg = buildNotification(
      { version: 12, uiMode: 'background', serverInitiated: true, sessionId: 0xbeef, serverId },
      'pw',
      nonce,
      Uint8Array.of(1, 2, 3),
    );
    expect(parseNotification(pkg).body).toEqual(Uint8Array.of(1, 2, 3));
    const tampered = Uint8Array.from(pkg);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => verifyNotification(tampered, 'pw', nonce)).toThrow(DmError);
  });
});

describe('nonce store', () => {
  const user = 'Bruce2';
  const pwd = 'OhBehave';
  it('rotates after each successful authentication and refuses a replay', () => {
    const s = new NonceStore();
    const n1 = s.issue(user);
    const cred1 = authMd5(user, pwd, n1);
    const n2 = s.authenticate(user, (n) => verifyMd5(cred1, user, pwd, n));
    expect(n2).not.toEqual(n1);
    expect(s.current(user)).toEqual(n2);
    expect(() => s.authenticate(user, (n) => verifyMd5(cred1, user, pwd, n))).toThrow(expect.objectContaining({ code: 'dm.nonce-replay' }));
    const cred2 = authMd5(user, pwd, n2);
    expect(s.authenticate(user, (n) => verifyMd5(cred2, user, pwd, n))).not.toEqual(n2);
  });
  it('wrong password is dm.auth-failure, unknown principal dm.nonce-unknown', () => {
    const s = new NonceStore();
    const n = s.issue(user);
    const bad = authMd5(user, 'nope', n);
    expect(() => s.authenticate(user, (x) => verifyMd5(bad, user, pwd, x))).toThrow(expect.objectContaining({ code: 'dm.auth-failure' }));
    expect(() => s.authenticate('other', () => true)).toThrow(expect.objectContaining({ code: 'dm.nonce-unknown' }));
  });
  it('expired nonces are refused and replaced', () => {
    let t = 0;
    const s = new NonceStore({ ttlMs: 1000, now: () => t });
    const n = s.issue(user);
    t = 1001;
    expect(() => s.authenticate(user, (x) => verifyMd5(authMd5(user, pwd, n), user, pwd, x))).toThrow(expect.objectContaining({ code: 'dm.nonce-expired' }));
    expect(s.current(user)).not.toEqual(n);
  });
  it('survives a JSON round trip', () => {
    const s = new NonceStore();
    const n1 = s.issue(user);
    s.issue(user);
    const r = NonceStore.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(() => r.authenticate(user, (n) => verifyMd5(authMd5(user, pwd, n1), user, pwd, n))).toThrow(expect.objectContaining({ code: 'dm.nonce-replay' }));
  });
  it('ReplayGuard refuses a package #0 seen twice', () => {
    const g = new ReplayGuard();
    const pkg = buildNotification({ version: 12, uiMode: 'background', serverInitiated: true, sessionId: 7, serverId: 'srv' }, 'pw', enc.encode('n'));
    g.check(parseNotification(pkg).digest);
    expect(() => g.check(parseNotification(pkg).digest)).toThrow(expect.objectContaining({ code: 'dm.nonce-replay' }));
  });
});
