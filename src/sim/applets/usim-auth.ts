/**
 * USIM AUTHENTICATE in the virtual UICC (3GPP TS 31.102 7.1.2; INS 88, P1 00):
 * - P2 81 (3G/EPS context): L ‖ RAND ‖ L ‖ AUTN in; 'DB' ‖ L RES ‖ L CK ‖ L IK ‖ L Kc out, or
 *   'DC' ‖ L AUTS on synchronisation failure, or SW 9862 on MAC failure (TS 31.102 7.1.2.1,
 *   TS 33.102 6.3.3 for the checks, Annex C for the SQN array);
 * - P2 80 (GSM context): L ‖ RAND in; L SRES ‖ L Kc out (c2/c3 of TS 33.102 6.8.1.2).
 * Answers go through the card's T=0 shaping (61xx + GET RESPONSE).
 *
 * State in the card image, under `applets["usim-auth"]`:
 *   { "alg": "milenage" | "tuak", "k": hex, "opc": hex (OPc, or TOPc for TUAK),
 *     "milenage"?: { "c": [5 × 16-byte hex], "r": [5 numbers] },
 *     "tuak"?: { "resLength", "macLength", "keccakIterations" },
 *     "sqn"?: { "policy": { "indBits", "delta", "limitL" }, "seqMs": [...], "sqnMs": n } }
 * The SQN array is updated (and the image marked changed) on every accepted AUTN.
 * Preconditions (TS 31.102 7.1.2, access condition PIN; TS 102 221 8.5 current application):
 * ADF.USIM must be the current application of the channel (else 6985, conditions of use not
 * satisfied) and PIN1 verified or disabled (else 6982, security status not satisfied).
 */
import { z } from 'zod';
import type { CommandApdu } from '../../apdu/command.js';
import type { Applet, AppletFactory, AppletResponse, CommandContext } from '../applet.js';
import type { VirtualUicc } from '../uicc.js';
import { akaAlgorithm, type AkaAlgorithm } from '../../secure/aka/algorithm.js';
import { SqnArray, type SqnArrayState, DEFAULT_SQN_POLICY } from '../../secure/aka/sqn.js';
import { usimAuthenticate } from '../../secure/aka/usim.js';
import { AkaError } from '../../secure/aka/errors.js';
import { gsmKc, gsmSres } from '../../secure/aka/milenage.js';
import {
  encodeAuthenticate3gAnswer,
  INS_AUTHENTICATE,
  P2_3G_CONTEXT,
  P2_GSM_CONTEXT,
  parseAuthenticate3gData,
  SW_AUTH_MAC_FAILURE,
} from '../../secure/aka/authenticate-apdu.js';
import { fromHex } from '../../util/hex.js';

export const USIM_AUTH_APPLET = 'usim-auth';

/** access condition of AUTHENTICATE in ADF.USIM: the application PIN (TS 31.102 7.1.2) */
const AUTHENTICATE_ACCESS = 'PIN1|UPIN';
/** RID + application code of the USIM, TS 101 220 Annex E: A000000087 1002 */
const USIM_AID_PREFIX = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02);

function isUsimAid(aid: Uint8Array): boolean {
  return aid.length >= USIM_AID_PREFIX.length && USIM_AID_PREFIX.every((b, i) => aid[i] === b);
}

