import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { CONTENT_SECURITY_POLICY } from './shared/content-security-policy';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: { input: { index: 'main/index.ts', web: 'main/web.ts' } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be CommonJS; the package's "type": "module" would make .js mean ESM.
      rolldownOptions: { input: { index: 'main/preload.ts' }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    build: {
      outDir: 'out/renderer',
      minify: true,
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
