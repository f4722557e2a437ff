import test from 'ava';
import { adapterContract } from './cluster-support/adapterContract.js';

// Three meshed processes: clients and publishers spread over them.
adapterContract(test, { driver: 'cluster', nodes: 3 });