const hex = z.string().regex(/^([0-9A-Fa-f]{2})*$/);
const StateSchema = z
  .object({
    alg: z.enum(['milenage', 'tuak']),
    k: hex,
    opc: hex,
    milenage: z
      .object({ c: z.array(hex).length(5), r: z.array(z.number().int().min(0).max(127)).length(5) })
      .strict()
      .optional(),
    tuak: z
      .object({
        resLength: z.union([z.literal(4), z.literal(8), z.literal(16)]).optional(),
        macLength: z.literal(8).optional(),
        keccakIterations: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    sqn: z
      .object({
        policy: z.object({ indBits: z.number().int().min(0).max(10), delta: z.number().nullable(), limitL: z.number().nullable() }).strict(),
        seqMs: z.array(z.number().int().min(0)),
        sqnMs: z.number().int().min(0),
      })
      .strict()
      .optional(),
  })
  .strict();
export type UsimAuthState = z.infer<typeof StateSchema>;

/** Writes K/OPc (and optionally the SQN policy) into a card's applet state. */
export function provisionUsimAuth(card: VirtualUicc, cfg: Omit<UsimAuthState, 'sqn'> & { sqnPolicy?: Partial<SqnArrayState['policy']> }): void {
  const { sqnPolicy, ...rest } = cfg;
  const r = StateSchema.safeParse({ ...rest, sqn: new SqnArray({ ...DEFAULT_SQN_POLICY, ...sqnPolicy }).toJSON() });
  if (!r.success) {
    const i = r.error.issues[0]!;
    // the path names the field; the value (a key) is never echoed
    throw new AkaError('aka.param', `usim-auth state: ${i.path.join('.') || '(root)'}: ${i.code}`);
  }
  const st = r.data;
  const target = card.stateOf<Record<string, unknown>>(USIM_AUTH_APPLET, () => ({}));
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, st);
  card.markChanged();
}

function algorithmOf(st: UsimAuthState): AkaAlgorithm {
  return akaAlgorithm({
    alg: st.alg,
    k: fromHex(st.k),
    opc: fromHex(st.opc),
    ...(st.milenage
      ? {
          milenage: {
            c: st.milenage.c.map((c) => fromHex(c)) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array],
            r: st.milenage.r as [number, number, number, number, number],
          },
        }
      : {}),
    ...(st.tuak ? { tuak: st.tuak } : {}),
  });
}

export const usimAuthApplet: AppletFactory = (card: VirtualUicc): Applet => {
  function load(): { st: UsimAuthState; raw: Record<string, unknown> } | undefined {
    const raw = card.stateOf<Record<string, unknown>>(USIM_AUTH_APPLET, () => ({}));
    if (!('k' in raw)) return undefined;
    const r = StateSchema.safeParse(raw);
    return r.success ? { st: r.data, raw } : undefined;
  }

  function process(cmd: CommandApdu, ctx: CommandContext): AppletResponse | undefined {
    if (cmd.ins !== INS_AUTHENTICATE || (cmd.cla & 0xf0) === 0x80 || cmd.cla === 0xa0) return undefined;
    // INS 88 is also ISO INTERNAL AUTHENTICATE: leave it to an applet selected by AID
    if (ctx.selectedApplet !== undefined && ctx.selectedApplet !== USIM_AUTH_APPLET) return undefined;
    const adf = card.selection(ctx.channel)?.adf;
    if (!adf?.aid || !isUsimAid(adf.aid)) return { sw: 0x6985 };
    if (!card.satisfied(AUTHENTICATE_ACCESS)) return { sw: 0x6982 };
    if (cmd.p1 !== 0x00 || (cmd.p2 !== P2_3G_CONTEXT && cmd.p2 !== P2_GSM_CONTEXT)) return { sw: 0x6a86 };
    const loaded = load();
    if (!loaded) return { sw: 0x6985 }; // no subscriber key: conditions of use not satisfied
    const { st, raw } = loaded;
    let alg: AkaAlgorithm;
    try {
      alg = algorithmOf(st);
    } catch {
      return { sw: 0x6f00 };
    }
    const data = cmd.data ?? new Uint8Array(0);
    if (cmd.p2 === P2_GSM_CONTEXT) {
      if (data.length !== 17 || data[0] !== 16) return { sw: 0x6700 };
      const o = alg.f2345(data.subarray(1));
      const out = new Uint8Array(14);
      out[0] = 4;
      out.set(gsmSres(o.res), 1);
      out[5] = 8;
      out.set(gsmKc(o.ck, o.ik), 6);
      return { data: out, sw: 0x9000 };
    }
    let rand: Uint8Array;
    let autn: Uint8Array;
    try {
      ({ rand, autn } = parseAuthenticate3gData(data));
    } catch {
      return { sw: 0x6a80 };
    }
    const sqns = st.sqn ? SqnArray.fromJSON(st.sqn) : new SqnArray();
    const r = usimAuthenticate(alg, sqns, rand, autn);
    if (r.kind === 'mac-failure') return { sw: SW_AUTH_MAC_FAILURE };
    if (r.kind === 'sync-failure') return { data: encodeAuthenticate3gAnswer({ kind: 'sync-failure', auts: r.auts }), sw: 0x9000 };
    raw.sqn = sqns.toJSON();
    card.markChanged();
    return { data: encodeAuthenticate3gAnswer({ kind: 'success', res: r.res, ck: r.ck, ik: r.ik, kc: r.kc }), sw: 0x9000 };
  }

  return { name: USIM_AUTH_APPLET, process };
};
