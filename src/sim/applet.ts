/**
 * Extension point of the virtual UICC. An applet sees every command before the built-in
 * file-system commands and answers the ones it owns (AUTHENTICATE, GlobalPlatform ISD,
 * CREATE FILE, OTA ...), returning undefined for the rest.
 *
 * To add one: write `src/sim/applets/<name>.ts` exporting a factory `(card: VirtualUicc) => Applet`
 * and add it to the list in `src/sim/applets/index.ts`. Persistent state (keys, counters) lives in
 * `card.appletState(name)`, a JSON object saved with the card image.
 */
import type { CommandApdu } from '../apdu/command.js';
import type { VirtualUicc } from './uicc.js';

export interface AppletResponse {
  data?: Uint8Array;
  sw: number;
}

export interface CommandContext {
  /** logical channel the command arrived on */
  channel: number;
  /** the applet selected by AID on this channel, if any (its name) */
  selectedApplet: string | undefined;
}

export interface Applet {
  readonly name: string;
  /** non-file applications selectable by AID (SELECT by DF name), e.g. the ISD */
  readonly aids?: Uint8Array[];
  /** the FCI returned when selected by AID */
  selectResponse?(ctx: CommandContext): Uint8Array;
  process(cmd: CommandApdu, ctx: CommandContext): AppletResponse | undefined;
  /** card reset / power cycle: drop session state */
  reset?(): void;
}

export type AppletFactory = (card: VirtualUicc) => Applet;
