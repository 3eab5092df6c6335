import { percentOf } from '../format.js';

/** A progress bar; without a total it is indeterminate. */
export function ProgressBar({ label, done, total, tone = 'normal' }: { label: string; done: number; total: number | undefined; tone?: 'normal' | 'error' | 'done' }) {
  const percent = total === undefined ? undefined : percentOf(done, total);
  return (
    <div
      className={`progress ${tone} ${percent === undefined ? 'indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      {...(percent === undefined ? {} : { 'aria-valuenow': percent })}
    >
      <div className="progress-fill" style={percent === undefined ? undefined : { width: `${percent}%` }} />
    </div>
  );
}
