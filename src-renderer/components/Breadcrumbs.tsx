export function Breadcrumbs({ path, onOpen }: { path: string; onOpen: (path: string) => void }) {
  const names = path === '' ? [] : path.split('/');
  const crumbs = [{ label: 'cairn:', path: '' }, ...names.map((name, i) => ({ label: name, path: names.slice(0, i + 1).join('/') }))];
  return (
    <nav aria-label="Breadcrumbs" className="breadcrumbs">
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
