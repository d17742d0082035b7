/** The applets built into the virtual UICC (see ../applet.ts). Add one line per applet. */
import type { AppletFactory } from '../applet.js';
import { adminApplet } from './admin.js';
import { isdApplet } from './isd.js';
import { otaApplet } from './ota.js';
import { usimAuthApplet } from './usim-auth.js';

export const APPLETS: AppletFactory[] = [isdApplet, otaApplet, usimAuthApplet, adminApplet];
