import { render } from 'preact';
import { useState } from 'preact/hooks';
import { ConsoleApi, type AppRow } from './api.js';
import { Channels } from './Channels.js';
import { ClusterView } from './ClusterView.js';
import { EventCreator } from './EventCreator.js';
import { LiveLog } from './LiveLog.js';
import './styles.css';

/** Checks the token with one call before keeping it (for this tab only: sessionStorage). */
function Login(props: { onLogin(api: ConsoleApi, apps: AppRow[]): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    const api = new ConsoleApi(token);
    api.get<AppRow[]>('apps').then(
      (apps) => {
        sessionStorage.setItem('meshpush-console-token', token);
        props.onLogin(api, apps);
      },
      (failure: unknown) =>
        setError(failure instanceof Error && failure.name === 'Unauthorized' ? 'Wrong token' : String(failure)),
    );
  };
  return (
    <form class="login" onSubmit={submit}>
      <h1>meshpush debug console</h1>
      <input
        type="password"
        aria-label="token"
        placeholder="admin token"
        value={token}
        onInput={(e) => setToken((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Log in</button>
      {error && (
        <p class="error" data-testid="login-error">
          {error}
        </p>
      )}
    </form>
  );
}

function Console() {
  const [session, setSession] = useState<{ api: ConsoleApi; apps: AppRow[] } | undefined>(undefined);
  const [appId, setAppId] = useState('');
  if (!session) return <Login onLogin={(api, apps) => (setSession({ api, apps }), setAppId(apps[0]?.id ?? ''))} />;
  const logout = () => {
    sessionStorage.removeItem('meshpush-console-token');
    setSession(undefined);
  };
  return (
    <main>
      <header>
        <h1>meshpush debug console</h1>
        <select aria-label="app" value={appId} onChange={(e) => setAppId((e.target as HTMLSelectElement).value)}>
          {session.apps.map((app) => (
            <option value={app.id}>
              {app.id} ({app.key})
            </option>
          ))}
        </select>
        <button onClick={logout}>Log out</button>
      </header>
      {appId && (
        <div class="panes">
          <LiveLog api={session.api} appId={appId} onUnauthorized={logout} />
          <aside>
            <Channels api={session.api} appId={appId} />
            <EventCreator api={session.api} appId={appId} />
            <ClusterView api={session.api} />
          </aside>
        </div>
      )}
    </main>
  );
}

const root = document.getElementById('root');
if (root) render(<Console />, root);
