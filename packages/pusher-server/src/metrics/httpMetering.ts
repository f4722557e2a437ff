import type { Reply } from '../http/respond.js';
import type { AppCounters } from './AppCounters.js';

/** Counts one HTTP API call of a known app: the call, its body, and the response body once written. */
export function meterApiCall(counters: AppCounters, reply: Reply, requestBytes: number): void {
  counters.httpCalls++;
  counters.httpBytesReceived += requestBytes;
  reply.onWritten((bodyBytes) => {
    counters.httpBytesSent += bodyBytes;
  });
}
