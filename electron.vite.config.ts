import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './shared/content-security-policy';

// TWINBOX_OUT_DIR builds somewhere else than out/, so that parallel work does not overwrite one build with another.
const out = resolve(import.meta.dirname, process.env.TWINBOX_OUT_DIR ?? 'out');

export default defineConfig({
  main: {
    build: {
      outDir: resolve(out, 'main'),
      rolldownOptions: { input: { index: 'main/index.ts', web: 'main/web.ts' } },
    },
  },
  preload: {
    build: {
      outDir: resolve(out, 'preload'),
      // Sandboxed preloads must be CommonJS; the package's "type": "module" would make .js mean ESM.
      rolldownOptions: { input: { index: 'main/preload.ts' }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    build: {
      outDir: resolve(out, 'renderer'),
      emptyOutDir: true,
      // TWINBOX_NO_MINIFY=1 keeps function names, for CPU profiles (npm run bench -- --profile DIR).
      minify: process.env.TWINBOX_NO_MINIFY !== '1',
      rolldownOptions: { input: 'renderer/index.html' },
    },
    plugins: [
      react(),
      {
        name: 'twinbox-csp',
        transformIndexHtml: () => [
          { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
        ],
      },
    ],
  },
});
