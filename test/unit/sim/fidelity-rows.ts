/**
 * The virtual UICC's fidelity table: one row per behaviour, the spec clause it follows, and the
 * exchanges that prove it. test/unit/sim/fidelity.test.ts runs every row on an in-process card,
 * test/e2e/card-fidelity.test.ts runs the rows marked `e2e` through pcscd + vpcd, and
 * docs/virtual-card.md lists every row by name (a test checks that it does).
 */
import { pinHex, USIM_AID } from '../../../src/sim/default-image.js';

export interface Step {
  /** C-APDU in hex (spaces allowed) */
  c: string;
  /** expected status word (4 hex digits) */
  sw: string;
  /** expected response data in hex, when it matters */
  data?: string;
}

export interface FidelityRow {
  name: string;
  clause: string;
  /** what the virtual card answers, for the docs */
  answer: string;
  /** card options: T=1-style answers (no 61xx/6Cxx shaping), dual-mode personality */
  t1?: boolean;
  dualMode?: boolean;
  /** a USIM key provisioned (for AUTHENTICATE rows) */
  akaKey?: boolean;
  steps: Step[];
  /** runs through pcscd in the e2e suite too */
  e2e?: boolean;
}

const SEL_USIM = `00A4040C10${USIM_AID}`;
const PIN1 = `0020000108${pinHex('1234')}`;
const WRONG_PIN1 = `0020000108${pinHex('0000')}`;
const ICCID = '984401000000000010F5';
const AUTH_3G = `0088008122 10${'11'.repeat(16)} 10${'22'.repeat(16)}`;

