import test from 'ava';
import { adapterContract } from './cluster-support/adapterContract.js';

// The reference: one process with the local adapter must pass the same contract as a cluster.
adapterContract(test, { driver: 'local' });
