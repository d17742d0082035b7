/**
 * 3GPP TS 51.011 (GSM SIM): DF.GSM (10.3). Where 31.102 kept the GSM coding, the EF uses the
 * USIM's codec; DF.GSM's EF.ECC is a transparent EF (10.3.27) unlike ADF.USIM's record EF, so it
 * has none here.
 */
import { type DfDecl, df, efs, TS51011 } from './model.js';
import { EF_ACC, EF_AD, EF_FPLMN, EF_HPPLMN, EF_IMSI, EF_LOCI, EF_SPN } from './ts-31-102.js';

export const GSM: DfDecl = df(
  'DF',
  0x7f20,
  'DF.GSM',
  'GSM',
  `${TS51011} 10.3`,
  efs(TS51011, [
    [0x6f05, 'EF.LP', 't', undefined, 'language preference', '10.3.1'],
    [0x6f07, 'EF.IMSI', 't', undefined, 'IMSI', '10.3.2', { codec: EF_IMSI, size: 9, access: 'PIN/ADM' }],
    [0x6f20, 'EF.Kc', 't', undefined, 'ciphering key Kc', '10.3.3'],
    [0x6f30, 'EF.PLMNsel', 't', undefined, 'PLMN selector', '10.3.4'],
    [0x6f31, 'EF.HPPLMN', 't', undefined, 'HPLMN search period', '10.3.5', { codec: EF_HPPLMN }],
    [0x6f38, 'EF.SST', 't', undefined, 'SIM service table', '10.3.7'],
    [0x6f46, 'EF.SPN', 't', undefined, 'service provider name', '10.3.11', { codec: EF_SPN }],
    [0x6f74, 'EF.BCCH', 't', undefined, 'broadcast control channels', '10.3.12'],
    [0x6f78, 'EF.ACC', 't', undefined, 'access control class', '10.3.15', { codec: EF_ACC }],
    [0x6f7b, 'EF.FPLMN', 't', undefined, 'forbidden PLMNs', '10.3.16', { codec: EF_FPLMN }],
    [0x6f7e, 'EF.LOCI', 't', undefined, 'location information', '10.3.17', { codec: EF_LOCI }],
    [0x6fad, 'EF.AD', 't', undefined, 'administrative data', '10.3.18', { codec: EF_AD }],
    [0x6fae, 'EF.Phase', 't', undefined, 'phase identification', '10.3.19'],
    [0x6fb7, 'EF.ECC', 't', undefined, 'emergency call codes', '10.3.27'],
  ]),
);
