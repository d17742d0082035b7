/**
 * PIN/ADM safety (TS 102 221 11.1.9-11.1.13): every command that presents a secret reads the
 * counter first and refuses at one try left unless forced; a failed presentation is never
 * repeated. The card's counters are checked directly: no path through the API blocks a key.
 */
import { describe, expect, it } from 'vitest';
import { verifyKeys } from '../../../src/card/key-secrets.js';
import { PinError } from '../../../src/card/errors.js';
import { changePin, disablePin, enablePin, encodePinValue, pinStatus, pukStatus, unblockPin, verifyPin } from '../../../src/card/pin.js';
import { SecretStore } from '../../../src/util/secrets.js';
import { toHex } from '../../../src/util/hex.js';
import { virtualCard } from './helpers.js';

const WRONG = encodePinValue('0000', 'pin');
const WRONG_ADM = encodePinValue('00000000', 'adm');
const WRONG_PUK = encodePinValue('00000000', 'puk');

type Attempt = (link: Parameters<typeof verifyPin>[0], force: boolean) => Promise<void>;
const paths: [string, string, Attempt][] = [
  ['verify PIN1', 'PIN1', (l, force) => verifyPin(l, 'PIN1', WRONG, { force })],
  ['verify ADM1', 'ADM1', (l, force) => verifyPin(l, 'ADM1', WRONG_ADM, { force })],
  ['verify PIN2', 'PIN2', (l, force) => verifyPin(l, 'PIN2', WRONG, { force })],
  ['change PIN1', 'PIN1', (l, force) => changePin(l, 'PIN1', WRONG, encodePinValue('1111', 'pin'), { force })],
  ['disable PIN1', 'PIN1', (l, force) => disablePin(l, 'PIN1', WRONG, { force })],
  ['enable PIN1', 'PIN1', (l, force) => enablePin(l, 'PIN1', WRONG, { force })],
  ['verifyKeys (write/cat/dump/restore --verify)', 'ADM1', (l, force) => verifyKeys(l, new SecretStore({ SIMDM_ADM1: '00000000' }), ['adm1'], force)],
];

describe('no command path can block a PIN', () => {
  it.each(paths)('%s: wrong values until it refuses; the key is never blocked', async (_n, key, attempt) => {
    const { link, card } = await virtualCard();
    const pin = card.pins.find((p) => p.name === key)!;
    if (_n.startsWith('enable')) pin.enabled = false; // ENABLE on an enabled PIN is refused without counting (6985)
    let refused: PinError | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      try {
        await attempt(link, false);
      } catch (e) {
        if (e instanceof PinError && e.code === 'pin.last-try') refused = e;
        else if (!(e instanceof PinError) || !['pin.wrong', 'pin.conditions'].includes(e.code)) throw e;
      }
    }
    expect(refused).toBeDefined();
    expect(refused!.message).toMatch(/1 try left: refusing .* --force/);
    expect(pin.retries).toBe(1);
    // the refusal sent no secret: the counter is still 1, and a correct value still works
    expect((await pinStatus(link, key)).retries).toBe(1);
  });

  it('unblock: refuses with one PUK try left', async () => {
    const { link, card } = await virtualCard();
    const puk = card.pins.find((p) => p.name === 'PIN1')!.puk!;
    puk.retries = 2;
    await expect(unblockPin(link, 'PIN1', WRONG_PUK, encodePinValue('1234', 'pin'))).rejects.toThrow(/wrong PUK, 1 try left; not retried/);
    await expect(unblockPin(link, 'PIN1', WRONG_PUK, encodePinValue('1234', 'pin'))).rejects.toThrow(/PUK of PIN1 has 1 try left: refusing/);
    expect(puk.retries).toBe(1);
    expect((await pukStatus(link, 'PIN1')).retries).toBe(1);
  });

  it('with --force the last try is used (the caller asked for it)', async () => {
    const { link, card } = await virtualCard();
    card.pins.find((p) => p.name === 'PIN1')!.retries = 1;
    await expect(verifyPin(link, 'PIN1', WRONG)).rejects.toThrow(/refusing/);
    await verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'), { force: true });
    expect(card.pins.find((p) => p.name === 'PIN1')!.retries).toBe(3);
  });

  it('a blocked key is reported with the way out, nothing sent', async () => {
    const { link, card } = await virtualCard();
    card.pins.find((p) => p.name === 'PIN1')!.retries = 0;
    await expect(verifyPin(link, 'PIN1', encodePinValue('1234', 'pin'), { force: true })).rejects.toThrow(/PIN1 is blocked: unblock it with its PUK/);
    await unblockPin(link, 'PIN1', encodePinValue('12345678', 'puk'), encodePinValue('4321', 'pin'));
    expect((await pinStatus(link, 'PIN1')).verified).toBe(true);
  });

  it('never repeats a failed verification by itself (one VERIFY with data per call)', async () => {
    const { link, transport } = await virtualCard();
    const sent: string[] = [];
    const orig = transport.transmit.bind(transport);
    transport.transmit = async (b: Uint8Array) => {
      sent.push(toHex(b));
      return orig(b);
    };
    await expect(verifyPin(link, 'PIN1', WRONG)).rejects.toThrow(/wrong PIN1, 2 tries left/);
    expect(sent.filter((s) => s.startsWith('00200001') && s.length > 10)).toHaveLength(1);
  });

  it('messages never contain the value', async () => {
    const { link } = await virtualCard();
    const e = (await verifyPin(link, 'PIN1', encodePinValue('9876', 'pin')).catch((x: unknown) => x)) as Error;
    expect(e.message).not.toMatch(/9876|39383736/);
  });
});

describe('encodePinValue (TS 102 221 9.5.1)', () => {
  it('pads ASCII digits with FF; ADM as 16 hex digits or ASCII', () => {
    expect(toHex(encodePinValue('1234', 'pin'))).toBe('31323334FFFFFFFF');
    expect(toHex(encodePinValue('88888888', 'adm'))).toBe('3838383838383838');
    expect(toHex(encodePinValue('0123456789ABCDEF', 'adm'))).toBe('0123456789ABCDEF');
    expect(() => encodePinValue('12a4', 'pin')).toThrow(/4 to 8 decimal digits/);
    expect(() => encodePinValue('123', 'pin')).toThrow(/4 to 8/);
  });
});
