// code-server: a real VS Code (server + web workbench) from the npm registry,
// used by `npm start` (when desktop VS Code is not on PATH) and by the
// integration and E2E suites. It lives in .vscode-test/code-server/, a folder
// ignored by git and by .vscodeignore, with its own package.json, so it is
// never one of the extension's dependencies.
//
// Facts this relies on (see the project's docs/real-vscode-testing.md):
//   - 4.100.3 (VS Code 1.100.3) is the last line that runs on Node 20;
//   - its native modules need Debian's libkrb5-dev (gssapi headers);
//   - as root its postinstall refuses to run without --unsafe-perm, and a
//     nested `npx node-gyp` would stop at a prompt without npm_config_yes;
//   - @vscode/ripgrep 1.15.11 inside it downloads rg from GitHub unless it
//     finds a cached archive under $TMPDIR: we build that archive from
//     Debian's /usr/bin/rg.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_DIR = join(ROOT, '.vscode-test', 'code-server');
const PKG_DIR = join(CODE_SERVER_DIR, 'node_modules', 'code-server');
/** The entry point; run it with the current `node`. */
export const CODE_SERVER_ENTRY = join(PKG_DIR, 'out', 'node', 'entry.js');

const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

const log = (msg) => console.log(`[code-server] ${msg}`);

/** Written last by a successful install, so an interrupted one counts as missing. */
const MARKER = join(CODE_SERVER_DIR, '.installed');

/** The installed version, or undefined when it is missing or incomplete. */
export function installedCodeServerVersion() {
  try {
    if (!existsSync(CODE_SERVER_ENTRY) || !existsSync(MARKER)) return undefined;
    const version = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8')).version;
    return readFileSync(MARKER, 'utf8').trim() === version ? version : undefined;
  } catch {
    return undefined;
  }
}

export function codeServerReady() {
  return installedCodeServerVersion() === CODE_SERVER_VERSION;
}

/** What code-server's build needs from Debian and is not there. */
export function missingBuildDeps() {
  const missing = [];
  if (!existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
  if (!existsSync('/usr/bin/rg')) missing.push('ripgrep');
  return missing;
}

/** Writes the archive @vscode/ripgrep's postinstall looks for, from /usr/bin/rg. */
function seedRipgrepCache(tmp) {
  const dir = join(tmp, RIPGREP_CACHE);
  const archive = join(dir, RIPGREP_ARCHIVE);
  if (existsSync(archive)) return;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('tar', ['-czf', archive, '-C', '/usr/bin', 'rg'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`could not create ${archive} from /usr/bin/rg`);
}

/**
 * Installs code-server into .vscode-test/code-server/ unless the pinned version
 * is already there. Throws with an actionable message on failure.
 */
export function ensureCodeServer() {
  if (codeServerReady()) return;
  const missing = missingBuildDeps();
  if (missing.length) {
    throw new Error(
      `code-server's build needs Debian packages that are missing: ${missing.join(' ')}\n` +
        `  run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}\n` +
        `  (or: sudo node scripts/provision.mjs)`,
    );
  }
  log(
    `installing code-server ${CODE_SERVER_VERSION} into ${CODE_SERVER_DIR} (first use; compiles native modules, 1-3 minutes)`,
  );
  mkdirSync(CODE_SERVER_DIR, { recursive: true });
  rmSync(MARKER, { force: true });
  rmSync(join(CODE_SERVER_DIR, 'node_modules'), { recursive: true, force: true });
  rmSync(join(CODE_SERVER_DIR, 'package-lock.json'), { force: true });
  writeFileSync(
    join(CODE_SERVER_DIR, 'package.json'),
    JSON.stringify(
      {
        name: 'backprop-debugger-code-server',
        private: true,
        description: 'code-server for tests and npm start; not a dependency of the extension',
      },
      null,
      2,
    ) + '\n',
  );
  const tmp = process.env.TMPDIR || tmpdir();
  seedRipgrepCache(tmp);
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_yes: 'true',
    // npm 11 skips dependencies' install scripts unless allowed; code-server
    // is nothing but install scripts (its own, and the nested npm installs
    // they start, which inherit this through the environment).
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  const r = spawnSync(
    'npm',
    [
      'install',
      '--unsafe-perm',
      '--no-save',
      '--no-package-lock',
      '--loglevel=error',
      `code-server@${CODE_SERVER_VERSION}`,
    ],
    { cwd: CODE_SERVER_DIR, env, stdio: 'inherit' },
  );
  const ok =
    r.status === 0 && existsSync(CODE_SERVER_ENTRY) && existsSync(join(PKG_DIR, 'lib', 'vscode', 'node_modules'));
  if (ok) writeFileSync(MARKER, CODE_SERVER_VERSION + '\n');
  if (!ok || !codeServerReady()) {
    throw new Error(
      `installing code-server ${CODE_SERVER_VERSION} failed (npm exit ${r.status}); see the output above`,
    );
  }
  log(`code-server ${CODE_SERVER_VERSION} installed`);
}
