/**
 * Builds an unpacked Linux app with electron-builder against a stand-in
 * Electron (no download is possible or needed) and reports what app.asar
 * holds and which fuses the packed binary carries. A packaging-layout check,
 * not a runnable build.
 */
import { listPackage, extractFile } from '@electron/asar';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describeFuseWire, fuseWireBytes, readBuilderConfig, readFuseWire, standInFuseWire } from './fuses';
import type { FuseWire } from './fuses';

const ROOT = resolve(import.meta.dirname, '../..');

export interface PackedApp {
  /** Every path inside app.asar, as "/out/main/index.js". */
  files: string[];
  packageJson: { main?: string; name?: string; dependencies?: Record<string, string> };
  unpackedDir: string;
  /** The fuses of the stand-in binary before packing, and of the packed executable after. */
  fuses: { before: number[]; after: FuseWire };
  cleanup(): void;
}

export async function packLinuxDir(): Promise<PackedApp> {
  if (!existsSync(join(ROOT, 'out/main/index.js'))) throw new Error('out/ is missing: run "npm run build" first');
  const work = mkdtempSync(join(tmpdir(), 'twinbox-pack-'));
  const electronDist = join(work, 'electron-stand-in');
  mkdirSync(electronDist);
  // electron-builder renames the "electron" executable to the product's; a stub stands in for it.
  // With electronFuses set, electron-builder then flips the fuses in that file with @electron/fuses,
  // which fails unless it finds a fuse wire: the stub carries one after its last line (sh stops at exit).
  const fusesBefore = standInFuseWire(readBuilderConfig(ROOT).electronFuses);
  const script = Buffer.from('#!/bin/sh\necho "stand-in Electron: not runnable" >&2\nexit 1\n', 'utf8');
  writeFileSync(join(electronDist, 'electron'), Buffer.concat([script, fuseWireBytes(fusesBefore), Buffer.from('\n')]));
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
  // On Linux electron-builder names the executable after the package (its lower-cased, sanitised name).
  const executable = join(unpackedDir, packageJson.name ?? '');
  if (!packageJson.name || !existsSync(executable)) throw new Error(`the packed executable ${executable} is missing`);
  const fuses = { before: fusesBefore, after: await readFuseWire(executable) };
  return { files, packageJson, unpackedDir, fuses, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

// `npm run pack:check` prints what went in.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const packed = await packLinuxDir();
  console.log(packed.files.join('\n'));
  console.log(`\napp.asar: ${packed.files.length} entries; entry point ${packed.packageJson.main ?? '(none)'}`);
  console.log('fuses of the packed executable (1 on, 0 off):', describeFuseWire(packed.fuses.after.states));
  packed.cleanup();
}
