import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFuseWire, expectedFuseWire, FUSE_INDEX, FUSE_OFF, FUSE_ON, readBuilderConfig } from './fuses';
import type { FuseName } from './fuses';
import { packLinuxDir } from './pack-check';
import type { PackedApp } from './pack-check';

const ROOT = resolve(import.meta.dirname, '../..');

// One electron-builder run (tens of seconds) serves every test below.
let packed: PackedApp;
beforeAll(async () => {
  packed = await packLinuxDir();
});
afterAll(() => packed.cleanup());

/**
 * The installer's payload: electron-builder packs the built main, preload and
 * renderer and the package.json that points at them, and nothing else (no
 * sources, no tests, no node_modules: every library is bundled at build time).
 */
describe('app.asar built by electron-builder', () => {
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

/**
 * The Electron fuses the installers must ship with (issue 11): electron-builder
 * flips them in the Electron binary after packing, before signing. Why each is
 * set is said beside it in electron-builder.yml.
 */
const REQUIRED_FUSES: Partial<Record<FuseName, boolean>> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
};

describe('Electron fuses', () => {
  const config = readBuilderConfig(ROOT);

  it('are set as required in electron-builder.yml, which electron-builder reads', () => {
    // A "build" key in package.json would take the place of electron-builder.yml, fuses and all.
    expect(config.packageJsonBuild).toBeUndefined();
    expect(config.electronFuses).toMatchObject(REQUIRED_FUSES);
  });

  it('are flipped in the packed executable as configured, and no other fuse is touched', () => {
    const { before, after } = packed.fuses;
    expect(after.version).toBe('1');
    // The stand-in started with each configured fuse the other way round (see standInFuseWire).
    expect(describeFuseWire(after.states)).toEqual(describeFuseWire(expectedFuseWire(before, config.electronFuses)));
    for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
      expect(after.states[FUSE_INDEX[name as FuseName]], name).toBe(value ? FUSE_ON : FUSE_OFF);
    }
  });
});
