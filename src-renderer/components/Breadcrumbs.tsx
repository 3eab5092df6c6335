/**
 * The folders from the root down to `path`, each but the last a button that opens it.
 * `root` names the root ("cairn:", or a shared folder's name); `label` names the whole trail.
 */
export function Breadcrumbs({ path, onOpen, root = 'cairn:', label = 'Breadcrumbs' }: { path: string; onOpen: (path: string) => void; root?: string; label?: string }) {
  const names = path === '' ? [] : path.split('/');
  const crumbs = [{ label: root, path: '' }, ...names.map((name, i) => ({ label: name, path: names.slice(0, i + 1).join('/') }))];
  return (
    <nav aria-label={label} className="breadcrumbs">
      <ol>
        {crumbs.map((crumb, i) => (
          <li key={crumb.path}>
            {i === crumbs.length - 1 ? (
              <span aria-current="page">{crumb.label}</span>
            ) : (
              <button type="button" className="link-button" onClick={() => onOpen(crumb.path)}>
                {crumb.label}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
