// First run. In the desktop app before a grid exists: create one or join one (the desktop
// shell fills this in). Once in a grid, and always in the browser (a running node is in a
// grid already): invite a friend with a code and, shown apart, its passphrase.
import { useState } from 'react';
import type { InviteView } from '../../src-shared/ipc/index.js';
import { ErrorNotice } from '../components/StateViews.js';
import { useStatus, useStores } from '../stores/stores-context.js';

export function SetupScreen() {
  const { api, notices } = useStores();
  const gridName = useStatus((state) => state.status?.gridName);
  const [invite, setInvite] = useState<InviteView | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setInvite(await api.createInvite());
    } catch (failure) {
      setError((failure as Error).message);
    }
    setBusy(false);
  };
  const copy = (text: string, what: string) =>
    void navigator.clipboard.writeText(text).then(
      () => notices.getState().show(`${what} copied`),
      () => notices.getState().show(`Could not copy the ${what.toLowerCase()}`, 'error'),
    );
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">First run</h1>
      <p className="lead">This computer is a member of {gridName === undefined ? 'a grid' : `the grid “${gridName}”`}. Invite a friend to it: their computer will hold shares of your files, and yours of theirs.</p>
      <article className="card invite" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite a friend</h2>
        <p>An invite code lets one friend join. Send the code by message, and tell the passphrase another way (a call): both together are needed.</p>
        <div className="toolbar">
          <button type="button" className="button primary" disabled={busy} onClick={() => void create()}>
            {invite === undefined ? 'Create an invite' : 'Create another invite'}
          </button>
        </div>
        {error === undefined ? null : <ErrorNotice message={error} />}
        {invite === undefined ? null : (
          <div className="invite-result">
            <label className="field">
              <span>Invite code (send it)</span>
              <textarea readOnly rows={5} value={invite.code} data-testid="invite-code" onFocus={(event) => event.target.select()} />
            </label>
            <button type="button" className="button small" onClick={() => copy(invite.code, 'Invite code')}>
              Copy code
            </button>
            <label className="field">
              <span>Passphrase (tell it separately)</span>
              <output className="passphrase" data-testid="invite-passphrase">
                {invite.passphrase}
              </output>
            </label>
          </div>
        )}
      </article>
      <p className="muted">To join a grid instead, a new node is made with the code: in the desktop app on its first start, or with <code>npx cairn join CODE DIR</code>.</p>
    </section>
  );
}
