import { Mesh } from "@meshpush/mesh-transport";
import { ClusterRateLimiter } from "@meshpush/cluster-ratelimiter";

// Two nodes in one process for the example; in production, one per process or host.
const a = await Mesh.start({ host: "127.0.0.1", port: 0 });
const b = await Mesh.start({ host: "127.0.0.1", port: 0, seeds: [a.stats().address] });
await new Promise((resolve) => a.once("peer-up", resolve)); // alone, each node would use the whole limit
const limitA = new ClusterRateLimiter(a);
const limitB = new ClusterRateLimiter(b);

const admitted = { a: 0, b: 0 };
const started = Date.now();
while (Date.now() - started < 2000) {
  // Both nodes are hammered; together they admit about 50/s plus one burst of 50.
  if (limitA.consume("app-1:backend_events", 1, 50).allowed) admitted.a++;
  if (limitB.consume("app-1:backend_events", 1, 50).allowed) admitted.b++;
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const total = admitted.a + admitted.b;
console.log(`admitted ${total} (a ${admitted.a}, b ${admitted.b}) in 2 s with a global limit of 50/s`);

await Promise.all([limitA.close(), limitB.close()]); // the transports stay open: their owner closes them
await Promise.all([a.close(), b.close()]);
