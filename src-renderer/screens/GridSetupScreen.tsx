// First run before this computer is in a grid: create a new grid (this computer becomes its
// introducer) or join a friend's with the invite code and its passphrase. The desktop app
// and the browser (`cairn app DIR`) both show it while setup() says needsSetup.
import { useState, type FormEvent } from 'react';
import type { EncodingView } from '../../src-shared/ipc/index.js';
import { ErrorNotice, Loading } from '../components/StateViews.js';
import { useStores } from '../stores/stores-context.js';

type Choice = 'create' | 'join';

/** K/happy/N typed in the form; all empty means the grid's default (3/5/10). */
function encodingOf(needed: string, happy: string, total: string): EncodingView | undefined {
  if (needed === '' && happy === '' && total === '') return undefined;
  return { needed: Number(needed), happy: Number(happy), total: Number(total) };
}

export function GridSetupScreen({ onDone }: { onDone: () => void }) {
  const { api } = useStores();
  const [choice, setChoice] = useState<Choice>('join');
  const [nickname, setNickname] = useState('');
  const [gridName, setGridName] = useState('');
  const [needed, setNeeded] = useState('');
  const [happy, setHappy] = useState('');
  const [total, setTotal] = useState('');
  const [code, setCode] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (choice === 'create') {
        const encoding = encodingOf(needed, happy, total);
        await api.createGrid({ nickname, gridName, ...(encoding === undefined ? {} : { encoding }) });
      } else {
        await api.joinGrid({ code: code.trim(), passphrase, nickname });
      }
      onDone();
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">Welcome to Cairn</h1>
      <p className="lead">This computer is not in a grid yet. Join a friend’s grid with the invite code they sent you, or start a new grid and invite friends to it.</p>
      <div className="toolbar" role="group" aria-label="Join or create">
        <button type="button" className={`button${choice === 'join' ? ' primary' : ''}`} aria-pressed={choice === 'join'} disabled={busy} onClick={() => setChoice('join')}>
          Join a grid
        </button>
        <button type="button" className={`button${choice === 'create' ? ' primary' : ''}`} aria-pressed={choice === 'create'} disabled={busy} onClick={() => setChoice('create')}>
          Create a new grid
        </button>
      </div>
      <form className="card" aria-label={choice === 'join' ? 'Join a grid' : 'Create a new grid'} onSubmit={(event) => void submit(event)}>
        <label className="field">
          <span>Your nickname (friends see it)</span>
          <input name="nickname" required maxLength={64} value={nickname} onChange={(event) => setNickname(event.target.value)} />
        </label>
        {choice === 'join' ? (
          <>
            <label className="field">
              <span>Invite code</span>
              <textarea name="code" required rows={4} value={code} onChange={(event) => setCode(event.target.value)} />
            </label>
            <label className="field">
              <span>Passphrase (your friend tells it to you separately)</span>
              <input name="passphrase" required autoComplete="off" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} />
            </label>
          </>
        ) : (
          <>
            <label className="field">
              <span>Grid name</span>
              <input name="gridName" required maxLength={64} value={gridName} onChange={(event) => setGridName(event.target.value)} />
            </label>
            <fieldset className="field">
              <legend>Encoding (optional; default 3 of 10 shares, spread over 5 computers)</legend>
              <div className="field-row">
                <label>
                  K needed <input className="short" name="needed" inputMode="numeric" value={needed} onChange={(event) => setNeeded(event.target.value)} />
                </label>
                <label>
                  happy <input className="short" name="happy" inputMode="numeric" value={happy} onChange={(event) => setHappy(event.target.value)} />
                </label>
                <label>
                  N total <input className="short" name="total" inputMode="numeric" value={total} onChange={(event) => setTotal(event.target.value)} />
                </label>
              </div>
            </fieldset>
          </>
        )}
        {error === undefined ? null : <ErrorNotice message={error} />}
        {busy ? <Loading label={choice === 'join' ? 'Opening the invite and joining…' : 'Creating the grid…'} /> : null}
        <div className="toolbar">
          <button type="submit" className="button primary" disabled={busy}>
            {choice === 'join' ? 'Join the grid' : 'Create the grid'}
          </button>
        </div>
      </form>
    </section>
  );
}
