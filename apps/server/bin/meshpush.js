#!/usr/bin/env node
// The `meshpush` command inside the workspace. It is committed, unlike dist/, so that
// `pnpm install` on a fresh clone can link it into the packages that depend on meshpush (a bin
// pointing into dist/ made pnpm warn "Failed to create bin" before the first build). The
// published package points its bin at dist/cli.js directly (publishConfig.bin).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);

if (existsSync(cli)) {
  await import(cli.href);
} else {
  process.stderr.write(
    'meshpush: error: the server is not built yet: run `pnpm build` first ' +
      '(or `pnpm meshpush …` from the repository root, which builds and runs it)\n',
  );
  process.exit(1);
}
