import type { Logger, MeshpushServer, SslConfig } from '@meshpush/pusher-server';
import { oneLine } from './config/errors.js';
import type { ClusterTlsFiles } from './config/settings.js';
import { checkClientTls, clientTlsEnabled, loadMeshTls, meshTlsEnabled, type MeshTlsPem } from './tls.js';

export interface ReloadOptions {
  logger: Logger;
  ssl: SslConfig;
  clusterTls: ClusterTlsFiles;
  server: Pick<MeshpushServer, 'reloadTls'>;
  /** The running mesh, when the cluster driver runs one. */
  mesh: { updateTls(tls: MeshTlsPem): void } | undefined;
}

/**
 * SIGHUP re-reads the certificates from disk for new connections; open sockets and mesh routes
 * keep the session they have. Files that fail the checks leave the current certificates in
 * place, and the log says why.
 */
export function reloadCertificatesOnSighup(options: ReloadOptions): void {
  process.on('SIGHUP', () => void reloadCertificates(options));
}

export async function reloadCertificates({ logger, ssl, clusterTls, server, mesh }: ReloadOptions): Promise<void> {
  if (!meshTlsEnabled(clusterTls) && !clientTlsEnabled(ssl)) {
    logger.info('SIGHUP: no TLS configured, nothing to reload');
    return;
  }
  if (meshTlsEnabled(clusterTls) && mesh !== undefined) {
    try {
      const { pem, certificate } = loadMeshTls(clusterTls);
      mesh.updateTls(pem);
      logger.info(`SIGHUP: mesh TLS reloaded for new routes (${certificate.subject}, valid to ${certificate.validTo})`);
    } catch (error) {
      logger.error(`SIGHUP: mesh TLS reload failed, keeping the current certificates: ${oneLine(error)}`);
    }
  }
  if (clientTlsEnabled(ssl)) {
    try {
      // Checked here first for the error message in the operator's names (SSL_CERT, …).
      checkClientTls(ssl);
      const certificate = await server.reloadTls();
      logger.info(
        `SIGHUP: client TLS reloaded for new connections (${certificate.subject}, valid to ${certificate.validTo})`,
      );
    } catch (error) {
      logger.error(`SIGHUP: client TLS reload failed, keeping the current certificate: ${oneLine(error)}`);
    }
  }
}
