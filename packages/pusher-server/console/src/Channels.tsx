import { useState } from 'preact/hooks';
import type { ChannelRow, ConsoleApi } from './api.js';
import { usePoll } from './usePoll.js';

function Members(props: { api: ConsoleApi; appId: string; channel: string }) {
  const path = `apps/${encodeURIComponent(props.appId)}/members?channel=${encodeURIComponent(props.channel)}`;
  const [members] = usePoll(() => props.api.get<{ id: string; info: unknown }[]>(path), 1000, [path]);
  return (
    <ul class="members" data-testid="members">
      {(members ?? []).map((member) => (
        <li>
          <b>{member.id}</b> {member.info === undefined ? '' : JSON.stringify(member.info)}
        </li>
      ))}
    </ul>
  );
}

/** The app's channels across the cluster (the server reads them from its local view). */
export function Channels(props: { api: ConsoleApi; appId: string }) {
  const path = `apps/${encodeURIComponent(props.appId)}/channels`;
  const [channels, error] = usePoll(() => props.api.get<ChannelRow[]>(path), 1000, [path]);
  const [selected, setSelected] = useState('');
  return (
    <section class="channels">
      <h2>Channels</h2>
      {error && <p class="error">{error}</p>}
      <table data-testid="channels">
        <tbody>
          {(channels ?? []).map((channel) => (
            <tr class={channel.name === selected ? 'selected' : ''} onClick={() => setSelected(channel.name)}>
              <td>{channel.name}</td>
              <td>{channel.subscriptionCount} subs</td>
              <td>{channel.userCount === undefined ? '' : `${channel.userCount} users`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected.startsWith('presence-') && <Members api={props.api} appId={props.appId} channel={selected} />}
    </section>
  );
}
