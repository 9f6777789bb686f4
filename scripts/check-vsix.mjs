// Checks the .vsix that `npm run package` wrote: the bundle, the manifest and
// the docs only (no sources, tests, node_modules, maps), under 5 MB.
// Lists the entries like `unzip -l`, from the zip's central directory, so it
// needs no unzip binary. Usage: node scripts/check-vsix.mjs [file.vsix]
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const file = resolve(process.argv[2] ?? join(root, `${pkg.name}-${pkg.version}.vsix`));
const MAX_BYTES = 5 * 1024 * 1024;

/** [{ name, size }] from the zip's central directory. */
function zipEntries(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28),
      extraLen = buf.readUInt16LE(p + 30),
      commentLen = buf.readUInt16LE(p + 32);
    entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const ALLOWED = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/,
  /^extension\/(readme|changelog)\.md$/,
  /^extension\/LICENSE(\.txt)?$/,
  /^extension\/dist\/[\w.-]+\.js$/,
  /^extension\/dist\/katex\.css$/,
  /^extension\/dist\/katex-fonts\/[\w.-]+\.woff2$/,
  /^extension\/media\/.+/,
];
const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/panelWorker.js',
  'extension/dist/webview.js',
  'extension/media/icon.png',
  'extension/readme.md',
  'extension/changelog.md',
];

const bytes = statSync(file).size;
const entries = zipEntries(readFileSync(file));
console.log(`${file} (${(bytes / 1024).toFixed(1)} KB)`);
for (const e of entries) console.log(`  ${String(e.size).padStart(9)}  ${e.name}`);

const problems = [];
if (bytes > MAX_BYTES) problems.push(`the package is ${(bytes / 1024 / 1024).toFixed(2)} MB, over 5 MB`);
for (const e of entries)
  if (!ALLOWED.some((re) => re.test(e.name))) problems.push(`unexpected file in the package: ${e.name}`);
for (const r of REQUIRED) if (!entries.some((e) => e.name === r)) problems.push(`missing from the package: ${r}`);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!entries.some((e) => e.name === `extension/${manifest.main.replace(/^\.\//, '')}`))
  problems.push(`main ${manifest.main} is not in the package`);
if (problems.length) {
  for (const p of problems) console.error(`check-vsix: ${p}`);
  process.exit(1);
}
console.log(`check-vsix: ${entries.length} files, bundle only, ${(bytes / 1024).toFixed(1)} KB <= 5 MB`);
