/**
 * `simdm/secure`: the secure-messaging layers, one namespace each (their names overlap):
 *   aka   3GPP AKA: Milenage (TS 35.206), TUAK (TS 35.231), AuC vectors, AUTS, the USIM side,
 *         AUTHENTICATE on a card
 *   gba   GBA key derivation (TS 33.220 annex B), B-TID
 *   gp    GlobalPlatform SCP02 / SCP03 secure channels and card management commands
 *   ota   OTA secured packets (TS 102 225 / TS 31.115) with RFM (TS 102 226)
 *   dm    OMA DM authentication (basic, md5, HMAC) and package #0 notifications
 */
export * as aka from './secure-aka.js';
export * as gba from './secure-gba.js';
export * as gp from '../secure/gp/index.js';
export * as ota from '../secure/ota/index.js';
export * as dm from './secure-dm.js';
