/**
 * `simdm/bootstrap`: Device Management bootstrap data on the card (OMA ProvSC / DM bootstrap /
 * LwM2M bootstrap from smartcard, a PKCS#15 structure): load and compile a profile (YAML), write
 * the plan to a card (only what differs, content first and the DODF switch last, backup kept),
 * read it back as a device would.
 */
export { loadProfile, ProfileError, type LoadedProfile, type LoadOptions, type VarResolver } from '../bootstrap/profile/load.js';
export { compileProfile, type CompileContext } from '../bootstrap/profile/compile.js';
export type { Profile, ProfileInput } from '../bootstrap/profile/schema.js';
export { cardVars, loadVarsFile, readImsi } from '../bootstrap/profile/vars.js';
export type { CardPlan, PlannedFile } from '../bootstrap/plan.js';
export { readIccid, writePlan, type FileAction, type WriteOptions, type WriteReport } from '../bootstrap/writer.js';
export { readBootstrap, type CardBootstrapFile, type CardDataObject, type CardDodf, type CardState, type ReadOptions } from '../bootstrap/reader.js';
export { BootstrapError } from '../bootstrap/errors.js';
