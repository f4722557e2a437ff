import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

/** PEM material of one node, signed by a test CA. */
export interface NodeCert {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

/**
 * A throwaway CA made with the openssl CLI in a temp dir (removed in teardown). Certificates are
 * never committed: every run makes its own.
 */
export class TestCa {
  readonly dir: string;
  readonly name: string;
  #serial = 1;

  private constructor(dir: string, name: string) {
    this.dir = dir;
    this.name = name;
  }

  static create(t: ExecutionContext, name = 'mesh-test-ca'): TestCa {
    const dir = mkdtempSync(join(tmpdir(), 'meshpush-ca-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
    return new TestCa(dir, name);
  }

  get ca(): string {
    return readFileSync(join(this.dir, 'ca.pem'), 'utf8');
  }

  /** A node certificate with the given common name, valid for `days`, for 127.0.0.1 and localhost. */
  issue(commonName: string, days = 1): NodeCert {
    const base = `node-${this.#serial++}`;
    writeFileSync(join(this.dir, `${base}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(this.dir, [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/CN=${commonName}`,
    ]);
    openssl(this.dir, [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(this.#serial),
      '-days',
      String(days),
      '-extfile',
      `${base}.ext`,
      '-out',
      `${base}.pem`,
    ]);
    return {
      key: readFileSync(join(this.dir, `${base}.key`), 'utf8'),
      cert: readFileSync(join(this.dir, `${base}.pem`), 'utf8'),
      ca: this.ca,
    };
  }
}

function openssl(cwd: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}
