// One meshpush node for the debug console benchmark, in its own process so its CPU time can be
// read from /proc. Prints `{"port","metricsPort","pid","nodeId"}` once it listens; stops on SIGTERM.
import { createMeshCluster } from '../src/adapter/cluster/createMeshAdapter.js';
import { defaultServerConfig } from '../src/config/ServerConfig.js';
import { createServer } from '../src/PusherServer.js';

const clusterPort = Number(process.argv[2]);
const cluster = { ...defaultServerConfig().cluster, host: '127.0.0.1', port: clusterPort };
const { adapter } = createMeshCluster(cluster);
const server = createServer(
  {
    host: '127.0.0.1',
    port: 0,
    adapter: { driver: 'cluster' },
    cluster,
    metrics: { host: '127.0.0.1', port: 0 },
    debugConsole: { enabled: true, token: 'bench' },
  },
  { adapter },
);
await server.start();
console.log(
  JSON.stringify({ port: server.port, metricsPort: server.metricsPort, pid: process.pid, nodeId: adapter.nodeId }),
);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
