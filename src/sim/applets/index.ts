/** The applets built into the virtual UICC (see ../applet.ts). Add one line per applet. */
import type { AppletFactory } from '../applet.js';
import { isdApplet } from './isd.js';

export const APPLETS: AppletFactory[] = [isdApplet];
