import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { family, single, type MetricFamily } from './exposition.js';

const NS_PER_S = 1e9;

/**
 * Process and Node.js figures under prom-client's default metric names (what soketi exposes),
 * read at scrape time; the event-loop delay comes from a histogram sampled by Node itself.
 */
export class ProcessMetrics {
  readonly #loopDelay: IntervalHistogram;
  readonly #startTimeSec = Math.round((Date.now() - process.uptime() * 1000) / 1000);

  constructor() {
    this.#loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.#loopDelay.enable();
  }

  close(): void {
    this.#loopDelay.disable();
  }

  collect(): MetricFamily[] {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const families = [
      single('process_cpu_user_seconds_total', 'counter', 'User CPU time spent, in seconds.', cpu.user / 1e6),
      single('process_cpu_system_seconds_total', 'counter', 'System CPU time spent, in seconds.', cpu.system / 1e6),
      single(
        'process_cpu_seconds_total',
        'counter',
        'User and system CPU time spent, in seconds.',
        (cpu.user + cpu.system) / 1e6,
      ),
      single(
        'process_start_time_seconds',
        'gauge',
        'Start time of the process since the Unix epoch, in seconds.',
        this.#startTimeSec,
      ),
      single('process_resident_memory_bytes', 'gauge', 'Resident memory size, in bytes.', memory.rss),
      single('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size, in bytes.', memory.heapTotal),
      single('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use, in bytes.', memory.heapUsed),
      single(
        'nodejs_external_memory_bytes',
        'gauge',
        'Memory of C++ objects bound to JavaScript, in bytes.',
        memory.external,
      ),
      ...this.#loopDelayFamilies(),
      family('nodejs_version_info', 'gauge', 'Node.js version.', [{ labels: versionLabels(), value: 1 }]),
    ];
    const openFds = countOpenFds();
    if (openFds !== undefined) families.push(single('process_open_fds', 'gauge', 'Open file descriptors.', openFds));
    return families;
  }

  #loopDelayFamilies(): MetricFamily[] {
    const h = this.#loopDelay;
    const seconds = (ns: number): number => (Number.isFinite(ns) ? ns / NS_PER_S : 0);
    return [
      single('nodejs_eventloop_lag_min_seconds', 'gauge', 'Smallest event loop delay, in seconds.', seconds(h.min)),
      single('nodejs_eventloop_lag_max_seconds', 'gauge', 'Largest event loop delay, in seconds.', seconds(h.max)),
      single('nodejs_eventloop_lag_mean_seconds', 'gauge', 'Mean event loop delay, in seconds.', seconds(h.mean)),
      single(
        'nodejs_eventloop_lag_p50_seconds',
        'gauge',
        'Median event loop delay, in seconds.',
        seconds(h.percentile(50)),
      ),
      single(
        'nodejs_eventloop_lag_p99_seconds',
        'gauge',
        '99th percentile event loop delay, in seconds.',
        seconds(h.percentile(99)),
      ),
    ];
  }
}

function versionLabels(): Record<string, string> {
  const [major = '', minor = '', patch = ''] = process.versions.node.split('.');
  return { version: process.version, major, minor, patch };
}

/** Linux only (`/proc/self/fd`); a short, bounded directory read per scrape. */
function countOpenFds(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
