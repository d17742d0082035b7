/**
 * The card file system layer: CardFs (SELECT/READ/UPDATE by name, path, FID, AID), the catalogue
 * of standard files, EF codecs, PIN/ADM handling that cannot block a card, tree walk, dump/restore.
 */
export { CardFs, fileInfo, parseDirRecord, type AppInfo, type CardFsOptions, type FileInfo, type FileType, type Structure } from './fs.js';
export { Catalogue, standardCatalogue, type CatalogueEntry } from './catalogue.js';
export { CODECS, codecFor, type CodecVector, type EfCodec, type Json } from './codecs/index.js';
export { changePin, disablePin, enablePin, encodePinValue, pinStatus, pukStatus, unblockPin, verifyPin, type PinRef, type PinStatus, type SafetyOptions } from './pin.js';
export { isAdm, keyName, keyRefOf, pukName } from './keys.js';
export { accessFromCompact, accessFromExpanded, hintFor, keysOf, type AccessMap, type AccessOp, type AccessRule } from './access.js';
export { listDf, walk, type WalkOptions } from './walk.js';
export { applyRestore, dumpCard, parseDump, planRestore, readEntry, RestoreError, DUMP_FORMAT, type Dump, type DumpFile, type DumpOptions, type DumpStats, type RestoreAction } from './dump.js';
export { CardFsError, FileNotFoundError, PinError } from './errors.js';
