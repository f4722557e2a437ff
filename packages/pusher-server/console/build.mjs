// Bundles the debug console page into dist/console (served by the metrics listener).
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outdir = here('../dist/console/');

await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { app: here('src/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir,
  logLevel: 'warning',
});
await copyFile(here('index.html'), `${outdir}index.html`);
