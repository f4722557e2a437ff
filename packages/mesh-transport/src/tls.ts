import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  connect,
  createSecureContext,
  createServer,
  type SecureContext,
  type Server as TlsServer,
  type TLSSocket,
} from 'node:tls';
import type { HostPort } from './address.js';

/**
 * Mutual TLS for every route. All three are PEM text (or buffers holding PEM); reading them from
 * files is the caller's business. A node presents `cert` and accepts only peers whose
 * certificate chains to `ca`; the shared-secret handshake still runs inside the TLS session.
 */
export interface MeshTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** The CA (one or more PEM certificates) that signs the mesh's node certificates. */
  readonly ca: string | Buffer;
}

/** A certificate as `stats()` shows it. */
export interface CertificateInfo {
  readonly subject: string;
  /** ISO 8601 end of validity. */
  readonly validTo: string;
}

/** The first byte of every TLS record carrying a handshake (a ClientHello starts with it). */
export const TLS_HANDSHAKE_BYTE = 0x16;

/** Errors of `createSecureContext` that mean "these files do not belong together / are not PEM". */
export class MeshTlsError extends Error {
  override readonly name = 'MeshTlsError';
}

interface Material {
  readonly context: SecureContext;
  readonly certificate: CertificateInfo;
  /** Own certificate and CA certificates: the earliest end of validity among them. */
  readonly earliestExpiry: string;
}

/**
 * Holds the current key, certificate and CA of a node. New routes use the current material;
 * routes already up keep the session they negotiated, so an update never drops a route.
 */
export class MeshTls {
  #material: Material;
  readonly #server: TlsServer;

  constructor(options: MeshTlsOptions) {
    this.#material = buildMaterial(options);
    // Never listens: raw sockets are handed to it after their first byte was checked.
    this.#server = createServer({ ...serverOptions(options) });
    this.#server.setMaxListeners(0);
  }

  /** Validates the new material and swaps it in for new routes; throws {@link MeshTlsError} and keeps the old. */
  update(options: MeshTlsOptions): void {
    const material = buildMaterial(options);
    this.#server.setSecureContext(serverOptions(options));
    this.#material = material;
  }

  get certificate(): CertificateInfo {
    return this.#material.certificate;
  }

  get earliestExpiry(): string {
    return this.#material.earliestExpiry;
  }

  /**
   * Starts the server side of the TLS handshake on an accepted socket. The shared server reports
   * every handshake through the same events, so each is matched to its raw socket.
   */
  accept(
    socket: Socket,
    timeoutMs: number,
    onSecure: (socket: TLSSocket) => void,
    onFailure: (reason: string, remote: string) => void,
  ): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const onSecureConnection = (secure: TLSSocket): void => {
      if (!wraps(secure, socket)) return;
      cleanup();
      if (secure.authorized) return onSecure(secure);
      secure.destroy();
      onFailure(
        `TLS handshake failed: the peer's certificate was not accepted (${String(secure.authorizationError ?? 'no certificate')})`,
        remote,
      );
    };
    const onClientError = (error: Error, secure: TLSSocket): void => {
      if (!wraps(secure, socket)) return;
      cleanup();
      onFailure(`TLS handshake failed: ${describeTlsError(error)}`, remote);
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      onFailure('TLS handshake timed out', remote);
    }, timeoutMs).unref();
    // A peer that rejects this node's certificate hangs up mid-handshake; Node reports nothing then.
    const onClose = (): void => {
      cleanup();
      onFailure(
        "TLS handshake failed: the peer closed the connection during the handshake (does it trust this node's CA?)",
        remote,
      );
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('close', onClose);
      this.#server.off('secureConnection', onSecureConnection);
      this.#server.off('tlsClientError', onClientError);
    };
    socket.once('close', onClose);
    this.#server.on('secureConnection', onSecureConnection);
    this.#server.on('tlsClientError', onClientError);
    this.#server.emit('connection', socket);
  }

  /**
   * Dials a peer. The peer's certificate must chain to the CA; its host name is not checked,
   * because nodes dial each other by the addresses they announce (pod IPs, ephemeral ports): the
   * CA is what admits a node, so give the mesh a CA of its own.
   */
  dial(address: HostPort): TLSSocket {
    return connect({
      host: address.host,
      port: address.port,
      secureContext: this.#material.context,
      rejectUnauthorized: true,
      checkServerIdentity: () => undefined,
    });
  }
}

