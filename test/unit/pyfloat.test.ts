import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { pyFloatRepr } from '../../src/lang/pyfloat';

describe('pyFloatRepr (CPython float repr)', () => {
  const cases: [number, string][] = [
    [2, '2.0'],
    [-15.5, '-15.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [123456789012345680, '1.2345678901234568e+17'],
    [1.5e-10, '1.5e-10'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [Math.fround(0.1), '0.10000000149011612'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [60.0625, '60.0625'],
  ];
  for (const [x, want] of cases) it(`repr(${want})`, () => assert.equal(pyFloatRepr(x), want));

  it('round-trips every double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const s = pyFloatRepr(x);
        assert.ok(Object.is(Number(s.replace('inf', 'Infinity')), x), `${x} -> ${s}`);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('matches CPython on random doubles when python3 is available', function () {
    let out: string;
    const xs = fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { numRuns: 300, seed: 7 });
    try {
      out = execFileSync('python3', ['-c', 'import sys\nfor l in sys.stdin: print(repr(float.fromhex(l.strip())))'], {
        input: xs.map(toHex).join('\n') + '\n',
        encoding: 'utf8',
      });
    } catch {
      // python3 is part of every Debian image CI uses; a developer machine without it skips this cross-check only.
      this.skip();
    }
    const want = out.trim().split('\n');
    xs.forEach((x, i) => assert.equal(pyFloatRepr(x), want[i], `for ${x}`));
  });
});

/** Exact hexadecimal form of a double, as float.fromhex reads it. */
function toHex(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0x0p+0' : '0x0p+0';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const e = (hi >>> 20) & 0x7ff;
  const mant = ((hi & 0xfffff).toString(16).padStart(5, '0') + lo.toString(16).padStart(8, '0'));
  if (e === 0) return `${sign}0x0.${mant}p-1022`;
  return `${sign}0x1.${mant}p${e - 1023}`;
}
