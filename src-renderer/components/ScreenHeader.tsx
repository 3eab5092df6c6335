import type { ReactNode } from 'react';

/** A screen's title (what the screen's section is labelled by) with its toolbar beside it. */
export function ScreenHeader({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="screen-header">
      <h1 id="screen-title">{title}</h1>
      <div className="toolbar">{children}</div>
    </div>
  );
}
