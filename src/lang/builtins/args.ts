/**
 * Binds a call's positional and keyword arguments to named parameters the
 * way CPython binds a `def` function's, with CPython's TypeError texts, so
 * the TypeScript builtins (random.*, torch.*) report argument mistakes as
 * Python would. A name list may hold the markers '/' (the names before it are
 * positional-only) and '*' (the names after it are keyword-only).
 */
import { typeErr } from '../errors';
import type { CallArgs, PyValue } from '../values';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'` as CPython lists missing names. */
function nameList(names: readonly string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length === 1) return q[0];
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/**
 * The values of `names` (markers left out) in order: passed positionally,
 * by keyword, or taken from `defaults`. A name with no default is required.
 * Throws TypeError as CPython does for a Python function `fname`.
 */
export function bindArgs(
  a: CallArgs,
  fname: string,
  names: readonly string[],
  defaults: Readonly<Record<string, PyValue>>,
): PyValue[] {
  const slash = names.indexOf('/');
  const star = names.indexOf('*');
  const params = names.filter((n) => n !== '/' && n !== '*');
  const posOnly = slash < 0 ? 0 : slash;
  // Names before '*' (minus the '/' marker) can be passed positionally.
  const positional = star < 0 ? params.length : star - (slash >= 0 && slash < star ? 1 : 0);
  const hasDefault = (n: string): boolean => Object.prototype.hasOwnProperty.call(defaults, n);

  const values: (PyValue | undefined)[] = new Array(params.length).fill(undefined);
  const given = Math.min(a.args.length, positional);
  for (let i = 0; i < given; i++) values[i] = a.args[i];

  // CPython checks keywords first (in order), then the positional count, then what is missing.
  for (const [k, v] of a.kwargs) {
    const i = params.indexOf(k);
    if (i < posOnly) {
      // Unknown, or positional-only: CPython names every positional-only parameter passed by keyword.
      const asKw = params.slice(0, posOnly).filter((n) => a.kwargs.has(n));
      if (asKw.length > 0)
        throw typeErr(
          `${fname}() got some positional-only arguments passed as keyword arguments: '${asKw.join(', ')}'`,
        );
      throw typeErr(`${fname}() got an unexpected keyword argument '${k}'`);
    }
    if (values[i] !== undefined) throw typeErr(`${fname}() got multiple values for argument '${k}'`);
    values[i] = v;
  }

  if (a.args.length > positional) {
    let required = 0;
    for (let i = 0; i < positional; i++) if (!hasDefault(params[i])) required++;
    const takes = required < positional ? `from ${required} to ${positional}` : String(positional);
    const kwOnlyGiven = params.slice(positional).filter((_, j) => values[positional + j] !== undefined).length;
    const givenText =
      kwOnlyGiven > 0
        ? `${plural(a.args.length, 'positional argument')} (and ${plural(kwOnlyGiven, 'keyword-only argument')}) were given`
        : `${a.args.length} ${a.args.length === 1 ? 'was' : 'were'} given`;
    throw typeErr(
      `${fname}() takes ${takes} positional argument${positional === 1 && takes === '1' ? '' : 's'} but ${givenText}`,
    );
  }

  const missingPos: string[] = [];
  const missingKw: string[] = [];
  params.forEach((n, i) => {
    if (values[i] !== undefined) return;
    if (hasDefault(n)) values[i] = defaults[n];
    else (i < positional ? missingPos : missingKw).push(n);
  });
  if (missingPos.length > 0)
    throw typeErr(
      `${fname}() missing ${plural(missingPos.length, 'required positional argument')}: ${nameList(missingPos)}`,
    );
  if (missingKw.length > 0)
    throw typeErr(
      `${fname}() missing ${plural(missingKw.length, 'required keyword-only argument')}: ${nameList(missingKw)}`,
    );
  return values as PyValue[];
}
