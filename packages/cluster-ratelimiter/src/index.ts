export { UNLIMITED, NEVER, isUnlimited, type RateLimitDecision, type RateLimiter } from './RateLimiter.js';
export { LocalRateLimiter, localDefaults, type LocalRateLimiterOptions } from './LocalRateLimiter.js';
export {
  ClusterRateLimiter,
  clusterDefaults,
  type ClusterRateLimiterOptions,
  type KeyShare,
} from './ClusterRateLimiter.js';
export { Topics as RateLimitTopics } from './wire.js';
