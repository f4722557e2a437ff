import type { AdapterStatus } from '../adapter/Adapter.js';
import { family, single, type MetricFamily } from './exposition.js';

/** The broker figures a broker transport reports in `stats().broker` (read defensively: `transport` is untyped). */
interface BrokerFigures {
  readonly driver: string;
  readonly state: string;
  readonly disconnects: number;
  readonly droppedPublishes: number;
}

function isBroker(value: unknown): value is BrokerFigures {
  if (typeof value !== 'object' || value === null) return false;
  const broker = value as Record<string, unknown>;
  return (
    typeof broker.driver === 'string' && typeof broker.state === 'string' && typeof broker.disconnects === 'number'
  );
}

/**
 * For the NATS and Redis transports: whether the broker connection is up (the same condition
 * that turns `/ready` to 503), how often it was lost, and what could not be sent meanwhile.
 * Nothing for the mesh and the local adapter.
 */
export function brokerFamilies(status: AdapterStatus): MetricFamily[] {
  const transport = status.transport as { broker?: unknown } | undefined;
  const broker = transport?.broker;
  if (!isBroker(broker)) return [];
  const labels = { transport: broker.driver };
  return [
    family('broker_connected', 'gauge', 'Whether the broker connection is up (1) or lost and reconnecting (0).', [
      { labels, value: broker.state === 'connected' ? 1 : 0 },
    ]),
    family('broker_disconnects_total', 'counter', 'Broker connections lost since start.', [
      { labels, value: broker.disconnects },
    ]),
    single(
      'broker_dropped_publishes_total',
      'counter',
      'Messages not sent because the broker connection was down.',
      broker.droppedPublishes,
    ),
  ];
}
