import { useState } from 'preact/hooks';
import type { ConsoleApi } from './api.js';

/** Publishes through the server's HTTP API path (the same publisher as `POST /apps/:id/events`). */
export function EventCreator(props: { api: ConsoleApi; appId: string }) {
  const [channel, setChannel] = useState('');
  const [event, setEvent] = useState('');
  const [data, setData] = useState('{}');
  const [result, setResult] = useState('');

  const send = async (submit: Event) => {
    submit.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      setResult('data is not valid JSON');
      return;
    }
    const path = `apps/${encodeURIComponent(props.appId)}/events`;
    await props.api.post(path, { channel, event, data: parsed }).then(
      () => setResult(`sent ${event} to ${channel}`),
      (error: unknown) => setResult(String(error)),
    );
  };
  const value = (update: (text: string) => void) => (input: Event) => update((input.target as HTMLInputElement).value);

  return (
    <form class="creator" onSubmit={send}>
      <h2>Event creator</h2>
      <input aria-label="event channel" placeholder="channel" value={channel} onInput={value(setChannel)} />
      <input aria-label="event name" placeholder="event" value={event} onInput={value(setEvent)} />
      <textarea aria-label="event data" value={data} onInput={value(setData)} rows={3} />
      <button type="submit">Send event</button>
      <output data-testid="creator-result">{result}</output>
    </form>
  );
}
