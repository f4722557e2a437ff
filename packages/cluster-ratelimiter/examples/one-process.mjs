import { LocalRateLimiter } from "@meshpush/cluster-ratelimiter";

const limiter = new LocalRateLimiter();
for (let i = 1; i <= 3; i++) {
  const decision = limiter.consume("app-1:backend_events", 1, 2); // key, points, limit per second
  if (decision.allowed) console.log(`call ${i}: allowed, ${decision.remaining} left`);
  else console.log(`call ${i}: refused, retry in ${Math.ceil(decision.retryAfterMs)} ms`);
}
await limiter.close();
