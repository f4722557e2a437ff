import { useEffect, useRef, useState } from 'preact/hooks';
import type { ClusterStatus, ConsoleApi, PeerStatus } from './api.js';
import { Chart } from './Chart.js';
import { usePoll } from './usePoll.js';

/** Seconds of history the charts keep. */
const WINDOW = 60;

interface Sample {
  timeSec: number;
  rtt: Map<string, number | null>;
  rate: Map<string, number>;
}

const frames = (peer: PeerStatus): number => (peer.framesIn ?? 0) + (peer.framesOut ?? 0);

/** Per-peer frames per second between two polls of `/cluster`. */
function sample(previous: ClusterStatus | undefined, current: ClusterStatus): Sample {
  const peers = current.transport?.peers ?? [];
  const before = new Map((previous?.transport?.peers ?? []).map((peer) => [peer.nodeId, frames(peer)]));
  const seconds = previous ? Math.max(0.001, (current.timeMs - previous.timeMs) / 1000) : 1;
  const rate = new Map(
    peers.map((peer) => [peer.nodeId, (frames(peer) - (before.get(peer.nodeId) ?? frames(peer))) / seconds]),
  );
  return { timeSec: current.timeMs / 1000, rtt: new Map(peers.map((p) => [p.nodeId, p.rttMs])), rate };
}

function columns(history: Sample[], names: string[], pick: (s: Sample, name: string) => number | null): number[][] {
  return [history.map((s) => s.timeSec), ...names.map((name) => history.map((s) => pick(s, name) ?? NaN))];
}

/** The nodes as the serving node sees them: RTTs and route traffic, with live charts. */
export function ClusterView(props: { api: ConsoleApi }) {
  const [status, error] = usePoll(() => props.api.get<ClusterStatus>('cluster'), 1000, [props.api]);
  const previous = useRef<ClusterStatus | undefined>(undefined);
  const [history, setHistory] = useState<Sample[]>([]);

  useEffect(() => {
    if (!status) return;
    const next = sample(previous.current, status);
    previous.current = status;
    setHistory((old) => [...old, next].filter((s) => s.timeSec > next.timeSec - WINDOW));
  }, [status]);

  const peers = status?.transport?.peers ?? [];
  const names = peers.map((peer) => peer.nodeId.slice(0, 8));
  const ids = peers.map((peer) => peer.nodeId);
  const latest = history[history.length - 1];
  return (
    <section class="cluster">
      <h2>Cluster</h2>
      {error && <p class="error">{error}</p>}
      <p>
        this node <b data-testid="this-node">{status?.node}</b> ({status?.driver})
      </p>
      <table data-testid="nodes">
        <thead>
          <tr>
            <th>peer</th>
            <th>address</th>
            <th>RTT ms</th>
            <th>frames/s</th>
          </tr>
        </thead>
        <tbody>
          {peers.map((peer) => (
            <tr>
              <td title={peer.nodeId}>{peer.nodeId.slice(0, 8)}</td>
              <td>{peer.address ?? ''}</td>
              <td>{peer.rttMs === null ? '–' : peer.rttMs.toFixed(2)}</td>
              <td>{(latest?.rate.get(peer.nodeId) ?? 0).toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {ids.length > 0 && (
        <div class="charts">
          <Chart
            title="frames/s per route"
            names={names}
            data={columns(history, ids, (s, id) => s.rate.get(id) ?? null)}
          />
          <Chart title="RTT (ms)" names={names} data={columns(history, ids, (s, id) => s.rtt.get(id) ?? null)} />
        </div>
      )}
    </section>
  );
}
