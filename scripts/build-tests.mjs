// Compiles the integration suite for the extension host: every .ts file of
// test/integration/ except the launchers (run-*.ts, which run in plain Node
// through tsx) becomes one CommonJS file in out/test/integration/, with
// `vscode` (given by the host) and `mocha` (loaded from node_modules) left
// external. index.js is the extensionTestsPath; it loads the *.test.js files.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'test', 'integration');
const outDir = join(root, 'out', 'test', 'integration');

const entryPoints = readdirSync(srcDir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('run-') && !f.endsWith('.d.ts'))
  .map((f) => join(srcDir, f));

rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'es2022',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`[build-tests] ${entryPoints.length} files -> ${outDir}`);
