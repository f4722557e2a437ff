import { setting, type SettingOption } from './options.js';
import { text } from './parsers.js';

/** A file path; empty means "not set" (soketi's default for its SSL_* options). */
const filePath = text({ allowEmpty: true });

export const tlsOptions: SettingOption[] = [
  setting({
    env: 'SSL_CERT',
    key: 'ssl.certPath',
    target: 'server.ssl.certFile',
    parse: filePath,
    doc: 'PEM certificate (chain) file: the WebSocket/HTTP port speaks TLS',
  }),
  setting({
    env: 'SSL_KEY',
    key: 'ssl.keyPath',
    target: 'server.ssl.keyFile',
    parse: filePath,
    doc: 'PEM private key file of SSL_CERT',
  }),
  setting({
    env: 'SSL_PASS',
    key: 'ssl.passphrase',
    target: 'server.ssl.passphrase',
    parse: filePath,
    doc: "passphrase of an encrypted SSL_KEY (soketi's name)",
    secret: true,
  }),
  setting({
    env: 'SSL_PASSPHRASE',
    target: 'server.ssl.passphrase',
    parse: filePath,
    doc: 'same as SSL_PASS',
    secret: true,
  }),
  setting({
    env: 'SSL_CA',
    key: 'ssl.caPath',
    target: 'server.ssl.caFile',
    parse: filePath,
    doc: 'PEM CA file; clients presenting a certificate must chain to it',
  }),
  setting({
    env: 'CLUSTER_TLS_CERT',
    key: 'cluster.tls.cert',
    target: 'clusterTls.certFile',
    parse: filePath,
    doc: 'PEM certificate file of this node: mutual TLS on every mesh route',
  }),
  setting({
    env: 'CLUSTER_TLS_KEY',
    key: 'cluster.tls.key',
    target: 'clusterTls.keyFile',
    parse: filePath,
    doc: 'PEM private key file of CLUSTER_TLS_CERT',
  }),
  setting({
    env: 'CLUSTER_TLS_CA',
    key: 'cluster.tls.ca',
    target: 'clusterTls.caFile',
    parse: filePath,
    doc: 'PEM CA file that signs every node certificate',
  }),
];
