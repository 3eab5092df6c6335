/** The columns of a folder's listing: name, size, when it changed, and its actions. */
export function EntryTableHead() {
  return (
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col" className="number">
          Size
        </th>
        <th scope="col">Changed</th>
        <th scope="col" className="actions">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
