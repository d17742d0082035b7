/**
 * Service names of the USIM service table (3GPP TS 31.102 4.2.8), the enabled services table
 * (4.2.47) and the ISIM service table (3GPP TS 31.103 4.2.7), numbered from 1.
 */
export const UST_SERVICES: readonly string[] = [
  'Local Phone Book', 'Fixed Dialling Numbers (FDN)', 'Extension 2', 'Service Dialling Numbers (SDN)', 'Extension 3',
  'Barred Dialling Numbers (BDN)', 'Extension 4', 'Outgoing Call Information (OCI and OCT)', 'Incoming Call Information (ICI and ICT)', 'Short Message Storage (SMS)',
  'Short Message Status Reports (SMSR)', 'Short Message Service Parameters (SMSP)', 'Advice of Charge (AoC)', 'Capability Configuration Parameters 2 (CCP2)', 'Cell Broadcast Message Identifier',
  'Cell Broadcast Message Identifier Ranges', 'Group Identifier Level 1', 'Group Identifier Level 2', 'Service Provider Name', 'User controlled PLMN selector with Access Technology',
  'MSISDN', 'Image (IMG)', 'Support of Localised Service Areas (SoLSA)', 'Enhanced Multi-Level Precedence and Pre-emption Service', 'Automatic Answer for eMLPP',
  'RFU', 'GSM Access', 'Data download via SMS-PP', 'Data download via SMS-CB', 'Call Control by USIM',
  'MO-SMS Control by USIM', 'RUN AT COMMAND command', 'shall be set to 1', 'Enabled Services Table', 'APN Control List (ACL)',
  'Depersonalisation Control Keys', 'Co-operative Network List', 'GSM security context', 'CPBCCH Information', 'Investigation Scan',
  'MExE', 'Operator controlled PLMN selector with Access Technology', 'HPLMN selector with Access Technology', 'Extension 5', 'PLMN Network Name',
  'Operator PLMN List', 'Mailbox Dialling Numbers', 'Message Waiting Indication Status', 'Call Forwarding Indication Status', 'Reserved and shall be ignored',
  'Service Provider Display Information', 'Multimedia Messaging Service (MMS)', 'Extension 8', 'Call control on GPRS by USIM', 'MMS User Connectivity Parameters',
  "Network's indication of alerting in the MS (NIA)", 'VGCS Group Identifier List (EFVGCS and EFVGCSS)', 'VBS Group Identifier List (EFVBS and EFVBSS)', 'Pseudonym', 'User Controlled PLMN selector for I-WLAN access',
  'Operator Controlled PLMN selector for I-WLAN access', 'User controlled WSID list', 'Operator controlled WSID list', 'VGCS security', 'VBS security',
  'WLAN Reauthentication Identity', 'Multimedia Messages Storage', 'Generic Bootstrapping Architecture (GBA)', 'MBMS security', 'Data download via USSD and USSD application mode',
  'Equivalent HPLMN', 'Additional TERMINAL PROFILE after UICC activation', 'Equivalent HPLMN Presentation Indication', 'Last RPLMN Selection Indication', 'OMA BCAST Smart Card Profile',
  'GBA-based Local Key Establishment Mechanism', 'Terminal Applications', 'Service Provider Name Icon', 'PLMN Network Name Icon', 'Connectivity Parameters for USIM IP connections',
  'Home I-WLAN Specific Identifier List', 'I-WLAN Equivalent HPLMN Presentation Indication', 'I-WLAN HPLMN Priority Indication', 'I-WLAN Last Registered PLMN', 'EPS Mobility Management Information',
  'Allowed CSG Lists and corresponding indications', 'Call control on EPS PDN connection by USIM', 'HPLMN Direct Access', 'eCall Data', 'Operator CSG Lists and corresponding indications',
  'Support for SM-over-IP', 'Support of CSG Display Control', 'Communication Control for IMS by USIM', 'Extended Terminal Applications', 'Support of UICC access to IMS',
  'Non-Access Stratum configuration by USIM', 'PWS configuration by USIM', 'RFU', 'URI support by UICC', 'Extended EARFCN support',
  'ProSe', 'USAT Application Pairing', 'Media Type support', 'IMS call disconnection cause', 'URI support for MO SHORT MESSAGE CONTROL',
  'ePDG configuration Information support', 'ePDG configuration Information configured', 'ACDC support', 'MCPTT', 'ePDG configuration Information for Emergency Service support',
  'ePDG configuration Information for Emergency Service configured', 'eCall Data over IMS', 'URI support for SMS-PP DOWNLOAD', 'From Preferred', 'IMS configuration data',
  'TV configuration', '3GPP PS Data Off', '3GPP PS Data Off Service List', 'V2X', 'XCAP Configuration Data',
  'EARFCN list for MTC/NB-IOT UEs', '5GS Mobility Management Information', '5G Security Parameters', 'Subscription identifier privacy support', 'SUCI calculation by the USIM',
  'UAC Access Identities support', 'Expect control plane-based Steering of Roaming information during initial registration in VPLMN', 'Call control on PDU Session by USIM', '5GS Operator PLMN List', 'Support for SUPI of type NSI or GLI or GCI',
  '3GPP PS Data Off separate Home and Roaming lists', 'Support for URSP by USIM', '5G Security Parameters extended', 'MuD and MiD configuration data', 'Support for Trusted non-3GPP access networks by USIM',
  'Support for multiple records of NAS security context storage for multiple registration', 'Pre-configured CAG information list', 'SOR-CMCI storage in USIM', '5G ProSe', 'Storage of disaster roaming information in USIM',
  'Pre-configured eDRX parameters', '5G NSWO support', 'PWS configuration for SNPN in USIM', 'Multiplier Coefficient for Higher Priority PLMN search via NG-RAN satellite access', 'K_AUSF derivation configuration',
  'Network Identifier for SNPN (NID)',
];

export const EST_SERVICES: readonly string[] = ['Fixed Dialling Numbers (FDN)', 'Barred Dialling Numbers (BDN)', 'APN Control List (ACL)'];

export const IST_SERVICES: readonly string[] = [
  'P-CSCF address', 'Generic Bootstrapping Architecture (GBA)', 'HTTP Digest', 'GBA-based Local Key Establishment Mechanism', 'Support of P-CSCF discovery for IMS Local Break Out',
  'Short Message Storage (SMS)', 'Short Message Status Reports (SMSR)', 'Support for SM-over-IP including data download via SMS-PP', 'Communication Control for IMS by ISIM', 'Support of UICC access to IMS',
  'URI support by UICC', 'Media Type support', 'IMS call disconnection cause', 'URI support for MO SHORT MESSAGE CONTROL', 'MCPTT',
  'URI support for SMS-PP DOWNLOAD', 'From Preferred', 'IMS configuration data', 'XCAP Configuration Data', 'WebRTC URI',
  'MuD and MiD configuration data',
];
