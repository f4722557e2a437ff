import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PROTOCOL_VERSION } from './frames.js';

export const NONCE_BYTES = 16;

export function createNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

/** Who proves to whom, inside which cluster: bound into the proof so it cannot be replayed elsewhere. */
export interface ProofContext {
  readonly secret: string;
  readonly clusterName: string;
  /** The node that computes the proof. */
  readonly proverId: string;
  /** The node that issued the nonce and checks the proof. */
  readonly verifierId: string;
  /** The verifier's nonce from its HELLO. */
  readonly nonce: Uint8Array;
}

/** HMAC-SHA256(secret, "meshpush-mesh/v<version>" NUL cluster NUL prover NUL verifier NUL nonce). */
export function computeProof(context: ProofContext): Buffer {
  const label = `meshpush-mesh/v${PROTOCOL_VERSION}\0${context.clusterName}\0${context.proverId}\0${context.verifierId}\0`;
  return createHmac('sha256', context.secret).update(label).update(context.nonce).digest();
}

export function verifyProof(context: ProofContext, proof: Uint8Array): boolean {
  const expected = computeProof(context);
  return proof.length === expected.length && timingSafeEqual(expected, proof);
}
