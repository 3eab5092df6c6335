/* global DataTransfer, atob, File, document, DragEvent, CSS, MutationObserver, navigator */
// Installed in the page before its own scripts (page.addInitScript): what the tests do
// inside the browser, as globalThis.cairnTest.
globalThis.cairnTest = {
  /** Drops files on the element `selector` names: a real drop event carrying a DataTransfer. */
  drop(selector, files) {
    const transfer = new DataTransfer();
    for (const { name, base64 } of files) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
    }
    const target = document.querySelector(selector);
    if (target === null) throw new Error(`nothing matches ${selector}`);
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  },

  /** Starts recording each "state:percent" the upload row of `name` shows. */
  watchUpload(name) {
    const seen = [];
    this.seen = seen;
    const record = () => {
      const row = document.querySelector(`[data-upload="${CSS.escape(name)}"]`);
      if (row === null) return;
      const entry = `${row.getAttribute('data-state')}:${row.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') ?? '?'}`;
      if (seen.at(-1) !== entry) seen.push(entry);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
  },

  seen: [],

  clipboard() {
    return navigator.clipboard.readText();
  },
};
