/**
 * Builds an unpacked Linux app with electron-builder against a stand-in
 * Electron (no download is possible or needed) and reports what app.asar
 * holds. A packaging-layout check, not a runnable build.
 */
import { listPackage, extractFile } from '@electron/asar';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');

export interface PackedApp {
  /** Every path inside app.asar, as "/out/main/index.js". */
  files: string[];
  packageJson: { main?: string; name?: string; dependencies?: Record<string, string> };
  unpackedDir: string;
  cleanup(): void;
}

export async function packLinuxDir(): Promise<PackedApp> {
  if (!existsSync(join(ROOT, 'out/main/index.js'))) throw new Error('out/ is missing: run "npm run build" first');
  const work = mkdtempSync(join(tmpdir(), 'twinbox-pack-'));
  const electronDist = join(work, 'electron-stand-in');
  mkdirSync(electronDist);
  // electron-builder renames the "electron" executable to the product's; a stub stands in for it.
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in Electron: not runnable" >&2\nexit 1\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  const output = join(work, 'dist');
  await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`, '--publish', 'never'],
    { cwd: ROOT, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const unpackedDir = join(output, 'linux-unpacked');
  const asar = join(unpackedDir, 'resources/app.asar');
  const files = listPackage(asar, { isPack: false }).map((path) => path.replaceAll('\\', '/'));
  const packageJson = JSON.parse(extractFile(asar, 'package.json').toString('utf8')) as PackedApp['packageJson'];
  return { files, packageJson, unpackedDir, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

// `npm run pack:check` prints what went in.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const packed = await packLinuxDir();
  console.log(packed.files.join('\n'));
  console.log(`\napp.asar: ${packed.files.length} entries; entry point ${packed.packageJson.main ?? '(none)'}`);
  packed.cleanup();
}
