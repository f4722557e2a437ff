import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TemplatedApp } from 'uWebSockets.js';
import type { SslConfig } from '../config/ServerConfig.js';
import { nativeUws } from './nativeUws.js';

/** A certificate as the server reports it (metrics, logs). */
export interface CertificateSummary {
  readonly subject: string;
  /** ISO 8601 end of validity. */
  readonly validTo: string;
}

/** What to call each file in an error: the CLI passes its environment names. */
export interface SslLabels {
  readonly cert: string;
  readonly key: string;
  readonly passphrase: string;
  readonly ca: string;
}

const configLabels: SslLabels = {
  cert: 'ssl.certFile',
  key: 'ssl.keyFile',
  passphrase: 'ssl.passphrase',
  ca: 'ssl.caFile',
};

/** A TLS file that cannot be used: the message names the setting and the file. */
export class SslFileError extends Error {
  override readonly name = 'SslFileError';
}

export function sslEnabled(ssl: SslConfig): boolean {
  return ssl.certFile !== '' || ssl.keyFile !== '';
}

/**
 * Checks the TLS files with node:crypto before uWebSockets.js sees them: uWS reports an
 * unreadable file, a wrong passphrase or a key that does not match only as an app that never
 * listens. Throws {@link SslFileError} with one line naming the file; returns the certificate.
 */
export function checkSslFiles(ssl: SslConfig, labels: SslLabels = configLabels): CertificateSummary {
  if (ssl.certFile === '' || ssl.keyFile === '')
    throw new SslFileError(`${labels.cert} and ${labels.key} must be set together`);
  const certPem = readPem(ssl.certFile, labels.cert);
  const keyPem = readPem(ssl.keyFile, labels.key);
  const key = privateKey(keyPem, ssl, labels);
  const certificate = firstCertificate(certPem, `${labels.cert} file ${ssl.certFile}`);
  if (!certificate.checkPrivateKey(key)) {
    throw new SslFileError(
      `${labels.key} file ${ssl.keyFile} does not match the certificate in ${labels.cert} file ${ssl.certFile}`,
    );
  }
  if (ssl.caFile !== '') firstCertificate(readPem(ssl.caFile, labels.ca), `${labels.ca} file ${ssl.caFile}`);
  try {
    createSecureContext({ cert: certPem, key: keyPem, ...(ssl.passphrase !== '' && { passphrase: ssl.passphrase }) });
  } catch (error) {
    throw new SslFileError(
      `${labels.cert} file ${ssl.certFile} with ${labels.key} file ${ssl.keyFile} is not usable: ${(error as Error).message}`,
    );
  }
  return { subject: oneLineSubject(certificate.subject), validTo: new Date(certificate.validTo).toISOString() };
}

/** A plain `App`, or an `SSLApp` over the checked files when `ssl` names a certificate. */
export function createUwsApp(ssl: SslConfig): { app: TemplatedApp; certificate: CertificateSummary | undefined } {
  if (!sslEnabled(ssl)) return { app: nativeUws().App(), certificate: undefined };
  const certificate = checkSslFiles(ssl);
  const app = nativeUws().SSLApp({
    cert_file_name: ssl.certFile,
    key_file_name: ssl.keyFile,
    ...(ssl.passphrase !== '' && { passphrase: ssl.passphrase }),
    ...(ssl.caFile !== '' && { ca_file_name: ssl.caFile }),
  });
  return { app, certificate };
}

function readPem(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    throw new SslFileError(`cannot read ${label} file ${path}: ${code ?? (error as Error).message}`);
  }
}

function privateKey(pem: string, ssl: SslConfig, labels: SslLabels): KeyObject {
  const encrypted = /ENCRYPTED/.test(pem);
  if (encrypted && ssl.passphrase === '') {
    throw new SslFileError(`${labels.key} file ${ssl.keyFile} is encrypted: set ${labels.passphrase}`);
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(ssl.passphrase !== '' && { passphrase: ssl.passphrase }) });
  } catch (error) {
    if (encrypted) throw new SslFileError(`${labels.key} file ${ssl.keyFile}: wrong passphrase (${labels.passphrase})`);
    throw new SslFileError(
      `${labels.key} file ${ssl.keyFile} holds no usable PEM private key: ${(error as Error).message}`,
    );
  }
}

function firstCertificate(pem: string, what: string): X509Certificate {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (block === undefined) throw new SslFileError(`${what} holds no PEM certificate`);
  try {
    return new X509Certificate(block);
  } catch (error) {
    throw new SslFileError(`${what} does not parse as a certificate: ${(error as Error).message}`);
  }
}

function oneLineSubject(subject: string): string {
  return subject.split('\n').filter(Boolean).join(', ');
}
