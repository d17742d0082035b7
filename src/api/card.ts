/**
 * The card file system layer for `simdm`: CardFs (SELECT/READ/UPDATE by name, path, FID, AID),
 * the catalogue of standard files with their EF codecs, PIN/ADM handling that cannot block a
 * card, tree walk, dump/restore.
 */
export { CardFs, fileInfo, parseDirRecord, type AppInfo, type CardFsOptions, type FileInfo, type FileType, type Structure } from '../card/fs.js';
export { Catalogue, standardCatalogue, type CatalogueEntry } from '../card/catalogue.js';
export { CARD_MODEL, CODECS } from '../card/spec/index.js';
export type { CodecVector, EfCodec, Json } from '../card/codecs/types.js';
export {
  changePin,
  disablePin,
  enablePin,
  encodePinValue,
  pinStatus,
  pukStatus,
  unblockPin,
  verifyPin,
  type PinRef,
  type PinStatus,
  type SafetyOptions,
} from '../card/pin.js';
export { isAdm, keyName, keyRefOf, pukName } from '../card/keys.js';
export { accessFromCompact, accessFromExpanded, hintFor, keysOf, type AccessMap, type AccessOp, type AccessRule } from '../card/access.js';
export { listDf, walk, type WalkOptions } from '../card/walk.js';
export {
  applyRestore,
  dumpCard,
  parseDump,
  planRestore,
  readEntry,
  RestoreError,
  DUMP_FORMAT,
  type Dump,
  type DumpFile,
  type DumpOptions,
  type DumpStats,
  type RestoreAction,
} from '../card/dump.js';
export { CardFsError, FileNotFoundError, PinError } from '../card/errors.js';
