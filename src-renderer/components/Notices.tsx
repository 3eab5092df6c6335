import { useNotices, useStores } from '../stores/stores-context.js';

export function Notices() {
  const notices = useNotices((state) => state.notices);
  const { notices: store } = useStores();
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} className={`notice ${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
          <span>{notice.text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => store.getState().dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
