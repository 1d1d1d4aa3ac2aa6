import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * Proves the lint rules that keep the layers apart: each case is a file that
 * would break the design, and ESLint must refuse it. Type-aware rules are off
 * here because the probe files exist only in memory.
 */
const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false } } }],
});

async function ruleViolations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('no-restricted-')).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import directions between main/, renderer/ and shared/, and from the views to the cache', () => {
  it.each([
    ['shared/probe.ts', "import { dispatch } from '../main/ipc/dispatch';\nexport const x = dispatch;\n"],
    ['shared/deeper/probe.ts', "import { App } from '../../renderer/App';\nexport const x = App;\n"],
    ['shared/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['shared/probe.ts', "import { join } from 'path';\nexport const x = join;\n"],
    ['shared/probe.ts', "import { app } from 'electron';\nexport const x = app;\n"],
    ['shared/probe.ts', 'export const x = document.title;\n'],
    ['shared/probe.ts', 'export const x = Buffer.from("a");\n'],
    ['renderer/probe.ts', "import { dispatch } from '../main/ipc/dispatch';\nexport const x = dispatch;\n"],
    ['renderer/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
    ['renderer/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n"],
    ['renderer/probe.ts', 'export const x = process.env;\n'],
    ['main/probe.ts', "import { App } from '../renderer/App';\nexport const x = App;\n"],
    ['renderer/ui/probe.tsx', "import { CacheWriter } from '../db/writer';\nexport const x = CacheWriter;\n"],
    ['renderer/ui/reader/probe.ts', "import { putWithThreads } from '../../db/threads';\nexport const x = putWithThreads;\n"],
    ['renderer/App.tsx', "import { applyImapDelta } from './db/imap-writer';\nexport const x = applyImapDelta;\n"],
    ['renderer/ui/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
  ])('refuses in %s: %j', async (filePath, code) => {
    expect(await ruleViolations(filePath, code)).not.toEqual([]);
  });

  it.each([
    ['main/probe.ts', "import { ERROR_TEXT } from '../shared/errors';\nimport { readFileSync } from 'node:fs';\nexport const x = [ERROR_TEXT, readFileSync];\n"],
    ['renderer/probe.ts', "import { ERROR_TEXT } from '../shared/errors';\nexport const x = [ERROR_TEXT, document.title];\n"],
    ['shared/probe.ts', "import { ERROR_TEXT } from './errors';\nexport const x = ERROR_TEXT;\n"],
    // A folder whose name merely contains "main" is not the main process.
    ['renderer/probe.ts', "import { x as y } from './domain/mainly';\nexport const x = y;\n"],
    ['renderer/ui/probe.ts', "import { keyOf } from '../db/rows';\nimport { folderMessages } from '../db/queries';\nexport const x = [keyOf, folderMessages];\n"],
    ['renderer/sync/probe.ts', "import { CacheWriter } from '../db/writer';\nexport const x = CacheWriter;\n"],
  ])('allows in %s: %j', async (filePath, code) => {
    expect(await ruleViolations(filePath, code)).toEqual([]);
  });
});
