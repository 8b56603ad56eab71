export {
  type CheckpointBody,
  readCheckpoint,
  type SignedCheckpoint,
  signCheckpoint,
  type Verification,
  type VerifiedCheckpoint,
  verifyCheckpoint,
} from './checkpoint.ts';
export { Frontier, type NewNode } from './frontier.ts';
export {
  loadOrCreateSigningKey,
  loadSigningKey,
  readPublicKeyFile,
  recordPublicKey,
} from './key-files.ts';
export {
  formatFingerprint,
  generateSigningKeyPem,
  KeyError,
  noteKeyId,
  type PublicKey,
  publicKeyOf,
  publicKeyPem,
  publicKeysFromPem,
  type SigningKey,
  signingKeyFromPem,
} from './keys.ts';
export { eventLeafHash, type LoggedEvent, leafData } from './leaf.ts';
export {
  consistencyProof,
  EMPTY_ROOT,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  type NodeKey,
  type NodeSource,
  nodeHash,
  nodeMap,
  nodesNeeded,
  rootFromInclusion,
  splitPoint,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
export { foldedSource, isStoredLevel, storedCover, storedCovers } from './stored-levels.ts';
export {
  type ConsistencySource,
  extendsKept,
  type Kept,
  keepCheckpoint,
  readWitnessFile,
  WitnessFileError,
  type WitnessLine,
  type WitnessOutcome,
  witness,
} from './witness.ts';
