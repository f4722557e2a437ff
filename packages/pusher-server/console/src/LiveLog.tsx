import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DebugKinds } from '../../src/debug/DebugRecord.js';
import type { ConsoleApi, DebugRecord } from './api.js';

/** The kinds the server produces, in the order of the filter menu. */
const KINDS = DebugKinds;

/** The page keeps the newest records only: a long session must not grow without bound. */
const KEPT = 2000;

interface Filters {
  kind: string;
  channel: string;
  text: string;
}

function matches(record: DebugRecord, filters: Filters): boolean {
  if (filters.kind !== '' && record.kind !== filters.kind) return false;
  if (filters.channel !== '' && !(record.channel ?? '').includes(filters.channel)) return false;
  return filters.text === '' || JSON.stringify(record).toLowerCase().includes(filters.text.toLowerCase());
}

function details(record: DebugRecord): string {
  const parts = [
    record.event && `event ${record.event}`,
    record.userId && `user ${record.userId}`,
    record.socketId && `socket ${record.socketId}`,
    record.sizeBytes !== undefined && `${record.sizeBytes} B`,
    record.status,
    record.attempt !== undefined && `attempt ${record.attempt}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function LiveLog(props: { api: ConsoleApi; appId: string; onUnauthorized(): void }) {
  const [records, setRecords] = useState<DebugRecord[]>([]);
  const [dropped, setDropped] = useState(0);
  const [paused, setPaused] = useState(false);
  const [filters, setFilters] = useState<Filters>({ kind: '', channel: '', text: '' });
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    const abort = new AbortController();
    setRecords([]);
    props.api
      .stream(props.appId, abort.signal, (batch, droppedSoFar) => {
        setDropped(droppedSoFar);
        if (batch.length > 0 && !pausedRef.current) setRecords((old) => [...batch.reverse(), ...old].slice(0, KEPT));
      })
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'Unauthorized') props.onUnauthorized();
      });
    return () => abort.abort();
  }, [props.api, props.appId]);

  const shown = useMemo(() => records.filter((record) => matches(record, filters)), [records, filters]);
  const set = (field: keyof Filters) => (event: Event) =>
    setFilters({ ...filters, [field]: (event.target as HTMLInputElement).value });

  return (
    <section class="log">
      <div class="toolbar">
        <select aria-label="kind" value={filters.kind} onChange={set('kind')}>
          <option value="">all kinds</option>
          {KINDS.map((kind) => (
            <option value={kind}>{kind}</option>
          ))}
        </select>
        <input aria-label="channel filter" placeholder="channel" value={filters.channel} onInput={set('channel')} />
        <input aria-label="text filter" placeholder="text" value={filters.text} onInput={set('text')} />
        <button onClick={() => setPaused(!paused)}>{paused ? 'Resume' : 'Pause'}</button>
        <button onClick={() => setRecords([])}>Clear</button>
        <span class="dropped" data-testid="dropped">
          dropped: {dropped}
        </span>
      </div>
      <table data-testid="log">
        <thead>
          <tr>
            <th>time</th>
            <th>node</th>
            <th>kind</th>
            <th>channel</th>
            <th>details</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((record) => (
            <tr class={`kind-${record.kind}`} data-kind={record.kind} data-node={record.node}>
              <td>{new Date(record.timeMs).toISOString().slice(11, 23)}</td>
              <td title={record.node}>{record.node.slice(0, 8)}</td>
              <td>{record.kind}</td>
              <td>{record.channel ?? ''}</td>
              <td>{details(record)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
