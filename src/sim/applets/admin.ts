/**
 * File administration in the virtual UICC: CREATE FILE and DELETE FILE of ETSI TS 102 222
 * (6.3 and 6.4), so that simdm can lay out the PKCS#15 bootstrap application on a blank card.
 *
 * CREATE FILE (INS E0, P1 P2 = 00 00): the data is an FCP template (62) as in TS 102 222 6.3.2 /
 * TS 102 221 11.1.1.3: 82 file descriptor (41 transparent, 42 linear fixed + record length and
 * count, 46 cyclic, 38/78 DF), 83 FID, 84 DF name (AID: an ADF), 80 file size, 88 SFI (00 = none),
 * 8A life cycle status, AB security attributes (expanded format). The file is created in the
 * current DF, takes its size from the card's free memory (`allocate`) and becomes the current file.
 * Answers: 6A89 FID (or AID) exists, 6A84 not enough memory, 6982 the DF's create condition not
 * met, 6A80 bad FCP.
 *
 * DELETE FILE (INS E4, P1 P2 = 00 00, data = FID of a child of the current DF): frees its memory
 * (`release`). 6A82 not found, 6982 the file's delete condition (else its DF's) not met.
 */
import { decodeBer, findBer, type BerTlv } from '../../codec/tlv/ber.js';
import { accessFromExpanded } from '../../card/access.js';
import type { CommandApdu } from '../../apdu/command.js';
import type { Applet, AppletFactory, AppletResponse, CommandContext } from '../applet.js';
import { fileSize, isDf, type SimFile } from '../fs.js';
import { ACCESS_RULE_PATTERN, type Access } from '../image.js';
import type { VirtualUicc } from '../uicc.js';

export const ADMIN_APPLET = 'admin';

const INS_CREATE = 0xe0;
const INS_DELETE = 0xe4;

const channelOf = (card: VirtualUicc, ch: number) => card.selection(ch);

function accessOf(ab: BerTlv | undefined, df: boolean): Access | undefined {
  if (!ab) return {};
  const map = accessFromExpanded(ab.value, df);
  const out: Access = {};
  for (const [op, rule] of Object.entries(map)) {
    if (!rule || !ACCESS_RULE_PATTERN.test(rule)) return undefined;
    (out as Record<string, string>)[op] = rule;
  }
  return out;
}

