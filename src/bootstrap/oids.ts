/**
 * The bootstrap file kinds simdm writes into the PKCS#15 application and the object identifiers
 * that name them in EF.DODF.
 *
 * - LwM2M bootstrap: 2.23.43.9.1 (OMA-TS-LightweightM2M_Core 1.1.1 Appendix G.3; the OID the nRF
 *   Connect SDK's uicc_lwm2m library looks for in an oidDO).
 * - OMA DM bootstrap: 2.23.43.7.1 (OMA-TS-DM_Bootstrap, smart card: EF DM_Bootstrap found by this
 *   OID in EF.DODF). The SIMalliance Open Mobile API's PKCS15Provider.searchOID names this OID,
 *   but finds it only in a DODF whose first TLV is A7, not in a PKCS#15 oidDO: the `omapi` layout
 *   option writes that form too (layout.ts, targets/omapi.ts).
 * - OMA ProvSC (WAP-186-PROVSC / OMA-WAP-TS-ProvSC): the CP Bootstrap, Config1 and Config2
 *   provisioning files. NOT CONFIRMED: the ProvSC text was not reachable when this was written;
 *   2.23.43.5.1/.2/.3 (the WAP arc, `provisioning` sub-arc) are simdm's assumption. A profile can
 *   override every OID (`files.<kind>.oid`), and unknown OIDs are reported, never fatal.
 */
export const PKCS15_AID = 'A000000063504B43532D3135';

export type BootstrapKind = 'lwm2m' | 'dm' | 'cpBootstrap' | 'cpConfig1' | 'cpConfig2';

export interface KindInfo {
  oid: string;
  label: string;
  /** content format */
  format: 'lwm2m' | 'syncml-dm' | 'wap-provisioningdoc';
  /** the two file slots (FIDs inside DF.PKCS15) used for the atomic switch */
  slots: [number, number];
  /** whether the OID is confirmed against the specification text */
  confirmed: boolean;
}

export const KINDS: Readonly<Record<BootstrapKind, KindInfo>> = {
  lwm2m: { oid: '2.23.43.9.1', label: 'LwM2M Bootstrap', format: 'lwm2m', slots: [0x6440, 0x6441], confirmed: true },
  dm: { oid: '2.23.43.7.1', label: 'DM Bootstrap', format: 'syncml-dm', slots: [0x6450, 0x6451], confirmed: true },
  cpBootstrap: { oid: '2.23.43.5.1', label: 'CP Bootstrap', format: 'wap-provisioningdoc', slots: [0x6460, 0x6461], confirmed: false },
  cpConfig1: { oid: '2.23.43.5.2', label: 'CP Config1', format: 'wap-provisioningdoc', slots: [0x6462, 0x6463], confirmed: false },
  cpConfig2: { oid: '2.23.43.5.3', label: 'CP Config2', format: 'wap-provisioningdoc', slots: [0x6464, 0x6465], confirmed: false },
};

export const BOOTSTRAP_KINDS = Object.keys(KINDS) as BootstrapKind[];

export function kindOfOid(oid: string): BootstrapKind | undefined {
  return BOOTSTRAP_KINDS.find((k) => KINDS[k].oid === oid);
}

/** Fixed FIDs of the PKCS#15 application (PKCS #15 v1.1 5.4; LwM2M Core Appendix G.3). */
export const FID = {
  /** DF.PKCS15 under the MF (the usual FID; selected by AID anyway) */
  app: 0x5015,
  odf: 0x5031,
  tokenInfo: 0x5032,
  /** first DODF (the LwM2M Appendix G example uses 6430); one base per management authority (plan.ts dodfFid) */
  dodfBase: 0x6430,
  dir: 0x2f00,
} as const;
