import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HttpsGetOptions {
  readonly port: number;
  /** @default '/' */
  readonly path?: string;
  /** PEM text of the only CA trusted for the server's certificate. */
  readonly ca: string;
  /** A client certificate and its key, for servers that check one. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** One GET over https to 127.0.0.1 (no agent, so every call is a new TLS handshake). */
export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
  /** The common name of the certificate the server presented. */
  readonly cn: string;
}

export function httpsGet(options: HttpsGetOptions): Promise<HttpsAnswer> {
  const { port, path = '/', ca, cert, key } = options;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, cert, key, agent: false }, (res) => {
      let body = '';
      const cn = String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cn }));
    });
    req.on('error', reject);
    req.end();
  });
}
