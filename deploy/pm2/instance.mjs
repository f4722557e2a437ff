// One PM2 instance of meshpush. PM2 evaluates the ecosystem file once for all instances, so what
// must differ per instance is derived here, from the NODE_APP_INSTANCE that PM2 gives each one
// (0, 1, …; a freed number is reused after `pm2 scale` down and up, and kept across `pm2 reload`).
import { fileURLToPath, pathToFileURL } from 'node:url';

const instance = nonNegativeInteger('NODE_APP_INSTANCE', process.env.NODE_APP_INSTANCE ?? '0');
const basePort = nonNegativeInteger('MESHPUSH_METRICS_BASE_PORT', process.env.MESHPUSH_METRICS_BASE_PORT ?? '9601');

// The metrics listener binds exclusively: each instance must be scraped on its own port.
process.env.METRICS_SERVER_PORT = String(basePort + instance);
// soketi's spelling of the same setting would otherwise compete with the derived one.
delete process.env.SOKETI_METRICS_SERVER_PORT;
// PM2 names log files by pm_id, which keeps growing across `pm2 scale`: tie it to the instance.
process.stderr.write(
  `meshpush pm2 instance ${instance} (pm_id ${process.env.pm_id ?? '?'}), metrics port ${basePort + instance}\n`,
);

const cli = process.env.MESHPUSH_CLI ?? fileURLToPath(new URL('../../apps/server/dist/cli.js', import.meta.url));
// The CLI parses process.argv (`start` comes from the app's `args`) and runs on import.
await import(pathToFileURL(cli).href);

function nonNegativeInteger(name, text) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`meshpush pm2 instance: ${name} must be a non-negative integer, got "${text}"\n`);
    process.exit(1);
  }
  return value;
}
