// `npm start`: builds the extension and opens it in VS Code with examples/ as
// the workspace.
//   - Desktop VS Code when `code` is on PATH: a window with this folder loaded
//     as the extension under development (an Extension Development Host).
//   - Otherwise (or with `npm start -- --code-server`): code-server, a real
//     VS Code served to the browser, on 127.0.0.1 without a password. It is
//     installed on first use into .vscode-test/code-server/ (ignored by git,
//     never a dependency of the extension). The URL to open is printed; the
//     server runs until Ctrl+C.
// Options: --code-server, --port N (or $PORT; default 8080, a free one if taken),
//          --no-build. BACKPROP_START_STATE: folder for code-server's user data
//          (default .vscode-test/start/).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import {
  CODE_SERVER_ENTRY,
  CODE_SERVER_VERSION,
  codeServerReady,
  ensureCodeServer,
  missingBuildDeps,
  ROOT,
} from './code-server.mjs';

const args = process.argv.slice(2);
const say = (msg) => console.log(`[start] ${msg}`);
const EXAMPLES = join(ROOT, 'examples');

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
function anyFreePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// 1. Build.
if (!args.includes('--no-build')) {
  say('building the extension (node esbuild.mjs)');
  const r = spawnSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// 2. Desktop VS Code, when there is one.
const code = onPath('code');
if (code && !args.includes('--code-server')) {
  say(`opening desktop VS Code (${code}) on examples/ with the extension under development`);
  const child = spawn(code, [`--extensionDevelopmentPath=${ROOT}`, EXAMPLES], { stdio: 'inherit', detached: true });
  child.on('error', (e) => {
    console.error(`[start] could not run ${code}: ${e.message}; try: npm start -- --code-server`);
    process.exit(1);
  });
  child.unref();
  say('rebuild with `npm run watch` and reload the window (Developer: Reload Window) to see changes');
} else {
  await startCodeServer();
}

async function startCodeServer() {
  // 3. code-server: install on first use.
  if (!codeServerReady()) {
    say(
      `desktop VS Code (\`code\`) is not on PATH: using code-server ${CODE_SERVER_VERSION}, a VS Code for the browser`,
    );
    const missing = missingBuildDeps();
    const isRoot = process.getuid?.() === 0;
    if (missing.length && isRoot) {
      say(`installing what code-server's build needs from Debian: ${missing.join(' ')}`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      for (const a of [
        ['update', '-qq'],
        ['install', '-y', '-qq', '--no-install-recommends', ...missing],
      ]) {
        const r = spawnSync('apt-get', a, { env, stdio: 'inherit' });
        if (r.status !== 0) process.exit(r.status ?? 1);
      }
    }
    try {
      ensureCodeServer();
    } catch (e) {
      console.error(`[start] ${e instanceof Error ? e.message : e}`);
      process.exit(1);
    }
  }

  // 4. Serve.
  const wanted = Number(args.includes('--port') ? args[args.indexOf('--port') + 1] : (process.env.PORT ?? 8080));
  const port = (await portFree(wanted)) ? wanted : await anyFreePort();
  if (port !== wanted) say(`port ${wanted} is taken; using ${port}`);
  const state = process.env.BACKPROP_START_STATE || join(ROOT, '.vscode-test', 'start');
  mkdirSync(join(state, 'user-data', 'User'), { recursive: true });
  const settings = join(state, 'user-data', 'User', 'settings.json');
  if (!existsSync(settings))
    writeFileSync(
      settings,
      JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' }, null, 2),
    );
  const config = join(state, 'config.yaml');
  writeFileSync(config, 'auth: none\n'); // keeps ~/.config/code-server untouched
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') delete env[k];
  const child = spawn(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      '--config',
      config,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      join(state, 'user-data'),
      '--extensions-dir',
      join(state, 'extensions'),
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      EXAMPLES,
    ],
    // Its own process group, so stopping it also stops the hosts it started.
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  const keep = (d) => {
    output += d;
    if (args.includes('--verbose')) process.stderr.write(d);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (c, sig) => {
    if (c && c !== 0) console.error(`[start] code-server exited with code ${c}:\n${output}`);
    process.exit(c ?? (sig ? 0 : 1));
  });

  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 240) {
      console.error(`[start] code-server did not answer on ${origin}:\n${output}`);
      stop();
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  // The payload loads this folder as the extension under development.
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${ROOT}`],
    ['skipWelcome', 'true'],
  ];
  const url = `${origin}/?folder=${encodeURI(EXAMPLES)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  say(`code-server ${CODE_SERVER_VERSION} is serving VS Code on ${origin} (no password, this machine only)`);
  say('open this URL in a browser (the extension under development is loaded, examples/ is the workspace):');
  console.log(`\n  ${url}\n`);
  say('rebuild with `npm run watch` and reload the page to see changes; Ctrl+C stops the server');
}
