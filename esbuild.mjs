// Bundles the three programs the extension ships:
//   dist/extension.js  the extension host entry (node, cjs, `vscode` external)
//   dist/cli.js        the headless `backprop` command (node, with a shebang)
//   dist/webview.js    the panel's page script (browser)
//   dist/debugAdapter.js  the debug adapter over stdio (tests; VS Code runs it in-process)
//   dist/katex.css     KaTeX's stylesheet for the panel, with its woff2 fonts in dist/katex-fonts/
//                      (woff2 only: every webview's Chromium reads it; the woff/ttf fallbacks are left empty)
// `node esbuild.mjs --watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  target: 'es2022',
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/extension/debug/adapter-main.ts'],
    outfile: 'dist/debugAdapter.js',
    platform: 'node',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    ...common,
    sourcemap: false,
    entryPoints: ['webview/katex.css'],
    outfile: 'dist/katex.css',
    loader: { '.woff2': 'file', '.woff': 'empty', '.ttf': 'empty' },
    assetNames: 'katex-fonts/[name]',
  },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
