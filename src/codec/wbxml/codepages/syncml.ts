/**
 * SyncML representation (the container of OMA DM packages and bootstrap messages).
 *  - SyncML 1.2: OMA-TS-SyncML_RepPro-V1_2 section 8 (WBXML), page 0 SyncML, page 1 MetInf
 *    (OMA-TS-SyncML_MetaInfo-V1_2); FPI "-//SYNCML//DTD SyncML 1.2//EN", WBXML public id 0x1201.
 *  - SyncML 1.1: SyncML Representation Protocol 1.1 section 8, tokens 0x05-0x34 of the same table,
 *    MetInf 0x05-0x15; FPI "-//SYNCML//DTD SyncML 1.1//EN", public id 0x0FD3 (1.0: 0x0FD1).
 *  - DevInf 1.1/1.2: SyncML Device Information section 8 (public ids 0x0FD4 / 0x1203).
 * The XML namespace of an element selects its page: `SYNCML:SYNCML1.2` page 0, `syncml:metinf` page 1
 * (RepPro section 8: MetInf elements inside Meta switch to page 1).
 */
import type { CodePageDecl, LanguageDecl, TagDecl } from './types.js';

const SYNCML_TAGS: readonly TagDecl[] = [
  [0x05, 'Add'],
  [0x06, 'Alert'],
  [0x07, 'Archive'],
  [0x08, 'Atomic'],
  [0x09, 'Chal'],
  [0x0a, 'Cmd'],
  [0x0b, 'CmdID'],
  [0x0c, 'CmdRef'],
  [0x0d, 'Copy'],
  [0x0e, 'Cred'],
  [0x0f, 'Data'],
  [0x10, 'Delete'],
  [0x11, 'Exec'],
  [0x12, 'Final'],
  [0x13, 'Get'],
  [0x14, 'Item'],
  [0x15, 'Lang'],
  [0x16, 'LocName'],
  [0x17, 'LocURI'],
  [0x18, 'Map'],
  [0x19, 'MapItem'],
  [0x1a, 'Meta'],
  [0x1b, 'MsgID'],
  [0x1c, 'MsgRef'],
  [0x1d, 'NoResp'],
  [0x1e, 'NoResults'],
  [0x1f, 'Put'],
  [0x20, 'Replace'],
  [0x21, 'RespURI'],
  [0x22, 'Results'],
  [0x23, 'Search'],
  [0x24, 'Sequence'],
  [0x25, 'SessionID'],
  [0x26, 'SftDel'],
  [0x27, 'Source'],
  [0x28, 'SourceRef'],
  [0x29, 'Status'],
  [0x2a, 'Sync'],
  [0x2b, 'SyncBody'],
  [0x2c, 'SyncHdr'],
  [0x2d, 'SyncML'],
  [0x2e, 'Target'],
  [0x2f, 'TargetRef'],
  // 0x30 reserved
  [0x31, 'VerDTD'],
  [0x32, 'VerProto'],
  [0x33, 'NumberOfChanges'],
  [0x34, 'MoreData'],
  // SyncML 1.2 additions
  [0x35, 'Field'],
  [0x36, 'Filter'],
  [0x37, 'Record'],
  [0x38, 'FilterType'],
  [0x39, 'SourceParent'],
  [0x3a, 'TargetParent'],
  [0x3b, 'Move'],
  [0x3c, 'Correlator'],
];

const METINF_TAGS: readonly TagDecl[] = [
  [0x05, 'Anchor'],
  [0x06, 'EMI'],
  [0x07, 'Format'],
  [0x08, 'FreeID'],
  [0x09, 'FreeMem'],
  [0x0a, 'Last'],
  [0x0b, 'Mark'],
  [0x0c, 'MaxMsgSize'],
  [0x0d, 'Mem'],
  [0x0e, 'MetInf'],
  [0x0f, 'Next'],
  [0x10, 'NextNonce'],
  [0x11, 'SharedMem'],
  [0x12, 'Size'],
  [0x13, 'Type'],
  [0x14, 'Version'],
  [0x15, 'MaxObjSize'],
  // MetInf 1.2 addition
  [0x16, 'FieldLevel'],
];

const METINF_NS = 'syncml:metinf';

