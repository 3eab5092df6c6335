// Settings: nickname, space kept free, encoding (the node's, in cairn.json, applied at once),
// launch at login (desktop app only), and the debug log export.
import { useEffect, useState, type FormEvent } from 'react';
import { validateSettingsPatch, type SettingsPatch, type SettingsView } from '../../src-shared/ipc/index.js';
import { Field, FormProblem } from '../components/FormParts.js';
import { ErrorNotice, Loading } from '../components/StateViews.js';
import { formatBytes } from '../format.js';
import { useStores } from '../stores/stores-context.js';

/** The reserved space is typed in decimal gigabytes (1 GB = 10^9 bytes, as disks are sold). */
const GB = 1_000_000_000;

type SaveState = { readonly kind: 'idle' } | { readonly kind: 'saving' } | { readonly kind: 'saved' } | { readonly kind: 'failed'; readonly message: string };

/** What the form holds, as typed. */
interface Draft {
  readonly nickname: string;
  readonly reservedGb: string;
  readonly needed: string;
  readonly happy: string;
  readonly total: string;
  readonly launchAtLogin: boolean;
}

function draftOf(settings: SettingsView): Draft {
  return {
    nickname: settings.nickname,
    reservedGb: settings.reservedSpace === undefined ? '' : String(settings.reservedSpace / GB),
    needed: String(settings.encoding.needed),
    happy: String(settings.encoding.happy),
    total: String(settings.encoding.total),
    launchAtLogin: settings.launchAtLogin ?? false,
  };
}

/** Only what changed, checked by the contract's validator (throws a one-line InputError). */
function patchOf(draft: Draft, saved: SettingsView): SettingsPatch {
  const encoding = { needed: Number(draft.needed), happy: Number(draft.happy), total: Number(draft.total) };
  const reservedSpace = Math.round(Number(draft.reservedGb) * GB);
  const sameEncoding = encoding.needed === saved.encoding.needed && encoding.happy === saved.encoding.happy && encoding.total === saved.encoding.total;
  return validateSettingsPatch({
    ...(draft.nickname.trim() === saved.nickname ? {} : { nickname: draft.nickname }),
    ...(saved.reservedSpace === undefined || reservedSpace === saved.reservedSpace ? {} : { reservedSpace: draft.reservedGb.trim() === '' ? Number.NaN : reservedSpace }),
    ...(sameEncoding ? {} : { encoding }),
    ...(saved.launchAtLogin === undefined || draft.launchAtLogin === saved.launchAtLogin ? {} : { launchAtLogin: draft.launchAtLogin }),
  });
}

function saveText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function SettingsForm({ settings, onSaved }: { settings: SettingsView; onSaved: (settings: SettingsView) => void }) {
  const { api } = useStores();
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const edit = (change: Partial<Draft>) => {
    setDraft({ ...draft, ...change });
    if (state.kind !== 'saving') setState({ kind: 'idle' });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let patch: SettingsPatch;
    try {
      patch = patchOf(draft, settings);
    } catch (error) {
      return setState({ kind: 'failed', message: (error as Error).message });
    }
    if (Object.keys(patch).length === 0) return setState({ kind: 'saved' });
    setState({ kind: 'saving' });
    try {
      const saved = await api.updateSettings(patch);
      onSaved(saved);
      setDraft(draftOf(saved));
      setState({ kind: 'saved' });
    } catch (error) {
      setState({ kind: 'failed', message: (error as Error).message });
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} className="form-grid" aria-labelledby="settings-node">
      <h2 id="settings-node">This computer</h2>
      <Field label="Nickname" value={draft.nickname} onChange={(e) => edit({ nickname: e.target.value })} hint="how other members see this computer" />
      {settings.reservedSpace === undefined ? (
        <p className="muted">This computer stores nothing for the grid, so it keeps no space free for it.</p>
      ) : (
        <Field
          label="Kept free on disk (GB)"
          inputMode="decimal"
          value={draft.reservedGb}
          onChange={(e) => edit({ reservedGb: e.target.value })}
          hint={`the grid's shares never fill the disk past this (now ${formatBytes(settings.reservedSpace)})`}
        />
      )}
      <fieldset className="field">
        <legend>Encoding of new uploads</legend>
        <div className="field-row">
          <Field label="K (shares needed)" inputMode="numeric" value={draft.needed} onChange={(e) => edit({ needed: e.target.value })} />
          <Field label="happy (servers to spread over)" inputMode="numeric" value={draft.happy} onChange={(e) => edit({ happy: e.target.value })} />
          <Field label="N (shares made)" inputMode="numeric" value={draft.total} onChange={(e) => edit({ total: e.target.value })} />
        </div>
        <small className="muted">K ≤ happy ≤ N ≤ 256. Files already stored keep their encoding.</small>
      </fieldset>
      {settings.launchAtLogin === undefined ? null : (
        <label className="inline">
          <input type="checkbox" checked={draft.launchAtLogin} onChange={(e) => edit({ launchAtLogin: e.target.checked })} /> Launch Cairn when I log in
        </label>
      )}
      <FormProblem problem={state.kind === 'failed' ? state.message : undefined} />
      {state.kind === 'saved' ? (
        <p className="muted" role="status">
          Saved. New settings are in use now.
        </p>
      ) : null}
      <div className="dialog-buttons">
        <button type="submit" className="button primary" disabled={state.kind === 'saving'}>
          {state.kind === 'saving' ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}

function DebugLogCard() {
  const { api } = useStores();
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const exportLog = async () => {
    setState({ kind: 'saving' });
    try {
      const text = await api.debugLog();
      saveText(`cairn-debug-log-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.txt`, text);
      setState({ kind: 'saved' });
    } catch (error) {
      setState({ kind: 'failed', message: (error as Error).message });
    }
  };
  return (
    <article className="card" aria-labelledby="settings-debug">
      <h2 id="settings-debug">Debug log</h2>
      <p className="muted">The node's recent log, to send with a problem report. Keys, caps, tokens and codes are removed from it.</p>
      <button type="button" className="button" disabled={state.kind === 'saving'} onClick={() => void exportLog()}>
        Export debug log
      </button>
      <FormProblem problem={state.kind === 'failed' ? state.message : undefined} />
    </article>
  );
}

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
        <>
          <article className="card">
            <SettingsForm settings={settings} onSaved={setSettings} />
          </article>
          <DebugLogCard />
        </>
      )}
    </section>
  );
}
