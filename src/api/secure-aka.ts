/** AKA for `simdm/secure` (namespace `aka`). */
export { akaAlgorithm, type AkaAlgorithm, type AlgorithmName, type SubscriberKeys } from '../secure/aka/algorithm.js';
export { AMF_RESYNC, buildAuts, generateVector, nextSqnAfterResync, sqnBytes, sqnNumber, vectorJson, verifyAuts, type AuthVector } from '../secure/aka/auc.js';
export { authenticate3gData, parseAuthenticate3gAnswer, parseAuthenticateGsmAnswer, type Authenticate3gAnswer } from '../secure/aka/authenticate-apdu.js';
export { authenticate, authenticateGsm, expectAuthSuccess, SyncFailureError, type DeviceAuthResult } from '../secure/aka/device.js';
export { AkaError } from '../secure/aka/errors.js';
export { gsmKc, gsmSres, Milenage, milenageOpc, MILENAGE_DEFAULTS, type MilenageConstants } from '../secure/aka/milenage.js';
export { DEFAULT_SQN_POLICY, SqnArray, SqnGenerator, type SqnPolicy } from '../secure/aka/sqn.js';
export { Tuak, tuakTopc, type TuakParams } from '../secure/aka/tuak.js';
export { usimAuthenticate, type UsimAuthResult } from '../secure/aka/usim.js';
