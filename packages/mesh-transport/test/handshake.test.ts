import test from 'ava';
import { computeProof, createNonce, verifyProof, type ProofContext } from '../src/handshake.js';

const context = (overrides: Partial<ProofContext> = {}): ProofContext => ({
  secret: 's3cret',
  clusterName: 'meshpush',
  proverId: 'aaaa',
  verifierId: 'bbbb',
  nonce: Buffer.alloc(16, 9),
  ...overrides,
});

test('a proof made with the shared secret verifies', (t) => {
  t.true(verifyProof(context(), computeProof(context())));
});

test('a proof made with another secret, cluster, nonce or identity does not verify', (t) => {
  const proof = computeProof(context());
  t.false(verifyProof(context({ secret: 'other' }), proof));
  t.false(verifyProof(context({ clusterName: 'other' }), proof));
  t.false(verifyProof(context({ nonce: Buffer.alloc(16, 1) }), proof));
  t.false(verifyProof(context({ proverId: 'bbbb', verifierId: 'aaaa' }), proof), 'a proof cannot be reflected back');
  t.false(verifyProof(context(), proof.subarray(0, 16)), 'a short proof is refused without throwing');
});

test('nonces are fresh', (t) => {
  t.notDeepEqual(createNonce(), createNonce());
  t.is(createNonce().length, 16);
});
