/**
 * Python's repr() of a float (what print shows): the shortest digits that
 * round-trip, written as CPython does: `2.0`, `1e-05`, `0.30000000000000004`,
 * `1e+16`, `nan`, `inf`. JavaScript finds the same shortest digits
 * (Number#toExponential with no argument); only the layout differs.
 */
/**
 * The shortest decimal that reads back as the same float32, in Python's
 * layout: how a float32 value is best shown to a person (`-1.66`, not
 * `-1.659999966621399`, its exact double).
 */
export function float32Repr(x: number): string {
  if (!Number.isFinite(x) || x === 0) return pyFloatRepr(x);
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return pyFloatRepr(y);
  }
  return pyFloatRepr(x);
}

export function pyFloatRepr(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expPart] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expPart);
  const decpt = exp + 1;
  if (decpt <= -4 || decpt > 16) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${digits[0]}${rest}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}
