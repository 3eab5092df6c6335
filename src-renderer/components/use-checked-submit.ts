import { useState, type FormEvent } from 'react';

export interface CheckedSubmit {
  /** why the last submit was refused or failed, in one line */
  readonly problem: string | undefined;
  /** forgets the problem (the user is typing again) */
  readonly clearProblem: () => void;
  /** true while the request is on its way */
  readonly busy: boolean;
  readonly onSubmit: (event: FormEvent) => void;
}

/**
 * A form's submit that checks the input before anything is sent: `check` makes the request
 * or throws the problem; `send` answers undefined, or the failure in one line; `onSent`
 * follows a success (closes the dialog, says what was done).
 */
export function useCheckedSubmit<Request>(check: () => Request, send: (request: Request) => Promise<string | undefined>, onSent: (request: Request) => void): CheckedSubmit {
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let request: Request;
    try {
      request = check();
    } catch (error) {
      return setProblem((error as Error).message);
    }
    setBusy(true);
    const failure = await send(request);
    setBusy(false);
    if (failure === undefined) onSent(request);
    else setProblem(failure);
  };
  return { problem, clearProblem: () => setProblem(undefined), busy, onSubmit: (event) => void submit(event) };
}
