/** Shared pieces of the GP / OTA tests: the GP test key set, a default virtual card on an in-process link, ScpError-only runs. */
import { CardLink } from '../../src/apdu/link.js';
import { ScpError } from '../../src/secure/gp/errors.js';
import { defaultImage } from '../../src/sim/default-image.js';
import { InProcessTransport } from '../../src/sim/inproc.js';
import { type UiccOptions, VirtualUicc } from '../../src/sim/uicc.js';
import { fromHex } from '../../src/util/hex.js';

/** The well-known GP test key 40..4F as ENC, MAC and DEK. */
export const GP_TEST_KEY = fromHex('404142434445464748494A4B4C4D4E4F');
export const GP_TEST_KEYS = { enc: GP_TEST_KEY, mac: GP_TEST_KEY, dek: GP_TEST_KEY };

/** A default-image virtual card and a connected CardLink to it. */
export async function virtualCardLink(opts: UiccOptions = {}): Promise<{ card: VirtualUicc; link: CardLink }> {
  const card = new VirtualUicc(defaultImage(), opts);
  const t = new InProcessTransport(card);
  await t.connect();
  return { card, link: new CardLink(t) };
}

/** Runs `f`; an ScpError is the decoder's own refusal and passes, any other exception fails the property. */
export function onlyScp(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ScpError)) throw e;
  }
}
