// Bundles the three programs the extension ships:
//   dist/extension.js  the extension host entry (node, cjs, `vscode` external)
//   dist/cli.js        the headless `backprop` command (node, with a shebang)
//   dist/webview.js    the panel's page script (browser), with the layout worker's bundle inlined as text
//   dist/panelWorker.js the graph panel's worker thread (runs scripts off the extension host's thread)
//   dist/debugAdapter.js  the debug adapter over stdio (tests; VS Code runs it in-process)
//   dist/katex.css     KaTeX's stylesheet for the panel, with its woff2 fonts in dist/katex-fonts/
//                      (woff2 only: every webview's Chromium reads it; the woff/ttf fallbacks are left empty)
// `node esbuild.mjs --watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';
import { resolve } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  target: 'es2022',
};

// The virtual module `layout-worker-source`: webview/layout-worker.ts bundled on its own (iife) and
// exported as a string, which webview/layout-client.ts starts from a Blob URL (a VS Code webview
// cannot start a worker from the extension's resource URLs: another origin; the CSP allows blob:).
const layoutWorkerSource = {
  name: 'layout-worker-source',
  setup(build) {
    build.onResolve({ filter: /^layout-worker-source$/ }, (args) => ({ path: args.path, namespace: 'layout-worker' }));
    build.onLoad({ filter: /.*/, namespace: 'layout-worker' }, async () => {
      try {
        const r = await esbuild.build({
          entryPoints: ['webview/layout-worker.ts'],
          bundle: true,
          write: false,
          metafile: true,
          platform: 'browser',
          format: 'iife',
          target: common.target,
          minify: production,
          sourcemap: production ? false : 'inline',
          logLevel: 'silent',
        });
        return {
          contents: `export default ${JSON.stringify(r.outputFiles[0].text)};`,
          loader: 'js',
          watchFiles: Object.keys(r.metafile.inputs).map((f) => resolve(f)),
        };
      } catch (e) {
        return { errors: e.errors ?? [{ text: String(e) }] };
      }
    });
  },
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
    entryPoints: ['src/session/panel-worker.ts'],
    outfile: 'dist/panelWorker.js',
    platform: 'node',
    format: 'cjs',
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
    plugins: [layoutWorkerSource],
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
