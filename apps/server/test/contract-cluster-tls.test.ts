import test from 'ava';
import { adapterContract } from './cluster-support/adapterContract.js';
import { TestCa } from '@meshpush/test-support';

// Three meshed processes whose every route is mutual TLS (certificates made for this run).
const ca = TestCa.create({ teardown: (fn) => test.after.always(fn) });
const node = ca.issue('meshpush-node');
adapterContract(test, {
  driver: 'cluster',
  nodes: 3,
  env: {
    CLUSTER_TLS_CERT: node.certFile,
    CLUSTER_TLS_KEY: node.keyFile,
    CLUSTER_TLS_CA: ca.caFile,
    CLUSTER_SECRET: 'contract-secret',
  },
});
