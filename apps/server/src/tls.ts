import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { checkSslFiles, SslFileError, type CertificateSummary, type SslConfig } from '@meshpush/pusher-server';
import { ConfigError } from './config/errors.js';
import type { ClusterTlsFiles } from './config/settings.js';

/** PEM text of mesh TLS, as `Mesh.start({ tls })` takes it. */
export interface MeshTlsPem {
  key: string;
  cert: string;
  ca: string;
}

const clientLabels = {
  cert: 'SSL_CERT',
  key: 'SSL_KEY',
  passphrase: 'SSL_PASSPHRASE (or SSL_PASS)',
  ca: 'SSL_CA',
} as const;

export function clientTlsEnabled(ssl: SslConfig): boolean {
  return ssl.certFile !== '';
}

export function meshTlsEnabled(files: ClusterTlsFiles): boolean {
  return files.certFile !== '';
}

/** Checks the SSL_* files before uWS gets them; throws a one-line `ConfigError` naming the file. */
export function checkClientTls(ssl: SslConfig): CertificateSummary {
  try {
    return checkSslFiles(ssl, clientLabels);
  } catch (error) {
    if (error instanceof SslFileError) throw new ConfigError(error.message);
    throw error;
  }
}

/**
 * Reads and checks the CLUSTER_TLS_* files: readable, PEM, a key that matches the certificate,
 * a CA that parses. Throws a one-line `ConfigError` naming the file.
 */
export function loadMeshTls(files: ClusterTlsFiles): { pem: MeshTlsPem; certificate: CertificateSummary } {
  const pem = {
    cert: readPem(files.certFile, 'CLUSTER_TLS_CERT'),
    key: readPem(files.keyFile, 'CLUSTER_TLS_KEY'),
    ca: readPem(files.caFile, 'CLUSTER_TLS_CA'),
  };
  const certificate = certificateIn(pem.cert, `CLUSTER_TLS_CERT file ${files.certFile}`);
  certificateIn(pem.ca, `CLUSTER_TLS_CA file ${files.caFile}`);
  let key;
  try {
    key = createPrivateKey(pem.key);
  } catch (error) {
    const encrypted = /ENCRYPTED/.test(pem.key) ? ' (encrypted keys are not supported for the mesh)' : '';
    throw new ConfigError(
      `CLUSTER_TLS_KEY file ${files.keyFile} holds no usable PEM private key${encrypted}: ${(error as Error).message}`,
    );
  }
  if (!certificate.checkPrivateKey(key)) {
    throw new ConfigError(
      `CLUSTER_TLS_KEY file ${files.keyFile} does not match the certificate in CLUSTER_TLS_CERT file ${files.certFile}`,
    );
  }
  try {
    createSecureContext(pem);
  } catch (error) {
    throw new ConfigError(`CLUSTER_TLS_* files are not usable together: ${(error as Error).message}`);
  }
  return {
    pem,
    certificate: {
      subject: certificate.subject.split('\n').join(', '),
      validTo: new Date(certificate.validTo).toISOString(),
    },
  };
}

function readPem(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `cannot read ${name} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function certificateIn(pem: string, what: string): X509Certificate {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (block === undefined) throw new ConfigError(`${what} holds no PEM certificate`);
  try {
    return new X509Certificate(block);
  } catch (error) {
    throw new ConfigError(`${what} does not parse as a certificate: ${(error as Error).message}`);
  }
}
