import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const OPENSSL_TIMEOUT_MS = 20_000;

/** Throwaway PEM files for `127.0.0.1`: a CA and one certificate signed by it. */
export interface BenchCertificates {
  readonly dir: string;
  readonly caFile: string;
  /** The CA's PEM text, which clients trust. */
  readonly caPem: string;
  /** Valid for IP 127.0.0.1 and `localhost`, as server and as client (mesh mutual TLS). */
  readonly certFile: string;
  readonly keyFile: string;
  /** Deletes the directory. */
  remove(): void;
}

/** The extensions of the node certificate. */
const NODE_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth,clientAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
].join('\n');

/** An EC P-256 key: what most deployments get from their CA today, and cheap to generate. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Generates a CA and a node certificate with the `openssl` CLI into a new temp directory. Both
 * expire after 2 days: they exist only for one bench run.
 */
export async function generateCertificates(): Promise<BenchCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'meshpush-bench-tls-'));
  const path = (name: string): string => join(dir, name);
  const openssl = async (args: string[]): Promise<void> => {
    try {
      await run('openssl', args, { cwd: dir, timeout: OPENSSL_TIMEOUT_MS });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${stderr.trim() || String(error)}`);
    }
  };
  try {
    writeFileSync(path('node.ext'), NODE_EXTENSIONS + '\n');
    await openssl([
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=meshpush-bench-ca',
    ]);
    await openssl(['req', ...EC_KEY, '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=127.0.0.1']);
    await openssl([
      'x509',
      '-req',
      '-in',
      'node.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'node.pem',
      '-days',
      '2',
      '-extfile',
      'node.ext',
    ]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caFile: path('ca.pem'),
    caPem: readFileSync(path('ca.pem'), 'utf8'),
    certFile: path('node.pem'),
    keyFile: path('node.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