function create(card: VirtualUicc, cmd: CommandApdu, ctx: CommandContext): AppletResponse {
  if (cmd.p1 !== 0x00 || cmd.p2 !== 0x00) return { sw: 0x6a86 };
  const st = channelOf(card, ctx.channel);
  if (!st) return { sw: 0x6f00 };
  const parent = st.df;
  if (!card.allowed(parent, 'create')) return { sw: 0x6982 };
  let tlvs: BerTlv[];
  try {
    tlvs = decodeBer(cmd.data ?? new Uint8Array());
  } catch {
    return { sw: 0x6a80 };
  }
  const fcp = findBer(tlvs, 0x62);
  if (!fcp?.children) return { sw: 0x6a80 };
  const desc = findBer(fcp.children, 0x82)?.value;
  const fidV = findBer(fcp.children, 0x83)?.value;
  if (!desc || desc.length < 1 || !fidV || fidV.length !== 2) return { sw: 0x6a80 };
  const fid = (fidV[0]! << 8) | fidV[1]!;
  if (fid === 0x3f00 || fid === 0x7fff || fid === 0xffff) return { sw: 0x6a80 };
  if (parent.children.some((c) => c.fid === fid)) return { sw: 0x6a89 };
  const aid = findBer(fcp.children, 0x84)?.value;
  const lcsByte = findBer(fcp.children, 0x8a)?.value[0];
  const dfKind = (desc[0]! & 0x38) === 0x38;
  const access = accessOf(findBer(fcp.children, 0xab), dfKind);
  if (!access) return { sw: 0x6a80 };
  const f: SimFile = {
    fid,
    type: dfKind ? (aid ? 'ADF' : 'DF') : 'EF',
    access,
    lcs: lcsByte === 0x04 ? 'deactivated' : 'operational',
    children: [],
    parent,
  };
  let bytes = 0;
  if (dfKind) {
    if (aid) {
      if (aid.length < 5 || aid.length > 16) return { sw: 0x6a80 };
      f.aid = aid.slice();
      const clash = (x: SimFile): boolean =>
        (x.aid !== undefined && x.aid.length === aid.length && x.aid.every((b, i) => b === aid[i])) || x.children.some(clash);
      if (clash(card.mf)) return { sw: 0x6a89 };
    }
  } else {
    const structure = desc[0]! & 0x07;
    const sfiV = findBer(fcp.children, 0x88)?.value;
    if (sfiV) f.sfi = sfiV.length === 0 || sfiV[0] === 0 ? null : sfiV[0]! >> 3;
    if (structure === 0x01) {
      const sz = findBer(fcp.children, 0x80)?.value;
      if (!sz || sz.length < 1 || sz.length > 2) return { sw: 0x6a80 };
      bytes = sz.length === 2 ? (sz[0]! << 8) | sz[1]! : sz[0]!;
      f.structure = 'transparent';
      f.content = new Uint8Array(bytes).fill(0xff);
    } else if (structure === 0x02 || structure === 0x06) {
      if (desc.length < 5) return { sw: 0x6a80 };
      const rl = (desc[2]! << 8) | desc[3]!;
      const n = desc[4]!;
      if (rl < 1 || rl > 255 || n < 1 || n > 254) return { sw: 0x6a80 };
      bytes = rl * n;
      f.structure = structure === 0x02 ? 'linear-fixed' : 'cyclic';
      f.recordLength = rl;
      f.records = Array.from({ length: n }, () => new Uint8Array(rl).fill(0xff));
    } else return { sw: 0x6a80 };
  }
  if (!card.allocate(bytes)) return { sw: 0x6a84 };
  parent.children.push(f);
  // the created file becomes the current file (TS 102 222 6.3.1)
  if (isDf(f)) {
    st.df = f;
    st.ef = undefined;
    if (f.type === 'ADF') st.adf = f;
  } else st.ef = f;
  st.record = 0;
  card.markChanged();
  return { sw: 0x9000 };
}

function remove(card: VirtualUicc, cmd: CommandApdu, ctx: CommandContext): AppletResponse {
  if (cmd.p1 !== 0x00 || cmd.p2 !== 0x00) return { sw: 0x6a86 };
  const st = channelOf(card, ctx.channel);
  if (!st) return { sw: 0x6f00 };
  const d = cmd.data;
  if (!d || d.length !== 2) return { sw: 0x6700 };
  const fid = (d[0]! << 8) | d[1]!;
  const dir = st.df;
  const f = dir.children.find((c) => c.fid === fid);
  if (!f) return { sw: 0x6a82 };
  const allowed = f.access.delete !== undefined ? card.allowed(f, 'delete') : card.allowed(dir, 'delete');
  if (!allowed) return { sw: 0x6982 };
  dir.children.splice(dir.children.indexOf(f), 1);
  card.release(fileSize(f));
  if (st.ef === f) st.ef = undefined;
  st.record = 0;
  card.markChanged();
  return { sw: 0x9000 };
}

export const adminApplet: AppletFactory = (card: VirtualUicc): Applet => ({
  name: ADMIN_APPLET,
  process(cmd: CommandApdu, ctx: CommandContext): AppletResponse | undefined {
    // interindustry class only (80 E4 is GlobalPlatform DELETE), and not while an AID-selected applet has the channel
    if ((cmd.cla & 0x80) !== 0 || ctx.selectedApplet !== undefined) return undefined;
    if (cmd.ins === INS_CREATE) return create(card, cmd, ctx);
    if (cmd.ins === INS_DELETE) return remove(card, cmd, ctx);
    return undefined;
  },
});
