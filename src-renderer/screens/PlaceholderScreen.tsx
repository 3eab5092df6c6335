import { Empty } from '../components/StateViews.js';

/** A screen whose backend is not in this build yet. */
export function PlaceholderScreen({ title, lead, note }: { title: string; lead: string; note: string }) {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">{title}</h1>
      <p className="lead">{lead}</p>
      <Empty title="Not available here yet">{note}</Empty>
    </section>
  );
}
