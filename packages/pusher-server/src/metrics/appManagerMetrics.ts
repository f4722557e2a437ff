import type { AppManagerStats } from '../app-manager/AppStore.js';
import { family, type MetricFamily } from './exposition.js';

/**
 * The app manager's lookups, cache hits, queries, query time and errors, labelled by driver;
 * nothing for the array manager (it has no database). Query latency is a sum and a count, as a
 * Prometheus summary without quantiles: rate(sum)/rate(count) is the mean.
 */
export function appManagerFamilies(stats: AppManagerStats | undefined): MetricFamily[] {
  if (!stats) return [];
  const labels = { driver: stats.driver };
  const counter = (name: string, help: string, value: number): MetricFamily =>
    family(name, 'counter', help, [{ labels, value }]);
  return [
    counter('app_manager_lookups_total', 'App lookups by key or id.', stats.lookups),
    counter('app_manager_cache_hits_total', 'App lookups answered from the cache.', stats.cacheHits),
    counter('app_manager_queries_total', 'Queries sent to the app database.', stats.queries),
    counter('app_manager_query_seconds_sum', 'Time spent in app database queries.', stats.querySeconds),
    counter('app_manager_errors_total', 'App database queries that failed or timed out.', stats.errors),
    family('app_manager_database_up', 'gauge', 'Whether the last app database query succeeded.', [
      { labels, value: stats.databaseUp ? 1 : 0 },
    ]),
  ];
}
