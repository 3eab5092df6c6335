// The pieces every form of the UI is built of: a labelled field, its one-line problem, and a
// dialog form's Cancel and submit buttons.
import type { InputHTMLAttributes } from 'react';

/** A labelled text input, with a hint below it. */
export function Field({ label, hint, ...input }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} />
      {hint === undefined ? null : <small className="muted">{hint}</small>}
    </label>
  );
}

/** Why a form was refused, in one line (nothing when `problem` is undefined); `id` for an input's aria-describedby. */
export function FormProblem({ problem, id }: { problem: string | undefined; id?: string }) {
  if (problem === undefined) return null;
  return (
    <p id={id} className="field-problem" role="alert">
      {problem}
    </p>
  );
}

/** A dialog form's buttons: `cancelLabel` closes it, `submitLabel` submits it (not while `busy`). */
export function DialogFormButtons({ submitLabel, busy, onCancel, cancelLabel = 'Cancel' }: { submitLabel: string; busy: boolean; onCancel: () => void; cancelLabel?: string }) {
  return (
    <div className="dialog-buttons">
      <button type="button" className="button subtle" onClick={onCancel}>
        {cancelLabel}
      </button>
      <button type="submit" className="button primary" disabled={busy}>
        {submitLabel}
      </button>
    </div>
  );
}
