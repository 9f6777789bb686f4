/**
 * bindArgs, the argument binder of the TypeScript builtins: every case is a
 * Python `def` signature plus a call, bound here and run by CPython 3.11,
 * so the bound values and the TypeError texts (missing, too many, unexpected
 * keyword, multiple values, positional-only, keyword-only) must agree.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { bindArgs } from '../../src/lang/builtins/args';
import { PyException } from '../../src/lang/errors';
import { repr } from '../../src/lang/pyops';
import { PyList, PyValue } from '../../src/lang/values';
import { randInt, rng, runPythonJson } from './helpers/format-python';

function findPython311(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import sys; assert sys.version_info[:2] == (3, 11)'], {
      stdio: 'ignore',
      timeout: 30000,
    });
    if (r.status === 0) return py;
  }
  return null;
}

interface Case {
  readonly names: readonly string[];
  readonly defaults: Readonly<Record<string, PyValue>>;
  readonly args: readonly PyValue[];
  readonly kwargs: readonly [string, PyValue][];
}

const lit = (v: PyValue): string => repr(v);

function signature(c: Case): string {
  return c.names
    .map((n) => (n === '/' || n === '*' || !(n in c.defaults) ? n : `${n}=${lit(c.defaults[n])}`))
    .join(', ');
}

function pyCall(c: Case): string {
  return [...c.args.map(lit), ...c.kwargs.map(([k, v]) => `${k}=${lit(v)}`)].join(', ');
}

function bind(c: Case, fname = 'f'): string {
  try {
    return 'ok: ' + repr(new PyList(bindArgs({ args: c.args, kwargs: new Map(c.kwargs) }, fname, c.names, c.defaults)));
  } catch (e) {
    if (e instanceof PyException) return `${e.pyType}: ${e.message}`;
    throw e;
  }
}

const PY = `
import json, sys
out = []
for sig, params, call in json.load(sys.stdin):
    env = {}
    exec(f"def f({sig}): return [{', '.join(params)}]", env)
    try:
        out.append('ok: ' + repr(eval(f"f({call})", env)))
    except TypeError as e:
        out.append('TypeError: ' + str(e))
print(json.dumps(out))
`;

const C = (
  names: string[],
  defaults: Record<string, PyValue>,
  args: PyValue[],
  kwargs: [string, PyValue][] = [],
): Case => ({
  names,
  defaults,
  args,
  kwargs,
});

const pinned: [Case, string][] = [
  [C(['x'], {}, []), "TypeError: f() missing 1 required positional argument: 'x'"],
  [C(['x', 'y'], {}, []), "TypeError: f() missing 2 required positional arguments: 'x' and 'y'"],
  [C(['x', 'y', 'z'], {}, []), "TypeError: f() missing 3 required positional arguments: 'x', 'y', and 'z'"],
  [C(['x', 'y'], {}, [1n, 2n, 3n]), 'TypeError: f() takes 2 positional arguments but 3 were given'],
  [C(['x'], {}, [1n, 2n]), 'TypeError: f() takes 1 positional argument but 2 were given'],
  [C([], {}, [1n]), 'TypeError: f() takes 0 positional arguments but 1 was given'],
  [C(['x', 'y'], { y: 2n }, [1n, 2n, 3n]), 'TypeError: f() takes from 1 to 2 positional arguments but 3 were given'],
  [C(['x'], {}, [1n], [['k', 2n]]), "TypeError: f() got an unexpected keyword argument 'k'"],
  [C(['x'], {}, [1n], [['x', 2n]]), "TypeError: f() got multiple values for argument 'x'"],
  [
    C(['x', '/'], {}, [], [['x', 1n]]),
    "TypeError: f() got some positional-only arguments passed as keyword arguments: 'x'",
  ],
  [C(['x', '*', 'k'], {}, [1n]), "TypeError: f() missing 1 required keyword-only argument: 'k'"],
  [
    C(['x', '*', 'k'], {}, [1n, 2n], [['k', 3n]]),
    'TypeError: f() takes 1 positional argument but 2 positional arguments (and 1 keyword-only argument) were given',
  ],
  [C(['x', 'y', '*', 'k'], { y: null, k: 1.5 }, [1n], [['k', 'a']]), "ok: [1, None, 'a']"],
  [C(['a', 'b', '/', 'c', '*', 'd'], { c: 3n }, [1n, 2n], [['d', 4n]]), 'ok: [1, 2, 3, 4]'],
];

/** Seeded random signatures and calls (valid Python signatures only). */
function randomCases(n: number, seed: number): Case[] {
  const r = rng(seed);
  const out: Case[] = [];
  const pool = ['a', 'b', 'c', 'd', 'e'];
  for (let i = 0; i < n; i++) {
    const np = randInt(r, 0, 5);
    const params = pool.slice(0, np);
    const names: string[] = [];
    const defaults: Record<string, PyValue> = {};
    // '/' (after at least one name) must come before '*'.
    const slashAt = np > 0 && r() < 0.3 ? randInt(r, 1, np) : -1;
    const starAt = r() < 0.4 ? randInt(r, Math.max(slashAt, 0), np) : -1;
    let sawDefault = false;
    params.forEach((p, k) => {
      if (k === slashAt) names.push('/');
      if (k === starAt) names.push('*');
      const kwOnly = starAt >= 0 && k >= starAt;
      // After a default, positional parameters need defaults too (Python's rule).
      if ((sawDefault && !kwOnly) || r() < 0.35) {
        defaults[p] = BigInt(10 + k);
        if (!kwOnly) sawDefault = true;
      }
      names.push(p);
    });
    if (slashAt === np) names.push('/');
    if (starAt === np && starAt >= 0) {
      // a bare '*' must be followed by a keyword-only parameter
      names.push('*', 'k');
    }
    const args = Array.from({ length: randInt(r, 0, 6) }, (_, k) => BigInt(k + 1));
    const kwargs: [string, PyValue][] = [];
    for (const k of [...pool, 'k', 'z']) if (r() < 0.25) kwargs.push([k, `v${k}`]);
    out.push({ names, defaults, args, kwargs });
  }
  return out;
}

