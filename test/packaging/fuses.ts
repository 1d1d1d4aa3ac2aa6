/**
 * Electron fuses as electron-builder.yml sets them and as a packed binary
 * carries them. The wire format (Electron's docs/tutorial/fuses.md): somewhere
 * in the binary, the sentinel, a version byte, a length byte, then one byte a
 * fuse, "0" (off) or "1" (on).
 */
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import type { Configuration } from 'electron-builder';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

type FuseOptions = NonNullable<Configuration['electronFuses']>;
export type FuseName = Exclude<keyof FuseOptions, 'resetAdHocDarwinSignature'>;

/** Written out by Electron's documentation; @electron/fuses does not export it. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const WIRE_VERSION = 1;
export const FUSE_OFF = '0'.charCodeAt(0);
export const FUSE_ON = '1'.charCodeAt(0);

/**
 * Where each of electron-builder's fuse options sits on the wire. The Record
 * type makes this fail to compile if an electron-builder upgrade names a fuse
 * that is not listed here.
 */
export const FUSE_INDEX: Record<FuseName, FuseV1Options> = {
  runAsNode: FuseV1Options.RunAsNode,
  enableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  enableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  enableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  enableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  onlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  loadBrowserProcessSpecificV8Snapshot: FuseV1Options.LoadBrowserProcessSpecificV8Snapshot,
  grantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
};
const fuseNames = Object.keys(FUSE_INDEX) as FuseName[];

/**
 * Electron's own defaults, as its fuse documentation gives them, plus a ninth
 * fuse (WasmTrapHandlers, on) that Electron 43 and later have and
 * @electron/fuses 1.8 has no name for: a wire longer than the options
 * electron-builder knows, as the real binary's is.
 */
const ELECTRON_DEFAULT_WIRE = '101100011';

// Strict: a misspelt fuse name fails here, not silently as an inherited default.
const FuseOptionsSchema = z.strictObject({
  runAsNode: z.boolean().optional(),
  enableCookieEncryption: z.boolean().optional(),
  enableNodeOptionsEnvironmentVariable: z.boolean().optional(),
  enableNodeCliInspectArguments: z.boolean().optional(),
  enableEmbeddedAsarIntegrityValidation: z.boolean().optional(),
  onlyLoadAppFromAsar: z.boolean().optional(),
  loadBrowserProcessSpecificV8Snapshot: z.boolean().optional(),
  grantFileProtocolExtraPrivileges: z.boolean().optional(),
  resetAdHocDarwinSignature: z.boolean().optional(),
}) satisfies z.ZodType<FuseOptions>;

const BuilderConfigSchema = z.looseObject({ electronFuses: FuseOptionsSchema.nullish() });

export interface BuilderConfig {
  /** electron-builder.yml's electronFuses, or undefined when the key is absent. */
  electronFuses: FuseOptions | undefined;
  /** package.json's "build" key: when present, electron-builder reads it and ignores electron-builder.yml. */
  packageJsonBuild: unknown;
}

/** Read with js-yaml's load, the parser and call electron-builder's own config loader uses. */
export function readBuilderConfig(root: string): BuilderConfig {
  const yml = BuilderConfigSchema.parse(load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')));
  const packageJson = z.looseObject({ build: z.unknown().optional() }).parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  return { electronFuses: yml.electronFuses ?? undefined, packageJsonBuild: packageJson.build };
}

/**
 * The fuse wire a stand-in Electron binary carries. Every fuse the
 * configuration sets starts in the opposite state, so that reading the packed
 * binary back shows that electron-builder flipped each of them; the others
 * keep Electron's defaults.
 */
export function standInFuseWire(fuses: FuseOptions | undefined): number[] {
  const wire = [...Buffer.from(ELECTRON_DEFAULT_WIRE, 'ascii')];
  for (const name of fuseNames) {
    const value = fuses?.[name];
    if (value !== undefined) wire[FUSE_INDEX[name]] = value ? FUSE_OFF : FUSE_ON;
  }
  return wire;
}

/** The bytes to put in a stand-in binary: sentinel, version, length, wire. */
export function fuseWireBytes(wire: number[]): Buffer {
  return Buffer.concat([Buffer.from(SENTINEL, 'ascii'), Buffer.from([WIRE_VERSION, wire.length, ...wire])]);
}

/** The wire that a binary built from `before` should carry once electron-builder has applied `fuses`. */
export function expectedFuseWire(before: number[], fuses: FuseOptions | undefined): number[] {
  const wire = [...before];
  for (const name of fuseNames) {
    const value = fuses?.[name];
    if (value !== undefined) wire[FUSE_INDEX[name]] = value ? FUSE_ON : FUSE_OFF;
  }
  return wire;
}

export interface FuseWire {
  version: string;
  /** One byte a fuse, in wire order. */
  states: number[];
}

/** Read back with @electron/fuses, the library electron-builder flips them with. */
export async function readFuseWire(binary: string): Promise<FuseWire> {
  const config = await getCurrentFuseWire(binary);
  // getCurrentFuseWire keys each fuse by its index, including those past FuseV1Options' last name.
  const byIndex: Record<string, unknown> = { ...config };
  const states: number[] = [];
  for (;;) {
    const state = byIndex[String(states.length)];
    if (typeof state !== 'number') break;
    states.push(state);
  }
  return { version: config.version, states };
}

/** A wire as { RunAsNode: '0', …, 'fuse 8': '1' }, so that a failing comparison names the fuse. */
export function describeFuseWire(states: number[]): Record<string, string> {
  return Object.fromEntries(
    states.map((state, index) => {
      // An enum's reverse mapping is typed string even past its last member.
      const name: string | undefined = FuseV1Options[index];
      return [name ?? `fuse ${index}`, String.fromCharCode(state)];
    }),
  );
}
