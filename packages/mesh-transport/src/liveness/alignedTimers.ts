import { systemHeartbeatTimers, type HeartbeatTimers } from './Heartbeat.js';

interface AlignedHandle {
  timer: NodeJS.Timeout | undefined;
}

/**
 * Heartbeat timers whose beats fall on multiples of the interval on the wall clock, so that every
 * node of a mesh beats at the same moments. An idle node then wakes once per interval for its
 * whole heartbeat exchange: its PINGs leave together and its peers' PINGs arrive together, and
 * one wake-up reads many sockets. Beats that each node took at its own phase would wake it once
 * per peer. Alignment costs nothing to correctness: liveness still judges each route by silence.
 */
export const alignedHeartbeatTimers: HeartbeatTimers = {
  setInterval(callback, ms) {
    const handle: AlignedHandle = { timer: undefined };
    const arm = (): void => {
      handle.timer = setTimeout(
        () => {
          arm();
          callback();
        },
        delayToNextBoundary(Date.now(), ms),
      ).unref();
    };
    arm();
    return handle;
  },
  clearInterval: (handle) => clearTimeout((handle as AlignedHandle).timer),
  setImmediate: systemHeartbeatTimers.setImmediate,
};

/**
 * Milliseconds from `nowMs` to the next multiple of `intervalMs`. A boundary less than a tenth of
 * an interval away counts as the one just served (a timer that fired a hair early by the wall
 * clock, which may run apart from the monotonic clock of timers), so a beat is never doubled.
 */
export function delayToNextBoundary(nowMs: number, intervalMs: number): number {
  const delay = intervalMs - (nowMs % intervalMs);
  return delay < intervalMs / 10 ? delay + intervalMs : delay;
}