describe('bindArgs (CPython argument binding)', () => {
  for (const [c, want] of pinned)
    it(`def f(${signature(c)}) called as f(${pyCall(c)})`, () => {
      assert.equal(bind(c), want);
    });

  it('uses the qualified name it is given', () => {
    assert.equal(
      bind(C(['self', 'a', 'b'], {}, [null, 1n]), 'Random.randint'),
      "TypeError: Random.randint() missing 1 required positional argument: 'b'",
    );
  });

  it('treats Python names such as __proto__ and constructor as plain names', () => {
    assert.equal(
      bind(C(['constructor'], {}, [], [['__proto__', 1n]])),
      "TypeError: f() got an unexpected keyword argument '__proto__'",
    );
    assert.equal(bind(C(['toString'], {}, [])), "TypeError: f() missing 1 required positional argument: 'toString'");
  });

  it('agrees with CPython 3.11 on the pinned and 600 random signatures and calls', function () {
    this.timeout(30000);
    const python = findPython311();
    if (python === null) {
      if (process.env.CI === 'true') assert.fail('no CPython 3.11 found');
      this.skip();
    }
    const cases = [...pinned.map(([c]) => c), ...randomCases(600, 7)];
    const want = runPythonJson<string[]>(
      python,
      PY,
      cases.map((c) => [signature(c), c.names.filter((x) => x !== '/' && x !== '*'), pyCall(c)]),
    );
    const failures: string[] = [];
    cases.forEach((c, i) => {
      const mine = bind(c);
      if (mine !== want[i]) failures.push(`def f(${signature(c)}); f(${pyCall(c)}): CPython ${want[i]}, here ${mine}`);
    });
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${cases.length} differ`);
  });
});
