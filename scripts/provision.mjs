// Installs what `npm test` needs beyond `npm ci`, on Debian 12 as root:
//   - Debian packages: chromium (the browser the integration and E2E suites
//     drive), libkrb5-dev and ripgrep (to build code-server offline),
//     python3-torch and python3-numpy (the PyTorch oracle); apt is skipped
//     entirely when all of them are present;
//   - code-server into .vscode-test/code-server/ (scripts/code-server.mjs).
// Not root and something is missing: prints the exact command to run, then
// fails under CI (CI=true) and lets the suites skip on a developer machine.
// Idempotent: a second run finds everything and takes well under a second.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { codeServerReady, CODE_SERVER_DIR, CODE_SERVER_VERSION, ensureCodeServer } from './code-server.mjs';

const CI = process.env.CI === 'true' || process.env.CI === '1';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const log = (msg) => console.log(`[provision] ${msg}`);

function pyImports(mod) {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;
}

/** Debian package -> is what we need from it present? */
const checks = {
  chromium: () => existsSync('/usr/bin/chromium'),
  'libkrb5-dev': () => existsSync('/usr/include/gssapi/gssapi.h'),
  ripgrep: () => existsSync('/usr/bin/rg'),
  // Debian's torch imports from /usr/bin/python3 only (python3 on PATH may be another build).
  'python3-torch': () => pyImports('torch'),
  'python3-numpy': () => pyImports('numpy'),
};

function fail(msg) {
  console.error(`[provision] ${msg}`);
  process.exit(1);
}

const t0 = Date.now();
const missing = Object.entries(checks)
  .filter(([, present]) => !present())
  .map(([pkg]) => pkg);

if (missing.length) {
  const install = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (!isRoot) {
    const msg = `missing Debian packages: ${missing.join(' ')}\n  run: sudo apt-get update && sudo ${install}\n  (or: sudo node scripts/provision.mjs)`;
    if (CI) fail(msg);
    log(msg);
    log('continuing: the suites that need them will say they are skipped');
  } else {
    log(`apt-get install ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const run = (args) => {
      // Quiet unless it fails: then the whole log.
      const r = spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (r.status !== 0) fail(`apt-get ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    };
    run(['update', '-qq']);
    run(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
    const still = missing.filter((pkg) => !checks[pkg]());
    if (still.length) fail(`installed but still not usable: ${still.join(' ')}`);
  }
} else {
  log('Debian packages present: ' + Object.keys(checks).join(', '));
}

if (codeServerReady()) {
  log(`code-server ${CODE_SERVER_VERSION} present in ${CODE_SERVER_DIR}`);
} else {
  try {
    ensureCodeServer();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (CI) fail(msg);
    log(msg);
    log('continuing: the integration and E2E suites will say they are skipped');
  }
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
