import type { AppManagerSettings } from '../config/settings.js';

/** soketi uses DB_POOLING_MIN/MAX only with DB_POOLING_ENABLED; otherwise its client's default pool (0 to 10 here). */
export function poolSize(settings: AppManagerSettings): { min: number; max: number } {
  const { enabled, min, max } = settings.pooling;
  return enabled ? { min: Math.min(min, max), max } : { min: 0, max: 10 };
}
