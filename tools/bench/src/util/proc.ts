import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Linux clock ticks per second for `/proc/PID/stat` (USER_HZ; 100 on every mainstream kernel). */
const CLOCK_TICKS_PER_SEC = 100;

/** CPU time a process has used, in ms: user (utime) and kernel (stime); null once it is gone. */
export function processCpu(pid: number): { userMs: number; sysMs: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const toMs = (ticks: string | undefined): number => (Number(ticks) * 1000) / CLOCK_TICKS_PER_SEC;
    return { userMs: toMs(fields[11]), sysMs: toMs(fields[12]) };
  } catch {
    return null;
  }
}

/**
 * CPU time every thread of a process has run, in ms, from the scheduler's nanosecond counters
 * (`/proc/PID/task/TID/schedstat`): exact where `/proc/PID/stat` counts 10 ms ticks, which cannot
 * tell 0.2 % from 0.3 % of a core over a short idle window. Null once the process is gone.
 */
export function processRunMs(pid: number): number | null {
  try {
    let totalNs = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      totalNs += threadRunNs(pid, tid);
    }
    return totalNs / 1e6;
  } catch {
    return null;
  }
}

/** A thread that ended between the listing and the read counts as nothing. */
function threadRunNs(pid: number, tid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return 0;
  }
}

/** Resident set size in KiB (`VmRSS`); null once the process is gone. */
export function processRssKb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** `processCpu` summed over several processes (a cluster). */
export function totalCpu(pids: readonly number[]): { userMs: number; sysMs: number } {
  const total = { userMs: 0, sysMs: 0 };
  for (const pid of pids) {
    const cpu = processCpu(pid);
    total.userMs += cpu?.userMs ?? 0;
    total.sysMs += cpu?.sysMs ?? 0;
  }
  return total;
}

/** This process's CPU time (user + system) in ms. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The 1-minute load average and the number of CPUs, to judge how quiet the machine was. */
export function machineLoad(): { load1: number; cpus: number } {
  const [load1] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return { load1: Number(load1), cpus: availableParallelism() };
}
