/**
 * simdm as a library (`import { openReader } from 'simdm'`): open a reader, talk APDUs, walk the
 * card's file system and decode its EFs. The domains have their own entry points:
 *   simdm/codec      BER/COMPREHENSION/SIMPLE/LwM2M TLV, FCP, WBXML (OMA CP, SyncML)
 *   simdm/bootstrap  profiles (load, compile), write to a card, read back (PKCS#15 DM/CP/LwM2M)
 *   simdm/secure     AKA (Milenage, TUAK), GBA, GlobalPlatform SCP02/SCP03, OTA + RFM, OMA DM auth
 *   simdm/bridge     the network bridge client (remote://)
 *   simdm/sim        the virtual UICC (for tests and demos)
 * docs/library.md shows each in use. Everything else under dist/ is internal.
 */
export { openReader, registerBuiltinSchemes, type OpenReaderOptions, type Reader } from './api/reader.js';
export { SimdmError, UsageError } from './errors.js';
export { SecretStore } from './util/secrets.js';
export { fromHex, toHex } from './util/hex.js';

// transport: any reader behind one interface; schemes beside PC/SC are registered by name
export type { Transport, TransportEvent } from './transport/types.js';
export { openTransport, registerScheme, registeredSchemes, type OpenedTransport, type SchemeOpener } from './transport/open.js';
export { PcscContext, PcscTransport } from './transport/pcsc.js';
export { TransportError } from './transport/errors.js';

// APDU: ISO 7816-4 / TS 102 221 commands, responses, status words, trace, ATR
export { CardLink, LogicalChannel, type ApduSender, type LinkOptions } from './apdu/link.js';
export { ApduFormatError, decodeCommand, encodeCommand, formatCommand, type CommandApdu } from './apdu/command.js';
export { decodeResponse, encodeResponse, type ResponseApdu } from './apdu/response.js';
export { describeSw, isSuccess, SwError, swHex, swText, type SwInfo } from './apdu/sw.js';
export { decodeAtr, describeAtr, type Atr } from './apdu/atr.js';
export { memorySink, streamSink, type TraceEntry, type TraceSink } from './apdu/trace.js';

// the card: file system, standard files and their codecs, PINs that cannot block, dump/restore
export * from './api/card.js';

// APDU scripts (docs/apdu-scripts.md)
export { parseScript, ScriptError, type Script } from './script/parse.js';
export { runScript, type RunOptions, type RunReport, type StepResult } from './script/run.js';
