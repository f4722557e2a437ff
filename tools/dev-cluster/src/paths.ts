import { fileURLToPath } from 'node:url';

/** The monorepo root (this file is `tools/dev-cluster/src/paths.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The built server binary that `dev:cluster` and `bench` run, as users do. */
export const SERVER_CLI = fileURLToPath(new URL('../../../apps/server/dist/cli.js', import.meta.url));
