import { fork } from "node:child_process";
import { once } from "node:events";
import { createRedisTransport, defaultRedisTransportConfig } from "@meshpush/broker-transport";
import { ClusterRateLimiter } from "@meshpush/cluster-ratelimiter";

// Two processes (this script forks itself) share one budget through Redis on 127.0.0.1.
const redis = { ...defaultRedisTransportConfig(), port: Number(process.env.REDIS_PORT ?? 6379) };
const transport = createRedisTransport(redis, { checkIntervalMs: 100, nodeTimeoutMs: 1000 });
// Listen before starting: the other process may be met while start() is still settling.
const peerUp = once(transport, "peer-up");
await transport.start();
const child = process.argv[2] === "child" ? undefined : fork(new URL(import.meta.url).pathname, ["child"]);
const childCount = child && once(child, "message"); // the child may finish first
await peerUp; // alone, each process would use the whole limit
const limiter = new ClusterRateLimiter(transport);

let admitted = 0;
const started = Date.now();
while (Date.now() - started < 2000) {
  // Both processes are hammered; together they admit about 50/s plus one burst of 50.
  if (limiter.consume("app-1:backend_events", 1, 50).allowed) admitted++;
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await limiter.close();
if (child === undefined) process.send?.(admitted);
else {
  const [other] = await childCount;
  console.log(`admitted ${admitted + other} (a ${admitted}, b ${other}) in 2 s with a global limit of 50/s`);
}
await transport.close();
