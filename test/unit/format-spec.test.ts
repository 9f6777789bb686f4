/**
 * format() / f-string specs: pinned cases (each checked against CPython 3.11
 * by hand), then thousands of seeded random values and specs compared with
 * CPython itself, errors included.
 */
import { strict as assert } from 'node:assert';
import {
  doubleToString,
  exactDecimal,
  FormatError,
  formatValue,
  FormatValue,
  pyReprScalar,
  pyStr,
} from '../../src/lang/format/format-spec';
import { findPython, floatHex, pick, randInt, randomDouble, rng, runPythonJson } from './helpers/format-python';

type Outcome = string | { error: string; message: string };

function run(value: FormatValue, spec: string): Outcome {
  try {
    return formatValue(value, spec);
  } catch (e) {
    if (e instanceof FormatError) return { error: e.pyType, message: e.message };
    throw e;
  }
}

const err = (message: string, error = 'ValueError'): Outcome => ({ error, message });

describe('formatValue (Python format-spec mini-language)', () => {
  const pinned: [FormatValue, string, Outcome][] = [
    // floats: rounding is half-even on the exact binary value
    [2.675, '.2f', '2.67'],
    [0.125, '.2f', '0.12'],
    [0.375, '.2f', '0.38'],
    [1.005, '.2f', '1.00'],
    [0.5, '.0f', '0'],
    [1.5, '.0f', '2'],
    [2.5, '.0f', '2'],
    [9.5, '.0e', '1e+01'],
    [99.5, '.1e', '1.0e+02'],
    [9.999, '.2f', '10.00'],
    [9.999, '.3g', '10'],
    [0.1, '.30f', '0.100000000000000005551115123126'],
    [5e-324, 'e', '4.940656e-324'],
    [1e20, ',f', '100,000,000,000,000,000,000.000000'],
    [12345.678, '_', '12_345.678'],
    [3.14159, '.2f', '3.14'],
    [3.14159, '8.3f', '   3.142'],
    [-3.14159, '+.1f', '-3.1'],
    [3.14159, '+.1f', '+3.1'],
    [3.14159, ' .1f', ' 3.1'],
    [0.5, '%', '50.000000%'],
    [0.256, '.1%', '25.6%'],
    [1.0, '', '1.0'],
    [1e16, '', '1e+16'],
    [1e-5, '', '1e-05'],
    [-0.0, '', '-0.0'],
    [-0.0, 'z', '0.0'],
    [-0.0001, '.2f', '-0.00'],
    [-0.0001, 'z.2f', '0.00'],
    [-0.0, 'z.1', '0e+00'],
    [123.0, '.3', '1.23e+02'],
    [12.0, '.3', '12.0'],
    [1.0, '.0', '1e+00'],
    [1.0, '#.0', '1.e+00'],
    [1.0, '#g', '1.00000'],
    [1.0, '#.0f', '1.'],
    [100.0, '#.3', '1.00e+02'],
    [1234567.0, 'n', '1.23457e+06'],
    [1.0, 'n', '1'],
    [1e-5, 'G', '1E-05'],
    [1.0, 'E', '1.000000E+00'],
    [Infinity, 'F', 'INF'],
    [NaN, 'E', 'NAN'],
    [NaN, '+', '+nan'],
    [Infinity, '010', '0000000inf'],
    [-Infinity, 'z', '-inf'],
    [1e100, '010,.2', '0,001e+100'],
    [1.5, '010,.2%', '00,150.00%'],
    [1.0, '=10', '       1.0'],
    [0.001234, '.3e', '1.234e-03'],
    [1e300, 'n', '1e+300'],
    // ints
    [42n, '', '42'],
    [5n, '3d', '  5'],
    [5n, '03d', '005'],
    [-5n, '03d', '-05'],
    [1234567n, ',', '1,234,567'],
    [1234567n, '_', '1_234_567'],
    [1234n, '010,', '00,001,234'],
    [-1234n, '0=10,', '-0,001,234'],
    [-1234n, 'x=10,', '-xxxx1,234'],
    [1234n, '+010_', '+0_001_234'],
    [12345678n, '09,', '12,345,678'],
    [1234n, '<010', '1234000000'],
    [5n, '=^10', '====5====='],
    [5n, '<=5', '<<<<5'],
    [255n, 'x', 'ff'],
    [255n, '#X', '0XFF'],
    [255n, '#010x', '0x000000ff'],
    [-255n, '#010_x', '-0x00_00ff'],
    [255n, '#_b', '0b1111_1111'],
    [-5n, '#o', '-0o5'],
    [65n, 'c', 'A'],
    [65n, '05c', '0000A'],
    [1234567n, 'n', '1234567'],
    [3n, '.2f', '3.00'],
    [1n, '%', '100.000000%'],
    [10n ** 30n, 'e', '1.000000e+30'],
    [2n ** 53n + 1n, '.0f', '9007199254740992'],
    [10n ** 400n, 'f', err('int too large to convert to float', 'OverflowError')],
    [1n, '😀>5', '😀😀😀😀1'],
    // bools
    [true, '', 'True'],
    [false, '', 'False'],
    [true, 'd', '1'],
    [true, '>10', '         1'],
    [true, '.2f', '1.00'],
    [false, 'c', '\x00'],
    [true, 's', err("Unknown format code 's' for object of type 'bool'")],
    // strings
    ['abc', '', 'abc'],
    ['abc', '>6', '   abc'],
    ['abc', '^7', '  abc  '],
    ['abc', '*<6', 'abc***'],
    ['abc', '.2', 'ab'],
    ['abc', '5.1s', 'a    '],
    ['ab', '010', 'ab00000000'],
    ['ab', '😀^7', '😀😀ab😀😀😀'],
    ['😀', '>3', '  😀'],
    // errors
    [1.5, 'xx', err("Invalid format specifier 'xx' for object of type 'float'")],
    [1.0, 'd', err("Unknown format code 'd' for object of type 'float'")],
    ['x', 'd', err("Unknown format code 'd' for object of type 'str'")],
    [1n, '\x01', err("Unknown format code '\\x1' for object of type 'int'")],
    [1n, '€', err("Unknown format code '\\x20ac' for object of type 'int'")],
    [1n, '.2', err('Precision not allowed in integer format specifier')],
    [1n, '.', err('Format specifier missing precision')],
    [1n, 'z', err('Negative zero coercion (z) not allowed in integer format specifier')],
    [1n, ',_', err("Cannot specify both ',' and '_'.")],
    [1n, '_,', err("Cannot specify both ',' and '_'.")],
    [1n, ',,', err("Cannot specify ',' with ','.")],
    [1n, ',x', err("Cannot specify ',' with 'x'.")],
    [1n, ',c', err("Cannot specify ',' with 'c'.")],
    [1.0, ',n', err("Cannot specify ',' with 'n'.")],
    [65n, '+c', err("Sign not allowed with integer format specifier 'c'")],
    [65n, '#c', err("Alternate form (#) not allowed with integer format specifier 'c'")],
    [-1n, 'c', err('%c arg not in range(0x110000)', 'OverflowError')],
    ['s', '+', err('Sign not allowed in string format specifier')],
    ['s', ' ', err('Space not allowed in string format specifier')],
    ['s', 'z', err('Negative zero coercion (z) not allowed in string format specifier')],
    ['s', '#', err('Alternate form (#) not allowed in string format specifier')],
    ['s', '=', err("'=' alignment not allowed in string format specifier")],
    [1n, '99999999999999999999', err('Too many decimal digits in format string')],
    [1.0, '.3000000000f', err('precision too big')],
  ];
  for (const [value, spec, want] of pinned) {
    const label = `${typeof value === 'bigint' ? `${value}` : JSON.stringify(value)}: ${JSON.stringify(spec)}`;
    it(`format(${label})`, () => assert.deepEqual(run(value, spec), want));
  }

  it('FormatError carries the Python exception type', () => {
    assert.throws(
      () => formatValue(1.5, 'd'),
      (e: unknown) => e instanceof FormatError && e.pyType === 'ValueError' && e.name === 'ValueError',
    );
  });

  it('exactDecimal gives every digit of the binary value', () => {
    assert.deepEqual(exactDecimal(0.125), { digits: '125', decpt: 0 });
    assert.deepEqual(exactDecimal(1e21), { digits: '1', decpt: 22 });
    assert.equal(exactDecimal(0.1).digits, '1000000000000000055511151231257827021181583404541015625');
    assert.deepEqual(exactDecimal(0), { digits: '0', decpt: 1 });
  });

  it('doubleToString follows PyOS_double_to_string', () => {
    assert.equal(doubleToString(1.5, 'r', 0), '1.5');
    assert.equal(doubleToString(2, 'r', 0, { addDot0: true }), '2.0');
    assert.equal(doubleToString(-2.5, 'e', 4), '-2.5000e+00');
    assert.equal(doubleToString(1e-7, 'f', 4), '0.0000');
  });

  it('pyStr and pyReprScalar', () => {
    assert.equal(pyStr(3n), '3');
    assert.equal(pyStr(-(10n ** 30n)), '-1000000000000000000000000000000');
    assert.equal(pyStr(0.1 + 0.2), '0.30000000000000004');
    assert.equal(pyStr(2), '2.0');
    assert.equal(pyStr(true), 'True');
    assert.equal(pyStr(null), 'None');
    assert.equal(pyStr("it's"), "it's");
    assert.equal(pyReprScalar('abc'), "'abc'");
    assert.equal(pyReprScalar("it's"), `"it's"`);
    assert.equal(pyReprScalar(`'"`), `'\\'"'`);
    assert.equal(pyReprScalar('a\nb\t\\\x00\x7f\xa0é😀'), "'a\\nb\\t\\\\\\x00\\x7f\\xa0é😀'");
    assert.equal(pyReprScalar(null), 'None');
    assert.equal(pyReprScalar(1.5), '1.5');
  });

  it('matches CPython 3.11 on thousands of random values and specs', function () {
    this.timeout(60000);
    const python = findPython(false);
    if (python === null) {
      // Only a machine without Python 3.11 gets here; CI images always have it.
      if (process.env.CI === 'true') assert.fail('no Python 3.11 found (set TORCH_PYTHON)');
      this.skip();
    }
    const cases = randomCases(6000, 20240611);
    const input = cases.map(([v, spec]) => [encode(v), spec]);
    const got = runPythonJson<Outcome[]>(python, PY_FORMAT, input);
    assert.equal(got.length, cases.length);
    const failures: string[] = [];
    cases.forEach(([v, spec], i) => {
      const mine = run(v, spec);
      if (JSON.stringify(mine) !== JSON.stringify(got[i]))
        failures.push(
          `format(${encode(v).join(':')}, ${JSON.stringify(spec)}): want ${JSON.stringify(got[i])}, got ${JSON.stringify(mine)}`,
        );
    });
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${cases.length} differ`);
  });
});

const PY_FORMAT = `
import json, sys
out = []
for (kind, text), spec in json.load(sys.stdin):
    v = {'int': int, 'float': float.fromhex, 'bool': lambda s: s == 'True', 'str': str}[kind](text)
    try:
        out.append(format(v, spec))
    except (ValueError, OverflowError) as e:
        out.append({'error': type(e).__name__, 'message': str(e)})
json.dump(out, sys.stdout)
`;

function encode(v: FormatValue): [string, string] {
  switch (typeof v) {
    case 'bigint':
      return ['int', v.toString()];
    case 'number':
      return ['float', floatHex(v)];
    case 'boolean':
      return ['bool', v ? 'True' : 'False'];
    default:
      return ['str', v];
  }
}

function randomFloat(r: () => number): number {
  switch (randInt(r, 0, 9)) {
    case 0:
      return randomDouble(r);
    case 1: // exact binary ties at many decimal positions: k / 2^n
      return (randInt(r, -5000, 5000) / 2 ** randInt(r, 1, 12)) * (r() < 0.1 ? 1e6 : 1);
    case 2: // short decimals, whose binary values sit just off a tie (2.675, 1.005)
      return Number((r() * 10 ** randInt(r, 0, 5)).toFixed(randInt(r, 1, 4)));
    case 3:
      return pick(r, [0, -0, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 1e16, 1e-5, 0.5, 9.5, 99.95]);
    case 4: // integers, sometimes beyond 2^53
      return Math.round((r() - 0.5) * 10 ** randInt(r, 1, 22));
    case 5: // float32 values, as tensors hold
      return Math.fround((r() - 0.5) * 10 ** randInt(r, -8, 10));
    case 6: // nines that carry when rounded
      return (10 ** randInt(r, -6, 8) - 10 ** randInt(r, -12, -1)) * (r() < 0.5 ? -1 : 1);
    default:
      return (r() - 0.5) * 10 ** randInt(r, -12, 25);
  }
}

function randomInt(r: () => number): bigint {
  switch (randInt(r, 0, 4)) {
    case 0:
      return BigInt(randInt(r, -20, 300));
    case 1:
      return BigInt(Math.round((r() - 0.5) * 10 ** randInt(r, 1, 15)));
    case 2: // big ints, up to and past the float range
      return BigInt(randInt(r, -9, 9)) * 10n ** BigInt(randInt(r, 15, 320)) + BigInt(randInt(r, 0, 999));
    case 3:
      return BigInt(randInt(r, 0, 0x110010));
    default:
      return BigInt(randInt(r, -70000, 70000));
  }
}

const STRINGS = ['', 'a', 'abc', 'hello world', 'é', '😀x', 'tab\there', 'loss', '0123456789'];
const FILLS = [' ', '*', '0', 'x', '_', ',', '.', '😀', '=', '<', '{'];

function randomSpec(r: () => number, kind: string): string {
  let s = '';
  if (r() < 0.4) s += (r() < 0.5 ? pick(r, FILLS) : '') + pick(r, ['<', '>', '^', '=']);
  if (r() < 0.3) s += pick(r, ['+', '-', ' ']);
  if (r() < 0.08) s += 'z';
  if (r() < 0.15) s += '#';
  if (r() < 0.2) s += '0';
  if (r() < 0.5) s += String(randInt(r, 0, 30));
  if (r() < 0.2) s += pick(r, [',', '_', ',', '_', ',_', '_,']);
  if (r() < 0.5) s += '.' + String(r() < 0.9 ? randInt(r, 0, 20) : randInt(r, 21, 120));
  const types =
    kind === 'number'
      ? ['', 'e', 'E', 'f', 'F', 'g', 'G', '%', 'n']
      : kind === 'string'
        ? ['', 's']
        : ['', 'd', 'b', 'o', 'x', 'X', 'n', 'c', 'e', 'f', 'g', '%', 'G', 'E', 'F'];
  s += r() < 0.07 ? pick(r, ['d', 's', 'c', 'x', 'f', 'e', 'q', '%', 'z']) : pick(r, types);
  if (r() < 0.01) s += pick(r, ['f', 'x', '.']);
  return s;
}

function randomCases(n: number, seed: number): [FormatValue, string][] {
  const r = rng(seed);
  const out: [FormatValue, string][] = [];
  for (let i = 0; i < n; i++) {
    const k = r();
    const v: FormatValue =
      k < 0.55 ? randomFloat(r) : k < 0.85 ? randomInt(r) : k < 0.92 ? r() < 0.5 : pick(r, STRINGS);
    out.push([v, randomSpec(r, typeof v)]);
  }
  return out;
}
