import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The page, built by `console/build.mjs` into the package's `dist/console` (from src/ and dist/ alike). */
const ASSETS_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Serves one built file; names are plain (no directories), so nothing outside the folder is reachable. */
export async function sendAsset(res: ServerResponse, name: string): Promise<void> {
  const type = TYPES[name.slice(name.lastIndexOf('.'))];
  if (!/^[\w.-]+$/.test(name) || type === undefined) {
    res.writeHead(404).end('Not found');
    return;
  }
  try {
    const body = await readFile(ASSETS_DIR + name);
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
      // The page talks to its own origin only.
      'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'",
    });
    res.end(body);
  } catch {
    res.writeHead(404).end('The console was not built (pnpm build)');
  }
}
