// The renderer's entry: in the desktop app the preload has put the IPC CairnApi on
// window.cairn; in a browser the HTTP one is used, after trading a login code for a session.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { CairnApi } from '../src-shared/ipc/index.js';
import { App } from './App.js';
import { HttpCairnApi, logInFromFragment } from './api/http-cairn-api.js';
import { StoresContext, createStores } from './stores/stores-context.js';
import './app.css';

declare global {
  interface Window {
    /** set by the desktop app's preload */
    cairn?: CairnApi;
  }
}

async function start(root: HTMLElement): Promise<void> {
  let api = window.cairn;
  if (api === undefined) {
    try {
      await logInFromFragment(location, history);
    } catch (error) {
      root.textContent = `Cairn: ${(error as Error).message}`;
      root.className = 'fatal';
      return;
    }
    api = new HttpCairnApi();
  }
  createRoot(root).render(
    <StrictMode>
      <StoresContext value={createStores(api)}>
        <App />
      </StoresContext>
    </StrictMode>,
  );
}

void start(document.getElementById('root')!);