/**
 * Whether `secure` is the TLS layer over `raw`. Node keeps the wrapped socket as `_parentWrap`
 * (not public, but there since Node 8); the 4-tuple is the fallback, unusable only once destroyed.
 */
function wraps(secure: TLSSocket, raw: Socket): boolean {
  const parent = (secure as TLSSocket & { _parentWrap?: unknown })._parentWrap;
  if (parent !== undefined) return parent === raw;
  return (
    secure.remotePort === raw.remotePort &&
    secure.remoteAddress === raw.remoteAddress &&
    secure.localPort === raw.localPort
  );
}

/**
 * The server asks every peer for a certificate. It does not let Node reject unverified peers on
 * its own, because Node then drops them without a word: `accept` checks `authorized` itself and
 * logs why before it closes the connection (nothing is ever sent to such a peer).
 */
function serverOptions(options: MeshTlsOptions): {
  key: string | Buffer;
  cert: string | Buffer;
  ca: string | Buffer;
  requestCert: true;
  rejectUnauthorized: false;
} {
  return { key: options.key, cert: options.cert, ca: options.ca, requestCert: true, rejectUnauthorized: false };
}

function buildMaterial(options: MeshTlsOptions): Material {
  let context: SecureContext;
  try {
    context = createSecureContext({ key: options.key, cert: options.cert, ca: options.ca });
  } catch (error) {
    throw new MeshTlsError(
      `mesh TLS: key, certificate and CA do not form a usable identity: ${describeTlsError(error as Error)}`,
    );
  }
  const certificate = parseCertificates(options.cert, 'certificate')[0] as X509Certificate;
  const cas = parseCertificates(options.ca, 'CA');
  const earliest = [certificate, ...cas].map((cert) => new Date(cert.validTo)).reduce((a, b) => (b < a ? b : a));
  return {
    context,
    certificate: { subject: oneLineSubject(certificate.subject), validTo: new Date(certificate.validTo).toISOString() },
    earliestExpiry: earliest.toISOString(),
  };
}

/** Every PEM certificate in `pem`; throws {@link MeshTlsError} when there is none or one does not parse. */
export function parseCertificates(pem: string | Buffer, what: string): X509Certificate[] {
  const blocks = pem.toString().match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new MeshTlsError(`mesh TLS: the ${what} holds no PEM certificate`);
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch (error) {
    throw new MeshTlsError(`mesh TLS: the ${what} does not parse: ${(error as Error).message}`);
  }
}

/** `CN=node-1\nO=acme` → `CN=node-1, O=acme`. */
export function oneLineSubject(subject: string): string {
  return subject.split('\n').filter(Boolean).join(', ');
}

/** What a peer's certificate says, from an established TLS socket. */
export function peerCertificate(socket: TLSSocket): CertificateInfo | undefined {
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return undefined;
  return { subject: oneLineSubject(cert.subject), validTo: new Date(cert.validTo).toISOString() };
}

/** OpenSSL's reason, without the library noise, plus a hint for the common mixed-mode failure. */
export function describeTlsError(error: Error): string {
  const { code, reason } = error as Error & { code?: string; reason?: string };
  const text = reason ?? error.message.replace(/^.*routines:/, '').trim();
  const hint = /wrong version number|packet length too long|http request|unknown protocol/i.test(text)
    ? ' (the peer does not speak TLS: is mesh TLS off there?)'
    : '';
  return `${code !== undefined && !text.includes(code) ? `${code}: ` : ''}${text}${hint}`;
}

/** Whether a socket error happened in the TLS layer (as opposed to TCP). */
export function isTlsError(error: Error): boolean {
  const { code, library } = error as Error & { code?: string; library?: string };
  return (
    library !== undefined ||
    (code !== undefined && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || CERT_ERROR_CODES.has(code)))
  );
}

const CERT_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
