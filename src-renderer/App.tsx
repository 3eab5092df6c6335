import { useEffect, useState, type KeyboardEvent } from 'react';
import { trayState } from '../src-shared/ipc/index.js';
import { Notices } from './components/Notices.js';
import { BackupsScreen } from './screens/BackupsScreen.js';
import { FilesScreen } from './screens/FilesScreen.js';
import { GridSetupScreen } from './screens/GridSetupScreen.js';
import { PeersScreen } from './screens/PeersScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { SetupScreen } from './screens/SetupScreen.js';
import { StatusScreen } from './screens/StatusScreen.js';
import { useStatus, useStores } from './stores/stores-context.js';

const SCREENS = [
  { id: 'status', label: 'Status', icon: '◉' },
  { id: 'peers', label: 'Peers', icon: '⇄' },
  { id: 'files', label: 'Files', icon: '▤' },
  { id: 'backups', label: 'Backups', icon: '⟲' },
  { id: 'setup', label: 'First run', icon: '✦' },
  { id: 'settings', label: 'Settings', icon: '⚙' },
] as const;

type ScreenId = (typeof SCREENS)[number]['id'];

function screenOfHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '');
  return SCREENS.find((screen) => screen.id === id)?.id ?? 'status';
}

function Screen({ id }: { id: ScreenId }) {
  switch (id) {
    case 'status':
      return <StatusScreen />;
    case 'peers':
      return <PeersScreen />;
    case 'files':
      return <FilesScreen />;
    case 'backups':
      return <BackupsScreen />;
    case 'setup':
      return <SetupScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

export function App() {
  const { status: statusStore } = useStores();
  const [screen, setScreen] = useState<ScreenId>(() => screenOfHash(location.hash));
  const status = useStatus((state) => state.status);
  const error = useStatus((state) => state.error);
  const link = useStatus((state) => state.link);

  const { api } = useStores();
  // undefined while asking; true until this computer has created or joined a grid
  const [needsSetup, setNeedsSetup] = useState<boolean | undefined>();
  const tray = trayState(status, needsSetup === true ? 'create or join a grid to start' : error);
  useEffect(() => {
    api.setup().then(
      (setup) => setNeedsSetup(setup.needsSetup),
      () => setNeedsSetup(false), // the status screen then says what is wrong
    );
  }, [api]);
  useEffect(() => (needsSetup === false ? statusStore.getState().start() : undefined), [statusStore, needsSetup]);
  // the desktop app opens cairn: links: one it was started with, and each it is sent later
  const { sharedLinks } = useStores();
  useEffect(() => {
    if (needsSetup !== false) return undefined;
    const take = () =>
      void api.takeOpenLink().then(
        (link) => {
          if (link === undefined) return;
          sharedLinks.getState().offer(link);
          history.replaceState(null, '', '#/files');
          setScreen('files');
        },
        () => undefined,
      );
    take();
    return api.onEvent((event) => {
      if (event.type === 'open-link') take();
    });
  }, [api, sharedLinks, needsSetup]);
  useEffect(() => {
    const onHash = () => setScreen(screenOfHash(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const go = (id: ScreenId) => {
    history.replaceState(null, '', `#/${id}`);
    setScreen(id);
  };
  // ↑/↓ move between the navigation entries (Tab leaves the list)
  const onNavKey = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(at + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    event.preventDefault();
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="favicon.svg" alt="" width={28} height={28} />
          <span>Cairn</span>
        </div>
        <nav aria-label="Screens" onKeyDown={onNavKey} hidden={needsSetup === true}>
          <ul>
            {SCREENS.map((entry) => (
              <li key={entry.id}>
                <button type="button" className="nav-item" aria-current={screen === entry.id ? 'page' : undefined} onClick={() => go(entry.id)}>
                  <span className="nav-icon" aria-hidden="true">
                    {entry.icon}
                  </span>
                  {entry.label}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className={`tray-state ${tray.kind}`} role="status" aria-label="Cairn state" data-tray={tray.kind}>
          <span className="dot" aria-hidden="true" />
          <span>{tray.tooltip.replace(/^Cairn: /, '')}</span>
        </div>
      </aside>
      <main id="main" tabIndex={-1}>
        {link === 'lost' ? (
          <div className="banner" role="alert">
            The connection to the node was lost. Reconnecting…
          </div>
        ) : null}
        {needsSetup === true ? (
          <GridSetupScreen
            onDone={() => {
              setNeedsSetup(false);
              go('status');
            }}
          />
        ) : needsSetup === false ? (
          <Screen id={screen} />
        ) : null}
      </main>
      <Notices />
    </div>
  );
}
