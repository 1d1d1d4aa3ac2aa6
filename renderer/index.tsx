/**
 * The page: a React app in a sandboxed, context-isolated window with no Node
 * and no Electron. It keeps the IndexedDB index of the mail (db/), drives
 * sync through the contract (sync/, ipc/), shows it (ui/, App.tsx) in the
 * user's language (i18n/), and runs the Protocol Lab (lab/). This file wires
 * them together and starts the engine.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App';
import { TwinboxDatabase } from './db/schema';
import { connectToHost } from './ipc/client';
import { SyncEngine } from './sync/engine';
import { AppContext } from './ui/app-context';
import { ComposeProvider } from './ui/compose/ComposeProvider';
import { searchLocally } from './db/local-search';
import { i18n, locale, onLanguageChange } from './i18n';
import './styles.css';

// The page's language is the interface's: screen readers pick their voice by it, and CSS its hyphenation and quotes.
function markLanguage(): void {
  document.documentElement.lang = locale();
  document.documentElement.dir = i18n.dir(locale());
}
markLanguage();
onLanguageChange(markLanguage);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

const client = connectToHost();
const db = new TwinboxDatabase();
const startView = new URLSearchParams(window.location.hash.slice(1));
// Opened as the Lab (the demo): its POP3 side deletes server copies only when the user confirms, and the
// first check runs before the Lab could put its own hold in place, so this session holds them from the start.
const engine = new SyncEngine(client, db, {
  ...(startView.get('view') === 'lab' ? { pop3ServerDeletes: false } : {}),
  // POP3 mail's index must never be cleared to make room (Electron grants this; a browser decides).
  requestPersistentStorage: () => navigator.storage.persist(),
});

/**
 * `npm run bench` (bench/twinbox.ts) times sync, opening and search inside
 * the page, driving the engine itself so that no scheduled sync competes with
 * a measurement. Only a page served by the loopback web host (no preload
 * bridge) and opened with `bench=1` in its URL fragment gets this; the
 * desktop app never does.
 */
const benchmark = window.twinbox === undefined && startView.get('bench') === '1';
if (benchmark) Object.assign(window, { twinboxBench: { engine, db, client, searchLocally } });
else void engine.start();

createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <AppContext.Provider value={{ client, db, engine }}>
        <ComposeProvider>
          <App />
        </ComposeProvider>
      </AppContext.Provider>
    </I18nextProvider>
  </StrictMode>,
);
