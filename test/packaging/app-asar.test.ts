import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packLinuxDir } from './pack-check';
import type { PackedApp } from './pack-check';

/**
 * The installer's payload: electron-builder packs the built main, preload and
 * renderer and the package.json that points at them, and nothing else (no
 * sources, no tests, no node_modules: every library is bundled at build time).
 */
describe('app.asar built by electron-builder', () => {
  let packed: PackedApp;
  beforeAll(async () => {
    packed = await packLinuxDir();
  });
  afterAll(() => packed.cleanup());

  it('holds the built main, preload and renderer and the entry point they need', () => {
    expect(packed.files).toContain('/out/main/index.js');
    expect(packed.files).toContain('/out/preload/index.cjs');
    expect(packed.files).toContain('/out/renderer/index.html');
    expect(packed.files.some((f) => /^\/out\/renderer\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    expect(packed.packageJson.main).toBe('out/main/index.js');
    expect(packed.files).toContain(`/${packed.packageJson.main}`);
    expect(packed.packageJson.dependencies ?? {}).toEqual({});
  });

  it('holds no sources, tests, configuration or packages', () => {
    const offending = packed.files.filter(
      (f) =>
        f.startsWith('/node_modules') ||
        /^\/(main|renderer|shared|test|build|scratch)(\/|$)/.test(f) ||
        /\.(ts|tsx|map)$/.test(f) ||
        /(^|\/)(tsconfig[\w.]*\.json|vitest\.config\.\w+|electron\.vite\.config\.\w+|eslint\.config\.\w+|README\.md|\.env)$/.test(f),
    );
    expect(offending).toEqual([]);
    const topLevel = new Set(packed.files.map((f) => f.split('/')[1]));
    expect([...topLevel].sort()).toEqual(['out', 'package.json']);
  });
});
