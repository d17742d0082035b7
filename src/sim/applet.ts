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

/** What SELECT P2 b4b3 asks for (ISO/IEC 7816-4 7.1.1 Table 63): FCI, FCP, FMD or nothing. */
export type SelectForm = 'fci' | 'fcp' | 'fmd' | 'none';

export function selectForm(p2: number): SelectForm {
  return (['fci', 'fcp', 'fmd', 'none'] as const)[(p2 >> 2) & 0x03]!;
}

export interface Applet {
  readonly name: string;
  /** non-file applications selectable by AID (SELECT by DF name), e.g. the ISD */
  readonly aids?: Uint8Array[];
  /** selected by a SELECT by DF name with no data (GP CS 2.3.1 11.9 SELECT: the ISD) */
  readonly implicitSelection?: boolean;
  /** the answer to a SELECT by `aid` (the full AID matched) in the form P2 asks for */
  selectResponse?(ctx: CommandContext, aid: Uint8Array, form: SelectForm): AppletResponse;
  process(cmd: CommandApdu, ctx: CommandContext): AppletResponse | undefined;
  /** card reset / power cycle: drop session state */
  reset?(): void;
}

export type AppletFactory = (card: VirtualUicc) => Applet;
