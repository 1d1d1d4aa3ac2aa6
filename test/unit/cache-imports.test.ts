import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The cache's modules import one another in one direction: row types at the
 * bottom, then search, threads and counts, then the schema with its frozen
 * upgrades, then the writer. A cycle (the schema needing search needing the
 * schema) is how an old upgrade came to run today's code.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'renderer/db');
const IMPORT = /^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => `${resolve(dirname(file), match[1] ?? '')}.ts`).filter((path) => path.startsWith(CACHE));
}

function cycles(files: readonly string[], importsOfFile: (file: string) => string[] = importsOf, root = CACHE): string[][] {
  const graph = new Map<string, string[]>();
  const edges = (file: string): string[] => {
    if (!graph.has(file)) graph.set(file, importsOfFile(file));
    return graph.get(file) ?? [];
  };
  const found: string[][] = [];
  const visit = (file: string, path: string[]): void => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push(path.slice(at).concat(file).map((name) => relative(root, name)));
      return;
    }
    for (const next of edges(file)) visit(next, [...path, file]);
  };
  for (const file of files) visit(file, []);
  return found;
}

describe("the cache's modules", () => {
  const files = sources(CACHE);

  it('import one another without a cycle, types included', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(cycles(files)).toEqual([]);
  });

  it('keep the frozen upgrades free of every other cache module', () => {
    const leaking = files
      .filter((file) => relative(CACHE, file).startsWith('migrations/'))
      .flatMap((file) => importsOf(file).map((target) => `${relative(CACHE, file)} imports ${relative(CACHE, target)}`));
    expect(leaking).toEqual([]);
  });

  it('would see a cycle', () => {
    const graph: Record<string, string[]> = { '/x/rows.ts': ['/x/schema.ts'], '/x/schema.ts': ['/x/rows.ts'], '/x/writer.ts': ['/x/schema.ts'] };
    expect(cycles(['/x/rows.ts'], (file) => graph[file] ?? [], '/x')).toEqual([['rows.ts', 'schema.ts', 'rows.ts']]);
    expect(cycles(['/x/writer.ts'], (file) => (file === '/x/writer.ts' ? ['/x/schema.ts'] : []), '/x')).toEqual([]);
  });
});
