import { CardLink } from '../../../src/apdu/link.js';
import { defaultImage } from '../../../src/sim/default-image.js';
import type { CardImage } from '../../../src/sim/image.js';
import { VirtualUicc } from '../../../src/sim/uicc.js';
import { InProcessTransport } from '../../../src/sim/inproc.js';
import { CardFs } from '../../../src/card/fs.js';

/** A default virtual UICC behind an in-process transport, a link and a CardFs. */
export async function virtualCard(image: CardImage = defaultImage()) {
  const card = new VirtualUicc(image);
  const transport = new InProcessTransport(card);
  await transport.connect();
  const link = new CardLink(transport);
  const fs = new CardFs(link);
  return { card, transport, link, fs };
}
