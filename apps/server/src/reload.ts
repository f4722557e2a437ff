import type { Logger, SslConfig } from '@meshpush/pusher-server';
import { oneLine } from './config/errors.js';
import type { ClusterTlsFiles } from './config/settings.js';
import { checkClientTls, clientTlsEnabled, loadMeshTls, meshTlsEnabled, type MeshTlsPem } from './tls.js';

export interface ReloadOptions {
  logger: Logger;
  ssl: SslConfig;
  clusterTls: ClusterTlsFiles;
  /** The running mesh, when the cluster driver runs one. */
  mesh: { updateTls(tls: MeshTlsPem): void } | undefined;
}

/**
 * SIGHUP re-reads the certificates from disk. Mesh TLS: new routes use the new files, routes
 * already up keep theirs; a file that fails the checks keeps the old material, and the log says
 * why. Client TLS: uWebSockets.js 20.30 cannot swap the certificate of a listening `SSLApp`
 * (its only per-connection hook, SNI, routes to empty per-domain routers), so the new files are
 * checked and a restart is asked for (with a cluster driver, nodes share the port: restart them one at a time).
 */
export function reloadCertificatesOnSighup(options: ReloadOptions): void {
  process.on('SIGHUP', () => reloadCertificates(options));
}

export function reloadCertificates({ logger, ssl, clusterTls, mesh }: ReloadOptions): void {
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
      const certificate = checkClientTls(ssl);
      logger.warn(
        `SIGHUP: client TLS files are valid (${certificate.subject}, valid to ${certificate.validTo}) but the WebSocket/HTTP ` +
          'listener keeps its certificate until the process restarts (uWebSockets.js cannot swap it)',
      );
    } catch (error) {
      logger.error(`SIGHUP: client TLS files are not usable: ${oneLine(error)}`);
    }
  }
}