export const FIDELITY: FidelityRow[] = [
  {
    name: 'READ BINARY past the end under T=0: 6Cxx with the bytes available',
    clause: 'TS 102 221 7.3.1.1.4 (case 2, T=0)',
    answer: '6C0A for Le=15 on the 10-byte EF.ICCID; the re-issue with Le=0A gets the data',
    steps: [
      { c: '00A4000C022FE2', sw: '9000' },
      { c: '00B0000015', sw: '6C0A' },
      { c: '00B000000A', sw: '9000', data: ICCID },
    ],
    e2e: true,
  },
  {
    name: 'READ BINARY past the end with an explicit Le (T=1): the data and 6282',
    clause: 'TS 102 221 10.2.1.2, ISO 7816-4 11.2.3',
    answer: 'the 10 bytes with 6282 (end of file reached before reading Le bytes)',
    t1: true,
    steps: [
      { c: '00A4000C022FE2', sw: '9000' },
      { c: '00B0000015', sw: '6282', data: ICCID },
    ],
  },
  {
    name: 'READ BINARY at an offset beyond the file: 6B00',
    clause: 'TS 102 221 11.1.3, 10.2.1.5',
    answer: '6B00 (wrong P1-P2) for offset 10 and 0x7F00 of a 10-byte EF',
    steps: [
      { c: '00A4000C022FE2', sw: '9000' },
      { c: '00B0000A01', sw: '6B00' },
      { c: '00B07F0001', sw: '6B00' },
    ],
    e2e: true,
  },
  {
    name: 'READ BINARY with Le=00: 6Cxx under T=0, all bytes with 9000 under T=1',
    clause: 'TS 102 221 7.3.1.1.4; ISO 7816-4 5.1 (Le=00: up to 256)',
    answer: 'T=0: 6C0A; T=1: the 10 bytes, 9000',
    steps: [
      { c: '00A4000C022FE2', sw: '9000' },
      { c: '00B0000000', sw: '6C0A' },
    ],
    e2e: true,
  },
  {
    name: 'READ BINARY with Le=00 under T=1 returns the whole short file',
    clause: 'ISO 7816-4 5.1, 11.2.3',
    answer: 'the 10 bytes of EF.ICCID, 9000',
    t1: true,
    steps: [
      { c: '00A4000C022FE2', sw: '9000' },
      { c: '00B0000000', sw: '9000', data: ICCID },
    ],
  },
  {
    name: 'READ RECORD with Le shorter or longer than the record',
    clause: 'TS 102 221 11.1.5, 10.2.1.2',
    answer: 'shorter: 6Cxx (the record length); longer (T=1): the record with 6282',
    t1: true,
    steps: [
      { c: '00A4000C022F00', sw: '9000' },
      { c: '00B2010410', sw: '6C26' },
      { c: '00B2010430', sw: '6282' },
      { c: '00B2010426', sw: '9000' },
    ],
  },
  {
    name: 'READ RECORD of a record that does not exist: 6A83',
    clause: 'TS 102 221 11.1.5, 10.2.1.5',
    answer: '6A83 for record 5 of the 4-record EF.DIR and for NEXT after the last',
    steps: [
      { c: '00A4000C022F00', sw: '9000' },
      { c: '00B2050426', sw: '6A83' },
      { c: '00B2040426', sw: '9000' },
      { c: '00B2000226', sw: '6A83' },
    ],
    e2e: true,
  },
  {
    name: 'GSM class A0 on a UICC-only card: 6E00',
    clause: 'TS 102 221 10.1.1 (table 10.3), 10.2.1.4',
    answer: '6E00 for A0 A4 00 00 02 3F00',
    steps: [{ c: 'A0A40000023F00', sw: '6E00' }],
    e2e: true,
  },
  {
    name: 'classes a UICC does not know: 6E00',
    clause: 'TS 102 221 10.1.1 (table 10.3)',
    answer: '6E00 for CLA 90, B0, 20 and FF',
    steps: [
      { c: '90A40000023F00', sw: '6E00' },
      { c: 'B0B0000001', sw: '6E00' },
      { c: '20A4000C023F00', sw: '6E00' },
      { c: 'FFA4000C023F00', sw: '6E00' },
    ],
  },
  {
    name: 'an instruction in the wrong class: 6E00',
    clause: 'TS 102 221 10.1.1, 10.1.2 (table 10.5)',
    answer: '6E00 for STATUS with CLA 00 and SELECT with CLA 80; 80 F2 answers',
    steps: [
      { c: '00F2000000', sw: '6E00' },
      { c: '80A4000C023F00', sw: '6E00' },
      { c: '80F2000C00', sw: '9000' },
    ],
    e2e: true,
  },
  {
    name: 'secure messaging or chaining indicated in CLA: 6882 / 6884',
    clause: 'ISO 7816-4 5.4.1, table 6',
    answer: '6882 for CLA 0C, 6884 for CLA 10',
    steps: [
      { c: '0CA4000C023F00', sw: '6882' },
      { c: '10A4000C023F00', sw: '6884' },
    ],
  },
  {
    name: 'an instruction the card does not know: 6D00',
    clause: 'TS 102 221 10.2.1.4',
    answer: '6D00 for INS FE and 80 FE',
    steps: [
      { c: '00FE000000', sw: '6D00' },
      { c: '80FE000000', sw: '6D00' },
    ],
    e2e: true,
  },
  {
    name: 'wrong P1/P2: 6A86 / 6B00',
    clause: 'TS 102 221 10.2.1.5; 11.1.1, 11.1.5, 11.1.9, 11.1.17',
    answer: 'SELECT P1=05: 6A86; READ RECORD mode 05: 6A86; VERIFY P1=01: 6B00; MANAGE CHANNEL P1=40: 6B00',
    steps: [
      { c: '00A40504023F00', sw: '6A86' },
      { c: '00A4000C022F00', sw: '9000' },
      { c: '00B2010526', sw: '6A86' },
      { c: `0020010108${pinHex('1234')}`, sw: '6B00' },
      { c: '0070400000', sw: '6B00' },
    ],
    e2e: true,
  },
  {
    name: 'SELECT of a file that is not there: 6A82',
    clause: 'TS 102 221 11.1.1, 10.2.1.5',
    answer: '6A82 for FID 6F99, for an unknown AID, and for an SFI no EF has',
    steps: [
      { c: '00A4000C026F99', sw: '6A82' },
      { c: '00A4040C05A000000999', sw: '6A82' },
      { c: '00B09D0001', sw: '6A82' },
    ],
    e2e: true,
  },
  {
    name: 'an access condition not met: 6982',
    clause: 'TS 102 221 9.2.5, 10.2.1.4',
    answer: '6982 reading EF.IMSI before PIN1 and updating EF.AD without ADM1',
    steps: [
      { c: SEL_USIM, sw: '9000' },
      { c: '00A4000C026F07', sw: '9000' },
      { c: '00B0000009', sw: '6982' },
      { c: '00A4000C026FAD', sw: '9000' },
      { c: '00D6000001 00', sw: '6982' },
    ],
    e2e: true,
  },
  {
    name: 'SFI 06 in ADF.USIM is EF.ACC',
    clause: 'TS 31.102 4.2.15 (SFI 06), TS 102 221 11.1.1.4.8',
    answer: '6982 before PIN1; after VERIFY the 2 bytes of EF.ACC',
    steps: [
      { c: SEL_USIM, sw: '9000' },
      { c: '00B0860002', sw: '6982' },
      { c: PIN1, sw: '9000' },
      { c: '00B0860002', sw: '9000', data: '0001' },
    ],
    e2e: true,
  },
  {
    name: 'PIN blocking after the last wrong try',
    clause: 'TS 102 221 11.1.9, 9.5.2',
    answer: '63C2, 63C1, then 6983; the right PIN then gets 6983, VERIFY without data 6983',
    steps: [
      { c: WRONG_PIN1, sw: '63C2' },
      { c: WRONG_PIN1, sw: '63C1' },
      { c: WRONG_PIN1, sw: '6983' },
      { c: PIN1, sw: '6983' },
      { c: '00200001', sw: '6983' },
      { c: `002C000110${pinHex('12345678')}${pinHex('1234')}`, sw: '9000' },
      { c: '00200001', sw: '9000' },
    ],
  },
  {
    name: 'logical channel limits',
    clause: 'TS 102 221 11.1.17, 10.2.1.4',
    answer: 'channel 19 opens, 20 does not (6A86); a closed channel answers 6881; channel 0 cannot be closed (6A86)',
    steps: [
      { c: '00700013', sw: '9000' },
      { c: '00700014', sw: '6A86' },
      { c: '01A4000C023F00', sw: '6881' },
      { c: '00708000', sw: '6A86' },
      { c: '4F708013', sw: '9000' },
    ],
    e2e: true,
  },
  {
    name: 'all 19 logical channels in use: 6A81',
    clause: 'TS 102 221 11.1.17',
    answer: '6A81 when MANAGE CHANNEL asks for a 20th',
    steps: [
      ...Array.from({ length: 19 }, (_, i) => ({ c: '0070000001', sw: '9000', data: (i + 1).toString(16).padStart(2, '0').toUpperCase() })),
      { c: '0070000001', sw: '6A81' },
    ],
  },
  {
    name: 'AUTHENTICATE preconditions: ADF.USIM selected, PIN1 verified',
    clause: 'TS 31.102 7.1.2 (access condition PIN), TS 102 221 8.5',
    answer: 'without ADF.USIM as current application 6985; before PIN1 6982; then the answer (9862 for a wrong AUTN)',
    akaKey: true,
    steps: [
      { c: AUTH_3G, sw: '6985' },
      { c: SEL_USIM, sw: '9000' },
      { c: AUTH_3G, sw: '6982' },
      { c: PIN1, sw: '9000' },
      { c: AUTH_3G, sw: '9862' },
    ],
    e2e: true,
  },
  {
    name: 'dual-mode: GSM SELECT answers 9FXX and GET RESPONSE the TS 51.011 response data',
    clause: 'TS 51.011 9.2.1, 9.2.18, 9.4.1',
    answer: 'SELECT 3F00: 9F17, GET RESPONSE: 23 bytes (type 01 = MF); SELECT 2FE2: 9F0F; READ BINARY: EF.ICCID',
    dualMode: true,
    steps: [
      { c: 'A0A40000023F00', sw: '9F17' },
      { c: 'A0C0000017', sw: '9000' },
      { c: 'A0A40000022FE2', sw: '9F0F' },
      { c: 'A0C000000F', sw: '9000', data: '0000000A2FE20400' + '04F0FF' + '01020000' },
      { c: 'A0B000000A', sw: '9000', data: ICCID },
    ],
  },
  {
    name: 'dual-mode: TS 51.011 errors',
    clause: 'TS 51.011 9.4',
    answer: 'ADF.USIM not visible (9404); read past the end 6700; offset beyond 9402; wrong CHV1 9804; READ without an EF 9400',
    dualMode: true,
    steps: [
      { c: 'A0B000000A', sw: '9400' },
      { c: 'A0A40000027FF0', sw: '9404' },
      { c: 'A0A40000022FE2', sw: '9F0F' },
      { c: 'A0B0000015', sw: '6700' },
      { c: 'A0B0000A01', sw: '9402' },
      { c: `A020000108${pinHex('0000')}`, sw: '9804' },
      { c: '00A4000C022FE2', sw: '9000' },
    ],
  },
];
