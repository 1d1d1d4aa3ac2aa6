import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { TwinboxDatabase } from './db/schema';
import { connectToHost } from './ipc/client';
import { SyncEngine } from './sync/engine';
import { AppContext } from './ui/app-context';
import { ComposeProvider } from './ui/compose/ComposeProvider';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

const client = connectToHost();
const db = new TwinboxDatabase();
const engine = new SyncEngine(client, db);
void engine.start();

createRoot(root).render(
  <StrictMode>
    <AppContext.Provider value={{ client, db, engine }}>
      <ComposeProvider>
        <App />
      </ComposeProvider>
    </AppContext.Provider>
  </StrictMode>,
);
