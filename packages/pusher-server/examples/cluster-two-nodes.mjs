import { ClusterRateLimiter } from "@meshpush/cluster-ratelimiter";
import { createMeshCluster, createServer, resolveServerConfig } from "@meshpush/pusher-server";
import Pusher from "pusher";
import PusherClient from "pusher-js";

// Two cluster nodes in one process for the example; in production, one per process or host.
// Each has a mesh (port 0 + seeds: no fixed rendezvous port) that it shares with a rate limiter;
// server.start() starts the adapter, which joins the mesh.
async function startNode(seeds) {
  const config = resolveServerConfig({
    host: "127.0.0.1",
    port: 0,
    adapter: { driver: "cluster" },
    cluster: { host: "127.0.0.1", port: 0, seeds, secret: "change-me" },
  });
  const { adapter, mesh } = createMeshCluster(config.cluster);
  const server = createServer(config, { adapter, rateLimiter: new ClusterRateLimiter(mesh) });
  await server.start();
  return { server, mesh };
}

const a = await startNode([]);
const b = await startNode([a.mesh.stats().address]);
await new Promise((resolve) => a.mesh.once("peer-up", resolve));
console.log(`nodes on ports ${a.server.port} and ${b.server.port} are meshed`);

// A client of node a, an event published through node b's HTTP API.
const client = new PusherClient("app-key", { cluster: "mt1", wsHost: "127.0.0.1", wsPort: a.server.port, forceTLS: false, enabledTransports: ["ws"] });
const channel = client.subscribe("news");
await new Promise((resolve) => channel.bind("pusher:subscription_succeeded", resolve));
const received = new Promise((resolve) => channel.bind("headline", resolve));
const sdk = new Pusher({ appId: "app-id", key: "app-key", secret: "app-secret", host: "127.0.0.1", port: String(b.server.port), useTLS: false });
await sdk.trigger("news", "headline", { text: "published on b, delivered by a" });
console.log("the client of a got", JSON.stringify(await received));

client.disconnect();
await Promise.all([a.server.stop(), b.server.stop()]); // each closes its rate limiter, then its adapter and mesh
