/** `simdm/sim`: the virtual UICC (TS 102 221 card from a JSON image), for tests and demos. */
export { VirtualUicc, type UiccOptions } from '../sim/uicc.js';
export { defaultImage, USIM_AID } from '../sim/default-image.js';
export { ImageError, loadImage, parseImage, saveImage, type CardImage } from '../sim/image.js';
export { InProcessTransport } from '../sim/inproc.js';
export { openSimReader, registerSimScheme, SIM_SCHEME } from '../sim/scheme.js';