function syncmlPages(ns: string, upTo: number, metinfUpTo: number): CodePageDecl[] {
  return [
    { page: 0, namespace: ns, tags: SYNCML_TAGS.filter(([t]) => t <= upTo) },
    { page: 1, namespace: METINF_NS, tags: METINF_TAGS.filter(([t]) => t <= metinfUpTo) },
  ];
}

export const SYNCML12: LanguageDecl = {
  id: 'syncml12',
  title: 'SyncML 1.2 (OMA DM 1.2 / DS 1.2)',
  wellKnownId: 0x1201,
  fpi: '-//SYNCML//DTD SyncML 1.2//EN',
  systemId: 'http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd',
  root: 'SyncML',
  pages: syncmlPages('SYNCML:SYNCML1.2', 0x3c, 0x16),
};

export const SYNCML11: LanguageDecl = {
  id: 'syncml11',
  title: 'SyncML 1.1 (OMA DM 1.1.2 / DS 1.1)',
  wellKnownId: 0x0fd3,
  fpi: '-//SYNCML//DTD SyncML 1.1//EN',
  systemId: 'http://www.syncml.org/docs/syncml_represent_v11_20020213.dtd',
  root: 'SyncML',
  pages: syncmlPages('SYNCML:SYNCML1.1', 0x34, 0x15),
};

const DEVINF_TAGS: readonly TagDecl[] = [
  [0x05, 'CTCap'],
  [0x06, 'CTType'],
  [0x07, 'DataStore'],
  [0x08, 'DataType'],
  [0x09, 'DevID'],
  [0x0a, 'DevInf'],
  [0x0b, 'DevTyp'],
  [0x0c, 'DisplayName'],
  [0x0d, 'DSMem'],
  [0x0e, 'Ext'],
  [0x0f, 'FwV'],
  [0x10, 'HwV'],
  [0x11, 'Man'],
  [0x12, 'MaxGUIDSize'],
  [0x13, 'MaxID'],
  [0x14, 'MaxMem'],
  [0x15, 'Mod'],
  [0x16, 'OEM'],
  [0x17, 'ParamName'],
  [0x18, 'PropName'],
  [0x19, 'Rx'],
  [0x1a, 'Rx-Pref'],
  [0x1b, 'SharedMem'],
  [0x1c, 'Size'], // DevInf 1.2 renames this MaxSize
  [0x1d, 'SourceRef'],
  [0x1e, 'SwV'],
  [0x1f, 'SyncCap'],
  [0x20, 'SyncType'],
  [0x21, 'Tx'],
  [0x22, 'Tx-Pref'],
  [0x23, 'ValEnum'],
  [0x24, 'VerCT'],
  [0x25, 'VerDTD'],
  [0x26, 'XNam'],
  [0x27, 'XVal'],
  [0x28, 'UTC'],
  [0x29, 'SupportNumberOfChanges'],
  [0x2a, 'SupportLargeObjs'],
];

const DEVINF12_EXTRA: readonly TagDecl[] = [
  [0x2b, 'Property'],
  [0x2c, 'PropParam'],
  [0x2d, 'MaxOccur'],
  [0x2e, 'NoTruncate'],
  [0x30, 'Filter-Rx'],
  [0x31, 'FilterCap'],
  [0x32, 'FilterKeyword'],
  [0x33, 'FieldLevel'],
  [0x34, 'SupportHierarchicalSync'],
];

export const DEVINF12: LanguageDecl = {
  id: 'devinf12',
  title: 'SyncML DevInf 1.2',
  wellKnownId: 0x1203,
  fpi: '-//SYNCML//DTD DevInf 1.2//EN',
  systemId: 'http://www.openmobilealliance.org/tech/DTD/OMA-SyncML-Device_Information-DTD-1.2.dtd',
  root: 'DevInf',
  pages: [
    {
      page: 0,
      namespace: 'syncml:devinf',
      tags: [...DEVINF_TAGS.map(([t, n]): TagDecl => (t === 0x1c ? [t, 'MaxSize'] : [t, n])), ...DEVINF12_EXTRA],
    },
  ],
};

export const DEVINF11: LanguageDecl = {
  id: 'devinf11',
  title: 'SyncML DevInf 1.1',
  wellKnownId: 0x0fd4,
  fpi: '-//SYNCML//DTD DevInf 1.1//EN',
  systemId: 'http://www.syncml.org/docs/devinf_v11_20020215.dtd',
  root: 'DevInf',
  pages: [{ page: 0, namespace: 'syncml:devinf', tags: DEVINF_TAGS }],
};
