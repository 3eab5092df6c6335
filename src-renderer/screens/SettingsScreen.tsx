// Settings: what the node runs with. The desktop app can change them; the browser shows them.
import { useEffect, useState } from 'react';
import type { SettingsView } from '../../src-shared/ipc/index.js';
import { ErrorNotice, Loading } from '../components/StateViews.js';
import { formatBytes } from '../format.js';
import { useStores } from '../stores/stores-context.js';

export function SettingsScreen() {
  const { api } = useStores();
  const [settings, setSettings] = useState<SettingsView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = () => {
    setError(undefined);
    api.settings().then(setSettings, (failure: unknown) => setError((failure as Error).message));
  };
  useEffect(load, [api]);
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">Settings</h1>
      <p className="lead">How this computer takes part in the grid.</p>
      {settings === undefined ? (
        error === undefined ? <Loading label="Reading the settings…" /> : <ErrorNotice message={error} onRetry={load} />
      ) : (
        <article className="card" aria-labelledby="settings-node">
          <h2 id="settings-node">This computer</h2>
          <dl>
            <dt>Nickname</dt>
            <dd>{settings.nickname}</dd>
            <dt>Kept free on disk</dt>
            <dd>{settings.reservedSpace === undefined ? '—' : formatBytes(settings.reservedSpace)}</dd>
            <dt>Encoding</dt>
            <dd>
              K {settings.encoding.needed} · happy {settings.encoding.happy} · N {settings.encoding.total}
            </dd>
            <dt>Launch at login</dt>
            <dd>{settings.launchAtLogin === undefined ? 'only in the desktop app' : settings.launchAtLogin ? 'on' : 'off'}</dd>
          </dl>
        </article>
      )}
      <p className="muted">
        In the browser these are shown, not changed: edit <code>cairn.json</code> in the node's folder (see docs/config.md) and restart the node, or use the desktop app.
      </p>
    </section>
  );
}
