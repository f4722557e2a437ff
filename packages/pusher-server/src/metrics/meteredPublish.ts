import type { TemplatedApp } from 'uWebSockets.js';
import type { ServerMetrics } from './ServerMetrics.js';

/**
 * The protocol's local fan-out over uWS topics. With metrics on, a publish counts one message per
 * local subscriber (`app.numSubscribers`, a native lookup): uWS fans out in C++, so that is
 * what is counted, not what each socket's buffer accepted.
 */
export function meteredPublish(
  app: Pick<TemplatedApp, 'publish' | 'numSubscribers'>,
  metrics: ServerMetrics | undefined,
): (topic: string, frame: string, appId: string) => void {
  if (!metrics) return (topic, frame) => void app.publish(topic, frame, false, false);
  return (topic, frame, appId) => {
    app.publish(topic, frame, false, false);
    metrics.forApp(appId).fanout(app.numSubscribers(topic), frame);
  };
}
