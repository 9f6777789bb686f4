/**
 * The parser of the Python subset: a recursive-descent parser over the
 * tokenizer's tokens that builds the syntax tree of ast.ts with Python's
 * precedence and exact source ranges (the same ranges CPython's `ast` gives:
 * a node spans from the first to the last token of its grammar rule, so
 * `(a) + b` starts at the parenthesis while the Name `a` does not).
 *
 * It exists to turn untrusted text into either a tree or one located
 * PySyntaxError, never a JavaScript exception or a stack overflow:
 * - nesting (parentheses, unary operators, `**`, `not`, conditional
 *   expressions, lambdas, calls, subscripts, f-string fields) is bounded by
 *   MAX_NESTING; deeper input gets "expression too deeply nested" at the
 *   offending token (the tokenizer separately stops at 200 open brackets);
 * - left-associative chains (`a + b + c ...`, `a.b.c`, `f()()`) are parsed by
 *   loops, so a 100,000-term sum parses; the resulting tree is left-deep, its
 *   depth is the number of terms (Binary nodes nest through `left`), and tree
 *   walkers must handle that depth without recursion or with their own limit
 *   (the same holds for long `elif` chains, nested through `orelse`);
 * - syntax outside the subset (class, try, yield, walrus, sets, ...) is a
 *   SyntaxError that names what is unsupported.
 *
 * Notes on the tree: annotations (`x: int = 1`, `def f(a: int) -> int`) are
 * parsed and dropped (`x: int = 1` is an Assign, a bare `x: int` is a Pass);
 * in `{x=}` f-string fields, `conversion` stays as written (null when none:
 * Python then uses repr unless a format spec is given).
 */

import type {
  Alias,
  AssignStmt,
  BinaryOperator,
  CompareOperator,
  Comprehension,
  Expr,
  FStringPart,
  FunctionDefStmt,
  IfStmt,
  Keyword,
  Module,
  Parameter,
  Range,
  SliceExpr,
  StarredExpr,
  Stmt,
  WithItem,
} from './ast';
import { PySyntaxError } from './ast';
import { KEYWORDS, Tokenizer, type FStringTokenPart, type Token } from './tokenizer';

/** Most nested levels of parentheses, unary operators, `**`, calls and the like in one expression. */
export const MAX_NESTING = 200;

const UNSUPPORTED = ' not supported by Backprop Debugger';
const UNSUPPORTED_OPS: ReadonlySet<string> = new Set(['|', '&', '^', '<<', '>>', '~', '|=', '&=', '^=', '<<=', '>>=']);
const AUG_OPS: ReadonlyMap<string, BinaryOperator> = new Map<string, BinaryOperator>([
  ['+=', '+'],
  ['-=', '-'],
  ['*=', '*'],
  ['/=', '/'],
  ['//=', '//'],
  ['%=', '%'],
  ['**=', '**'],
  ['@=', '@'],
]);
const COMPARE_OPS: ReadonlySet<string> = new Set(['<', '>', '<=', '>=', '==', '!=']);
const TERM_OPS: ReadonlySet<string> = new Set(['*', '/', '//', '%', '@']);

interface Pos {
  readonly line: number;
  readonly col: number;
}

type TargetContext = 'assign' | 'for' | 'with' | 'comprehension' | 'delete';

/** What Python calls an expression in "cannot assign to ..." messages. */
function exprName(e: Expr): string {
  switch (e.kind) {
    case 'Name':
      return 'name';
    case 'Attribute':
      return 'attribute';
    case 'Subscript':
      return 'subscript';
    case 'Starred':
      return 'starred';
    case 'List':
      return 'list';
    case 'Tuple':
      return 'tuple';
    case 'Lambda':
      return 'lambda';
    case 'Call':
      return 'function call';
    case 'Binary':
    case 'Unary':
    case 'BoolOp':
      return 'expression';
    case 'ListComp':
      return 'list comprehension';
    case 'Dict':
      return 'dict literal';
    case 'FString':
      return 'f-string expression';
    case 'Constant':
      return e.value === null ? 'None' : e.value ? 'True' : 'False';
    case 'Number':
    case 'String':
      return 'literal';
    case 'Compare':
      return 'comparison';
    case 'IfExp':
      return 'conditional expression';
    case 'Slice':
      return 'slice';
  }
}

function rangeOf(start: Pos, end: Range): Range {
  return { line: start.line, col: start.col, endLine: end.endLine, endCol: end.endCol };
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  private prev: Token;
  private depth: number;
  private loopDepth = 0;
  private funcDepth = 0;
  private tokenizerFailed = false;
  /** Open backtracking points (while > 0, consumed tokens are kept). */
  private marks = 0;
  /**
   * A lone `*x` used as a whole value (`x = *a`, `*a` as a statement) is an
   * error unless it turns out to be an assignment target; such nodes wait
   * here, with their message, until the end of the statement.
   */
  private starred: Map<StarredExpr, string>;

  constructor(
    private readonly tokenizer: Tokenizer | null,
    tokens: Token[],
    depth: number,
    starred: Map<StarredExpr, string>,
  ) {
    this.toks = tokens;
    this.depth = depth;
    this.starred = starred;
    this.prev = tokens[0] ?? { kind: 'ENDMARKER', text: '', line: 1, col: 0, endLine: 1, endCol: 0 };
  }

  // ------------------------------------------------------------ tokens

  private peek(k = 0): Token {
    const j = this.i + k;
    const toks = this.toks;
    while (j >= toks.length) {
      const last = toks[toks.length - 1];
      if (!this.tokenizer || (last && last.kind === 'ENDMARKER')) return last;
      try {
        toks.push(this.tokenizer.next());
      } catch (e) {
        this.tokenizerFailed = true;
        throw e;
      }
    }
    return toks[j];
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'ENDMARKER') this.i++;
    this.prev = t;
    // Drop consumed tokens now and then, unless a backtracking point needs them.
    if (this.i >= 1024 && this.marks === 0 && this.tokenizer) {
      this.toks.splice(0, this.i);
      this.i = 0;
    }
    return t;
  }

  private atOp(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'OP' && t.text === text;
  }

  private atKw(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'NAME' && t.text === text;
  }

  private eatOp(text: string): boolean {
    if (!this.atOp(text)) return false;
    this.next();
    return true;
  }

  private eatKw(text: string): boolean {
    if (!this.atKw(text)) return false;
    this.next();
    return true;
  }

  private expectOp(text: string, message = `expected '${text}'`): Token {
    const t = this.peek();
    if (t.kind === 'OP' && t.text === text) return this.next();
    this.checkUnsupported(t);
    throw this.error(message, t);
  }

  private expectKw(text: string, message = `expected '${text}'`): Token {
    const t = this.peek();
    if (t.kind === 'NAME' && t.text === text) return this.next();
    this.checkUnsupported(t);
    throw this.error(message, t);
  }

  /** A name that is not a keyword. */
  private expectName(): Token {
    const t = this.peek();
    if (t.kind === 'NAME' && !KEYWORDS.has(t.text)) return this.next();
    throw this.unexpected(t);
  }

  private span(start: Pos): Range {
    return rangeOf(start, this.prev);
  }

  /**
   * Give a node the range from `start` to the end of the last consumed token.
   * (Fields are added in one fixed order, with no temporary objects: the
   * parser allocates little besides the nodes themselves.)
   */
  private fin<T extends object>(start: Pos, node: T): T & Range {
    const n = node as T & { line: number; col: number; endLine: number; endCol: number };
    n.line = start.line;
    n.col = start.col;
    n.endLine = this.prev.endLine;
    n.endCol = this.prev.endCol;
    return n;
  }

  /** A compound statement ends where the last statement of its last block ends. */
  private finBlock<T extends object>(start: Pos, stmts: readonly Stmt[], node: T): T & Range {
    const last = stmts[stmts.length - 1];
    const n = node as T & { line: number; col: number; endLine: number; endCol: number };
    n.line = start.line;
    n.col = start.col;
    n.endLine = last.endLine;
    n.endCol = last.endCol;
    return n;
  }

  // ------------------------------------------------------------ errors

  private error(message: string, at: Range, type: 'SyntaxError' | 'IndentationError' = 'SyntaxError'): PySyntaxError {
    // An error at a line break points at the end of the line, not at the break character.
    const end = (at as Partial<Token>).kind === 'NEWLINE' ? at.col : at.endCol;
    const endLine = (at as Partial<Token>).kind === 'NEWLINE' ? at.line : at.endLine;
    return new PySyntaxError(message, { line: at.line, col: at.col, endLine, endCol: end }, type);
  }

  /** Throws the specific message for syntax outside the subset, if the token is some. */
  private checkUnsupported(t: Token): void {
    if (t.kind === 'OP') {
      if (t.text === ':=') throw this.error(`the walrus operator ':=' is${UNSUPPORTED}`, t);
      if (UNSUPPORTED_OPS.has(t.text)) throw this.error(`the '${t.text}' operator is${UNSUPPORTED}`, t);
      if (t.text === '...') throw this.error(`'...' (Ellipsis) is${UNSUPPORTED}`, t);
    } else if (t.kind === 'NAME') {
      switch (t.text) {
        case 'yield':
          throw this.error(`yield expressions are${UNSUPPORTED}`, t);
        case 'await':
        case 'async':
          throw this.error(`async and await are${UNSUPPORTED}`, t);
      }
    } else if (t.kind === 'INDENT') {
      throw this.error('unexpected indent', t, 'IndentationError');
    }
  }

  private unexpected(t: Token): PySyntaxError {
    this.checkUnsupported(t);
    return this.error('invalid syntax', t);
  }

  outOfStack(): PySyntaxError {
    return this.error('expression too deeply nested', this.prev);
  }

  private enter(at: Range): void {
    if (++this.depth > MAX_NESTING) throw this.error('expression too deeply nested', at);
  }

  private leave(): void {
    this.depth--;
  }

  /** Starred expressions left over at the end of a statement were not targets. */
  private checkStarred(): void {
    if (this.starred.size === 0) return;
    for (const [node, message] of this.starred) throw this.error(message, node);
  }

  /** Can this token begin an expression (used for trailing commas and missing-comma hints)? */
  private startsExpression(t: Token): boolean {
    switch (t.kind) {
      case 'NAME':
        return (
          !KEYWORDS.has(t.text) ||
          t.text === 'True' ||
          t.text === 'False' ||
          t.text === 'None' ||
          t.text === 'not' ||
          t.text === 'lambda' ||
          t.text === 'yield' ||
          t.text === 'await'
        );
      case 'NUMBER':
      case 'STRING':
      case 'FSTRING':
        return true;
      case 'OP':
        return (
          t.text === '(' ||
          t.text === '[' ||
          t.text === '{' ||
          t.text === '-' ||
          t.text === '+' ||
          t.text === '~' ||
          t.text === '*' ||
          t.text === '...'
        );
      default:
        return false;
    }
  }

  /** After an element inside brackets: two expressions in a row is probably a missing comma. */
  private missingComma(start: Pos): void {
    const t = this.peek();
    const atom =
      t.kind === 'NAME'
        ? !KEYWORDS.has(t.text) || t.text === 'True' || t.text === 'False' || t.text === 'None'
        : t.kind === 'NUMBER' || t.kind === 'STRING' || t.kind === 'FSTRING';
    if (atom) {
      throw this.error('invalid syntax. Perhaps you forgot a comma?', rangeOf(start, t));
    }
  }

  // ------------------------------------------------------------ module

  parseModule(): Module {
    const body: Stmt[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'ENDMARKER') break;
      if (t.kind === 'NEWLINE') {
        this.next();
        continue;
      }
      this.statement(body);
    }
    return { kind: 'Module', body };
  }

  parseSingleExpression(): Expr {
    if (this.peek().kind === 'INDENT') this.next();
    const e = this.starExpressions();
    this.checkStarred();
    while (this.peek().kind === 'NEWLINE' || this.peek().kind === 'DEDENT') this.next();
    const t = this.peek();
    if (t.kind !== 'ENDMARKER') throw this.unexpected(t);
    return e;
  }

  // ------------------------------------------------------------ statements

  private statement(out: Stmt[]): void {
    const t = this.peek();
    if (t.kind === 'INDENT') throw this.error('unexpected indent', t, 'IndentationError');
    if (t.kind === 'DEDENT')
      throw this.error('unindent does not match any outer indentation level', t, 'IndentationError');
    if (t.kind === 'NAME') {
      switch (t.text) {
        case 'if':
          out.push(this.ifStatement());
          return;
        case 'while':
          out.push(this.whileStatement());
          return;
        case 'for':
          out.push(this.forStatement());
          return;
        case 'def':
          out.push(this.functionDef([]));
          return;
        case 'with':
          out.push(this.withStatement());
          return;
        case 'class':
          throw this.error(`class definitions are${UNSUPPORTED}`, t);
        case 'try':
          throw this.error(`try statements are${UNSUPPORTED}`, t);
        case 'async':
          throw this.error(`async and await are${UNSUPPORTED}`, t);
      }
    } else if (t.kind === 'OP' && t.text === '@') {
      out.push(this.decorated());
      return;
    }
    this.simpleStatements(out);
  }

  /** `a; b; c NEWLINE` */
  private simpleStatements(out: Stmt[]): void {
    for (;;) {
      const s = this.simpleStatement();
      out.push(s);
      if (this.eatOp(';')) {
        if (this.peek().kind === 'NEWLINE') {
          this.next();
          return;
        }
        continue;
      }
      const t = this.peek();
      if (t.kind === 'NEWLINE') {
        this.next();
        return;
      }
      if (
        s.kind === 'Expr' &&
        s.value.kind === 'Name' &&
        (s.value.id === 'print' || s.value.id === 'exec') &&
        this.startsExpression(t)
      ) {
        throw this.error(
          `Missing parentheses in call to '${s.value.id}'. Did you mean ${s.value.id}(...)?`,
          rangeOf(s, t),
        );
      }
      throw this.unexpected(t);
    }
  }

  private simpleStatement(): Stmt {
    const t = this.peek();
    const s = this.simpleStatementInner(t);
    this.checkStarred();
    return s;
  }

  private simpleStatementInner(t: Token): Stmt {
    if (t.kind === 'NAME') {
      switch (t.text) {
        case 'pass':
          this.next();
          return this.fin(t, { kind: 'Pass' });
        case 'break':
          this.next();
          if (this.loopDepth === 0) throw this.error("'break' outside loop", t);
          return this.fin(t, { kind: 'Break' });
        case 'continue':
          this.next();
          if (this.loopDepth === 0) throw this.error("'continue' not properly in loop", t);
          return this.fin(t, { kind: 'Continue' });
        case 'return': {
          this.next();
          const value = this.atSimpleStatementEnd() ? null : this.starExpressions();
          if (this.funcDepth === 0) throw this.error("'return' outside function", this.span(t));
          return this.fin(t, { kind: 'Return', value });
        }
        case 'import':
          return this.importStatement();
        case 'from':
          return this.fromImport();
        case 'global': {
          this.next();
          const names = [this.expectName().text];
          while (this.eatOp(',')) names.push(this.expectName().text);
          return this.fin(t, { kind: 'Global', names });
        }
        case 'nonlocal':
          throw this.error(`nonlocal statements are${UNSUPPORTED}`, t);
        case 'del':
          return this.delStatement();
        case 'assert': {
          this.next();
          const test = this.expression();
          const msg = this.eatOp(',') ? this.expression() : null;
          return this.fin(t, { kind: 'Assert', test, msg });
        }
        case 'raise':
          throw this.error(`raise statements are${UNSUPPORTED}`, t);
      }
    }
    return this.expressionStatement(t);
  }

  private atSimpleStatementEnd(): boolean {
    const t = this.peek();
    return t.kind === 'NEWLINE' || t.kind === 'ENDMARKER' || (t.kind === 'OP' && t.text === ';');
  }

  /** Expression statement, assignment, augmented assignment, annotated assignment. */
  private expressionStatement(start: Token): Stmt {
    const first = this.starExpressions();
    const t = this.peek();
    if (t.kind === 'OP') {
      if (t.text === '=') {
        const targets: Expr[] = [first];
        let value: Expr = first;
        while (this.eatOp('=')) {
          const v = this.peek();
          if (v.kind === 'NAME' && v.text === 'yield') throw this.unexpected(v);
          value = this.starExpressions();
          targets.push(value);
        }
        targets.pop();
        for (const target of targets) this.validateTarget(target, 'assign', true);
        const node: AssignStmt = this.fin(start, { kind: 'Assign', targets, value });
        return node;
      }
      const op = AUG_OPS.get(t.text);
      if (op !== undefined) {
        if (first.kind !== 'Name' && first.kind !== 'Attribute' && first.kind !== 'Subscript') {
          throw this.error(`'${exprName(first)}' is an illegal expression for augmented assignment`, first);
        }
        this.next();
        const value = this.starExpressions();
        return this.fin(start, { kind: 'AugAssign', target: first, op, value });
      }
      if (t.text === ':') {
        if (first.kind === 'Tuple' || first.kind === 'List') {
          throw this.error(
            `only single target (not ${first.kind === 'Tuple' ? 'tuple' : 'list'}) can be annotated`,
            first,
          );
        }
        if (first.kind !== 'Name' && first.kind !== 'Attribute' && first.kind !== 'Subscript') {
          throw this.error('illegal target for annotation', first);
        }
        this.next();
        this.expression(); // the annotation is not kept
        if (this.eatOp('=')) {
          this.validateTarget(first, 'assign', true);
          const value = this.starExpressions();
          return this.fin(start, { kind: 'Assign', targets: [first], value });
        }
        return this.fin(start, { kind: 'Pass' });
      }
    }
    return this.fin(start, { kind: 'Expr', value: first });
  }

  private importStatement(): Stmt {
    const start = this.next();
    const names: Alias[] = [];
    do {
      const name = this.dottedName();
      const asname = this.eatKw('as') ? this.expectName().text : null;
      names.push({ name, asname });
    } while (this.eatOp(','));
    return this.fin(start, { kind: 'Import', names });
  }

  private dottedName(): string {
    let name = this.expectName().text;
    while (this.eatOp('.')) name += '.' + this.expectName().text;
    return name;
  }

  private fromImport(): Stmt {
    const start = this.next();
    const t = this.peek();
    if (t.kind === 'OP' && (t.text === '.' || t.text === '...'))
      throw this.error(`relative imports are${UNSUPPORTED}`, t);
    const module = this.dottedName();
    this.expectKw('import', 'invalid syntax');
    const names: Alias[] = [];
    const star = this.peek();
    if (this.eatOp('*')) {
      if (this.funcDepth > 0) throw this.error('import * only allowed at module level', star);
      names.push({ name: '*', asname: null });
    } else {
      const paren = this.eatOp('(');
      for (;;) {
        const name = this.expectName().text;
        const asname = this.eatKw('as') ? this.expectName().text : null;
        names.push({ name, asname });
        const comma = this.peek();
        if (!this.eatOp(',')) break;
        if (paren && this.atOp(')')) break;
        if (!paren && this.atSimpleStatementEnd()) {
          throw this.error('trailing comma not allowed without surrounding parentheses', comma);
        }
      }
      if (paren) this.expectOp(')');
    }
    return this.fin(start, { kind: 'ImportFrom', module, names });
  }

  private delStatement(): Stmt {
    const start = this.next();
    const targets: Expr[] = [];
    do {
      if (this.atSimpleStatementEnd() && targets.length > 0) break;
      const e = this.starTarget();
      this.validateTarget(e, 'delete', true);
      targets.push(e);
    } while (this.eatOp(','));
    return this.fin(start, { kind: 'Delete', targets });
  }

  // ------------------------------------------------------------ compound statements

  /** The block after a header's `:`: an indented suite or simple statements on the same line. */
  private block(header: string, headerLine: number): Stmt[] {
    const t = this.peek();
    if (t.kind !== 'NEWLINE') {
      const body: Stmt[] = [];
      this.simpleStatements(body);
      return body;
    }
    this.next();
    const ind = this.peek();
    if (ind.kind !== 'INDENT') {
      const at = ind.kind === 'ENDMARKER' || ind.kind === 'DEDENT' ? t : ind;
      throw this.error(`expected an indented block after ${header} on line ${headerLine}`, at, 'IndentationError');
    }
    this.next();
    const body: Stmt[] = [];
    for (;;) {
      const s = this.peek();
      if (s.kind === 'DEDENT') {
        this.next();
        return body;
      }
      if (s.kind === 'ENDMARKER') return body;
      this.statement(body);
    }
  }

  /** The condition of if/elif/while: `=` there gets Python's hint. */
  private condition(): Expr {
    const test = this.namedExpression();
    const t = this.peek();
    if (t.kind === 'OP' && t.text === '=') {
      throw this.error("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", rangeOf(test, t));
    }
    this.checkStarred();
    return test;
  }

  /**
   * if / elif / else. The elif clauses are read by a loop (a long chain needs
   * no recursion here); each elif becomes an If nested in the orelse of the
   * previous one, as in Python's ast, all ending where the whole chain ends.
   */
  private ifStatement(): IfStmt {
    const clauses: { start: Token; test: Expr; body: Stmt[] }[] = [];
    let orelse: Stmt[] = [];
    for (;;) {
      const start = this.next(); // 'if' or 'elif'
      const test = this.condition();
      this.expectOp(':', "expected ':'");
      const body = this.block(`'${start.text}' statement`, start.line);
      clauses.push({ start, test, body });
      const t = this.peek();
      if (t.kind === 'NAME' && t.text === 'elif') continue;
      if (t.kind === 'NAME' && t.text === 'else') {
        this.next();
        this.expectOp(':', "expected ':'");
        orelse = this.block("'else' statement", t.line);
      }
      break;
    }
    const lastBlock = orelse.length ? orelse : clauses[clauses.length - 1].body;
    let node: IfStmt | null = null;
    for (let k = clauses.length - 1; k >= 0; k--) {
      const { start, test, body } = clauses[k];
      node = this.finBlock(start, lastBlock, { kind: 'If' as const, test, body, orelse: node ? [node] : orelse });
    }
    return node as IfStmt;
  }

  private loopElse(): Stmt[] {
    const t = this.peek();
    if (!(t.kind === 'NAME' && t.text === 'else')) return [];
    this.next();
    this.expectOp(':', "expected ':'");
    return this.block("'else' statement", t.line);
  }

  private loopBody(header: string, line: number): Stmt[] {
    this.loopDepth++;
    const body = this.block(header, line);
    this.loopDepth--;
    return body;
  }

  private whileStatement(): Stmt {
    const start = this.next();
    const test = this.condition();
    this.expectOp(':', "expected ':'");
    const body = this.loopBody("'while' statement", start.line);
    const orelse = this.loopElse();
    return this.finBlock(start, orelse.length ? orelse : body, { kind: 'While', test, body, orelse });
  }

  private forStatement(): Stmt {
    const start = this.next();
    const target = this.targetList('for');
    this.expectKw('in', "expected 'in'");
    const iter = this.starExpressions();
    this.checkStarred();
    this.expectOp(':', "expected ':'");
    const body = this.loopBody("'for' statement", start.line);
    const orelse = this.loopElse();
    return this.finBlock(start, orelse.length ? orelse : body, { kind: 'For', target, iter, body, orelse });
  }

  private withStatement(): Stmt {
    const start = this.next();
    let items: WithItem[] | null = null;
    if (this.atOp('(')) items = this.parenthesizedWithItems();
    if (!items) {
      items = [];
      do items.push(this.withItem());
      while (this.eatOp(','));
    }
    this.checkStarred();
    this.expectOp(':', "expected ':'");
    const body = this.block("'with' statement", start.line);
    return this.finBlock(start, body, { kind: 'With', items, body });
  }

  /** `with (a as b, c):` (Python 3.10); null (and nothing consumed) when the parenthesis belongs to an expression. */
  private parenthesizedWithItems(): WithItem[] | null {
    const saveI = this.i;
    const savePrev = this.prev;
    const saveDepth = this.depth;
    const saveStarred = new Map(this.starred);
    this.marks++;
    try {
      const open = this.next();
      this.enter(open);
      const items: WithItem[] = [];
      do {
        if (this.atOp(')')) break;
        items.push(this.withItem());
      } while (this.eatOp(','));
      this.expectOp(')');
      this.leave();
      if (items.length > 0 && this.atOp(':')) {
        this.marks--;
        return items;
      }
    } catch (e) {
      if (this.tokenizerFailed || !(e instanceof PySyntaxError)) throw e;
    }
    this.marks--;
    this.i = saveI;
    this.prev = savePrev;
    this.depth = saveDepth;
    this.starred = saveStarred;
    return null;
  }

  private withItem(): WithItem {
    const context = this.expression();
    let target: Expr | null = null;
    if (this.eatKw('as')) {
      target = this.starTarget();
      this.validateTarget(target, 'with', true);
    }
    return { context, target };
  }

  private decorated(): Stmt {
    const decorators: Expr[] = [];
    while (this.atOp('@')) {
      this.next();
      decorators.push(this.namedExpression());
      this.checkStarred();
      const t = this.peek();
      if (t.kind !== 'NEWLINE') throw this.unexpected(t);
      this.next();
    }
    const t = this.peek();
    if (t.kind === 'NAME' && t.text === 'def') return this.functionDef(decorators);
    if (t.kind === 'NAME' && t.text === 'class') throw this.error(`class definitions are${UNSUPPORTED}`, t);
    throw this.unexpected(t);
  }

  private functionDef(decorators: Expr[]): FunctionDefStmt {
    const start = this.next();
    const name = this.expectName().text;
    if (this.atOp('[')) throw this.error(`type parameters are${UNSUPPORTED}`, this.peek());
    this.expectOp('(', "expected '('");
    const params = this.parameters(')', true);
    this.expectOp(')');
    if (this.eatOp('->')) this.expression(); // the return annotation is not kept
    this.expectOp(':', "expected ':'");
    const saveLoop = this.loopDepth;
    this.loopDepth = 0;
    this.funcDepth++;
    const body = this.block('function definition', start.line);
    this.funcDepth--;
    this.loopDepth = saveLoop;
    return this.finBlock(start, body, { kind: 'FunctionDef', name, params, body, decorators });
  }

  /** Parameters of def (closer `)`) or lambda (closer `:`). */
  private parameters(closer: string, annotations: boolean): Parameter[] {
    const params: Parameter[] = [];
    const seen = new Set<string>();
    let sawDefault = false;
    let sawArgs = false;
    let sawKwargs = false;
    while (!this.atOp(closer)) {
      const t = this.peek();
      if (sawKwargs) throw this.error('arguments cannot follow var-keyword argument', t);
      let star: Parameter['star'] = 'normal';
      if (t.kind === 'OP' && t.text === '/') throw this.error(`positional-only parameters ('/') are${UNSUPPORTED}`, t);
      if (t.kind === 'OP' && t.text === '*') {
        this.next();
        if (this.atOp(',') || this.atOp(closer)) {
          throw this.error(`a bare '*' (keyword-only parameters without *args) is${UNSUPPORTED}`, t);
        }
        if (sawArgs) throw this.error('* argument may appear only once', t);
        star = 'args';
        sawArgs = true;
      } else if (t.kind === 'OP' && t.text === '**') {
        this.next();
        star = 'kwargs';
        sawKwargs = true;
      }
      const nameTok = this.expectName();
      if (seen.has(nameTok.text))
        throw this.error(`duplicate argument '${nameTok.text}' in function definition`, nameTok);
      seen.add(nameTok.text);
      if (annotations && this.eatOp(':')) this.expression();
      const endLine = this.prev.endLine;
      const endCol = this.prev.endCol;
      let defaultValue: Expr | null = null;
      if (this.atOp('=')) {
        const eq = this.next();
        if (star !== 'normal') {
          throw this.error(`var-${star === 'args' ? 'positional' : 'keyword'} argument cannot have default value`, eq);
        }
        defaultValue = this.expression();
        sawDefault = true;
      } else if (star === 'normal' && sawDefault && !sawArgs) {
        throw this.error('parameter without a default follows parameter with a default', nameTok);
      }
      params.push({ name: nameTok.text, defaultValue, star, line: nameTok.line, col: nameTok.col, endLine, endCol });
      if (!this.eatOp(',')) break;
    }
    return params;
  }

  // ------------------------------------------------------------ targets

  /** `*`? target, parsed at the level below comparisons so that `in` ends it. */
  private starTarget(): Expr {
    const t = this.peek();
    if (t.kind === 'OP' && t.text === '*') {
      this.next();
      this.enter(t);
      const value = this.bitOr();
      this.leave();
      return this.fin(t, { kind: 'Starred', value });
    }
    return this.bitOr();
  }

  /** Comma-separated targets of `for` and comprehensions: one target, or a Tuple. */
  private targetList(ctx: TargetContext): Expr {
    const start = this.peek();
    const first = this.starTarget();
    let target = first;
    if (this.atOp(',')) {
      const elts = [first];
      while (this.eatOp(',')) {
        if (this.atKw('in')) break;
        elts.push(this.starTarget());
      }
      target = this.fin(start, { kind: 'Tuple', elts });
    }
    this.validateTarget(target, ctx, true);
    return target;
  }

  private validateTarget(e: Expr, ctx: TargetContext, top: boolean): void {
    switch (e.kind) {
      case 'Name':
        if (e.id === '__debug__') throw this.error('cannot assign to __debug__', e);
        return;
      case 'Attribute':
      case 'Subscript':
        return;
      case 'Tuple':
      case 'List': {
        let stars = 0;
        for (const elt of e.elts) {
          if (elt.kind === 'Starred') {
            if (ctx === 'delete') throw this.error('cannot delete starred', elt);
            if (++stars > 1) throw this.error('multiple starred expressions in assignment', elt);
            this.starred.delete(elt);
            this.validateTarget(elt.value, ctx, false);
          } else this.validateTarget(elt, ctx, false);
        }
        return;
      }
      case 'Starred':
        if (ctx === 'delete') throw this.error('cannot delete starred', e);
        throw this.error('starred assignment target must be in a list or tuple', e);
      case 'Constant':
        throw this.error(`cannot ${ctx === 'delete' ? 'delete' : 'assign to'} ${exprName(e)}`, e);
      default: {
        const name = exprName(e);
        if (ctx === 'delete') throw this.error(`cannot delete ${name}`, e);
        const hint = ctx === 'assign' && top ? " here. Maybe you meant '==' instead of '='?" : '';
        throw this.error(`cannot assign to ${name}${hint}`, e);
      }
    }
  }

  // ------------------------------------------------------------ expressions

  /** `a, *b, c` without parentheses: one expression, or a Tuple. */
  private starExpressions(): Expr {
    const start = this.peek();
    const first = this.starNamedExpression();
    if (!this.atOp(',')) {
      if (first.kind === 'Starred') this.starred.set(first, "can't use starred expression here");
      return first;
    }
    const elts = [first];
    while (this.eatOp(',')) {
      if (!this.startsExpression(this.peek())) break;
      elts.push(this.starNamedExpression());
    }
    return this.fin(start, { kind: 'Tuple', elts });
  }

  /** `*x` or an expression (inside displays and unparenthesized tuples). */
  private starNamedExpression(): Expr {
    const t = this.peek();
    if (t.kind === 'OP' && t.text === '*') {
      this.next();
      this.enter(t);
      const value = this.bitOr();
      this.leave();
      return this.fin(t, { kind: 'Starred', value });
    }
    return this.namedExpression();
  }

  private namedExpression(): Expr {
    const e = this.expression();
    const t = this.peek();
    if (t.kind === 'OP' && t.text === ':=') throw this.error(`the walrus operator ':=' is${UNSUPPORTED}`, t);
    return e;
  }

  /** expression: lambda | disjunction ['if' disjunction 'else' expression] */
  expression(): Expr {
    const start = this.peek();
    if (start.kind === 'NAME' && start.text === 'lambda') return this.lambda();
    const body = this.disjunction();
    if (!this.atKw('if')) return body;
    this.next();
    const test = this.disjunction();
    const elseTok = this.peek();
    if (!(elseTok.kind === 'NAME' && elseTok.text === 'else')) {
      this.checkUnsupported(elseTok);
      throw this.error("expected 'else' after 'if' expression", rangeOf(start, this.prev));
    }
    this.next();
    this.enter(elseTok);
    const orelse = this.expression();
    this.leave();
    return this.fin(start, { kind: 'IfExp', test, body, orelse });
  }

  private lambda(): Expr {
    const start = this.next();
    this.enter(start);
    const params = this.parameters(':', false);
    this.expectOp(':', "expected ':'");
    const saveLoop = this.loopDepth;
    this.loopDepth = 0;
    const body = this.expression();
    this.loopDepth = saveLoop;
    this.leave();
    return this.fin(start, { kind: 'Lambda', params, body });
  }

  private disjunction(): Expr {
    const start = this.peek();
    const first = this.conjunction();
    if (!this.atKw('or')) return first;
    const values = [first];
    while (this.eatKw('or')) values.push(this.conjunction());
    return this.fin(start, { kind: 'BoolOp', op: 'or', values });
  }

  private conjunction(): Expr {
    const start = this.peek();
    const first = this.inversion();
    if (!this.atKw('and')) return first;
    const values = [first];
    while (this.eatKw('and')) values.push(this.inversion());
    return this.fin(start, { kind: 'BoolOp', op: 'and', values });
  }

  private inversion(): Expr {
    const t = this.peek();
    if (t.kind === 'NAME' && t.text === 'not') {
      this.next();
      this.enter(t);
      const operand = this.inversion();
      this.leave();
      return this.fin(t, { kind: 'Unary', op: 'not', operand });
    }
    return this.comparison();
  }

  private compareOp(): CompareOperator | null {
    const t = this.peek();
    if (t.kind === 'OP') {
      if (COMPARE_OPS.has(t.text)) {
        this.next();
        return t.text as CompareOperator;
      }
      return null;
    }
    if (t.kind !== 'NAME') return null;
    if (t.text === 'in') {
      this.next();
      return 'in';
    }
    if (t.text === 'not' && this.atKw('in', 1)) {
      this.next();
      this.next();
      return 'not in';
    }
    if (t.text === 'is') {
      this.next();
      return this.eatKw('not') ? 'is not' : 'is';
    }
    return null;
  }

  private comparison(): Expr {
    const start = this.peek();
    const left = this.bitOr();
    let op = this.compareOp();
    if (op === null) return left;
    const ops: CompareOperator[] = [];
    const comparators: Expr[] = [];
    while (op !== null) {
      ops.push(op);
      comparators.push(this.bitOr());
      op = this.compareOp();
    }
    return this.fin(start, { kind: 'Compare', left, ops, comparators });
  }

  /** The bitwise and shift operators sit here in Python's grammar; they are outside the subset. */
  private bitOr(): Expr {
    const e = this.arith();
    const t = this.peek();
    if (t.kind === 'OP' && UNSUPPORTED_OPS.has(t.text) && !t.text.endsWith('=')) {
      throw this.error(`the '${t.text}' operator is${UNSUPPORTED}`, t);
    }
    return e;
  }

  /** `+ -`, left-associative, by a loop (a 100,000-term sum needs no recursion). */
  private arith(): Expr {
    const start = this.peek();
    let acc = this.term();
    for (;;) {
      const t = this.peek();
      if (!(t.kind === 'OP' && (t.text === '+' || t.text === '-'))) return acc;
      this.next();
      const right = this.term();
      acc = this.fin(start, { kind: 'Binary', op: t.text, left: acc, right });
    }
  }

  /** `* / // % @`, left-associative, by a loop. */
  private term(): Expr {
    const start = this.peek();
    let acc = this.factor();
    for (;;) {
      const t = this.peek();
      if (!(t.kind === 'OP' && TERM_OPS.has(t.text))) return acc;
      this.next();
      const right = this.factor();
      acc = this.fin(start, { kind: 'Binary', op: t.text as BinaryOperator, left: acc, right });
    }
  }

  private factor(): Expr {
    const t = this.peek();
    if (t.kind === 'OP' && (t.text === '-' || t.text === '+')) {
      this.next();
      this.enter(t);
      const operand = this.factor();
      this.leave();
      return this.fin(t, { kind: 'Unary', op: t.text, operand });
    }
    if (t.kind === 'OP' && t.text === '~') throw this.error(`the '~' operator is${UNSUPPORTED}`, t);
    return this.power();
  }

  private power(): Expr {
    const start = this.peek();
    const base = this.primary();
    const t = this.peek();
    if (!(t.kind === 'OP' && t.text === '**')) return base;
    this.next();
    this.enter(t);
    const exponent = this.factor();
    this.leave();
    return this.fin(start, { kind: 'Binary', op: '**', left: base, right: exponent });
  }

  /** An atom followed by `.name`, `(args)` and `[index]`, by a loop. */
  private primary(): Expr {
    const start = this.peek();
    if (start.kind === 'NAME' && start.text === 'await') throw this.error(`async and await are${UNSUPPORTED}`, start);
    let e = this.atom();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'OP') return e;
      if (t.text === '.') {
        this.next();
        const name = this.expectName();
        e = this.fin(start, { kind: 'Attribute', value: e, attr: name.text });
      } else if (t.text === '(') {
        e = this.call(e, start);
      } else if (t.text === '[') {
        this.next();
        this.enter(t);
        const index = this.slices();
        this.expectOp(']');
        this.leave();
        e = this.fin(start, { kind: 'Subscript', value: e, index });
      } else return e;
    }
  }

  private call(func: Expr, start: Pos): Expr {
    const open = this.next();
    this.enter(open);
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    const names = new Set<string>();
    let sawKeyword = false;
    let sawKwUnpack = false;
    while (!this.atOp(')')) {
      const t = this.peek();
      if (t.kind === 'OP' && t.text === '*') {
        if (sawKwUnpack) throw this.error('iterable argument unpacking follows keyword argument unpacking', t);
        this.next();
        const value = this.expression();
        args.push(this.fin(t, { kind: 'Starred', value }));
      } else if (t.kind === 'OP' && t.text === '**') {
        this.next();
        const value = this.expression();
        keywords.push(this.fin(t, { name: null, value }));
        sawKwUnpack = true;
      } else if (t.kind === 'NAME' && !KEYWORDS.has(t.text) && this.atOp('=', 1)) {
        this.next();
        this.next();
        const value = this.expression();
        if (names.has(t.text)) throw this.error(`keyword argument repeated: ${t.text}`, t);
        names.add(t.text);
        keywords.push(this.fin(t, { name: t.text, value }));
        sawKeyword = true;
      } else {
        const value = this.namedExpression();
        const n = this.peek();
        if (n.kind === 'OP' && n.text === '=') {
          throw this.error('expression cannot contain assignment, perhaps you meant "=="?', rangeOf(t, n));
        }
        if (n.kind === 'NAME' && n.text === 'for')
          throw this.error(`generator expressions are${UNSUPPORTED}; use a list comprehension [...]`, n);
        if (sawKwUnpack) throw this.error('positional argument follows keyword argument unpacking', value);
        if (sawKeyword) throw this.error('positional argument follows keyword argument', value);
        args.push(value);
      }
      if (!this.eatOp(',')) {
        if (!this.atOp(')')) this.missingComma(t);
        break;
      }
    }
    this.expectOp(')');
    this.leave();
    return this.fin(start, { kind: 'Call', func, args, keywords });
  }

  /** The inside of `[...]` after a primary: an index, a slice, or a Tuple of them. */
  private slices(): Expr {
    const start = this.peek();
    const first = this.slice();
    if (!this.atOp(',')) return first;
    const elts = [first];
    while (this.eatOp(',')) {
      if (this.atOp(']')) break;
      elts.push(this.slice());
    }
    return this.fin(start, { kind: 'Tuple', elts });
  }

  private slice(): Expr {
    const start = this.peek();
    let lower: Expr | null = null;
    if (!this.atOp(':')) {
      lower = this.namedExpression();
      if (!this.atOp(':')) return lower;
    }
    this.next();
    const upper = this.atOp(':') || this.atOp(',') || this.atOp(']') ? null : this.expression();
    let step: Expr | null = null;
    if (this.eatOp(':')) step = this.atOp(',') || this.atOp(']') ? null : this.expression();
    const node: SliceExpr = this.fin(start, { kind: 'Slice', lower, upper, step });
    return node;
  }

  private atom(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'NAME':
        if (!KEYWORDS.has(t.text)) {
          this.next();
          return this.fin(t, { kind: 'Name', id: t.text });
        }
        if (t.text === 'True' || t.text === 'False' || t.text === 'None') {
          this.next();
          return this.fin(t, { kind: 'Constant', value: t.text === 'None' ? null : t.text === 'True' });
        }
        throw this.unexpected(t);
      case 'NUMBER':
        this.next();
        return this.fin(t, { kind: 'Number', value: t.value as bigint | number });
      case 'STRING':
      case 'FSTRING':
        return this.strings();
      case 'OP':
        switch (t.text) {
          case '(':
            return this.parenthesized();
          case '[':
            return this.listDisplay();
          case '{':
            return this.dictDisplay();
        }
        throw this.unexpected(t);
      default:
        throw this.unexpected(t);
    }
  }

  private parenthesized(): Expr {
    const open = this.next();
    this.enter(open);
    if (this.eatOp(')')) {
      this.leave();
      return this.fin(open, { kind: 'Tuple', elts: [] });
    }
    const t = this.peek();
    if (t.kind === 'NAME' && t.text === 'yield') throw this.error(`yield expressions are${UNSUPPORTED}`, t);
    const first = this.starNamedExpression();
    if (this.atKw('for'))
      throw this.error(`generator expressions are${UNSUPPORTED}; use a list comprehension [...]`, this.peek());
    if (!this.atOp(',')) {
      if (first.kind === 'Starred') throw this.error('cannot use starred expression here', first);
      if (!this.atOp(')')) this.missingComma(t);
      this.expectOp(')');
      this.leave();
      return first;
    }
    const elts = [first];
    while (this.eatOp(',')) {
      if (this.atOp(')')) break;
      const e = this.starNamedExpression();
      elts.push(e);
      if (!this.atOp(',') && !this.atOp(')')) this.missingComma(e);
    }
    this.expectOp(')');
    this.leave();
    return this.fin(open, { kind: 'Tuple', elts });
  }

  private listDisplay(): Expr {
    const open = this.next();
    this.enter(open);
    if (this.eatOp(']')) {
      this.leave();
      return this.fin(open, { kind: 'List', elts: [] });
    }
    const first = this.starNamedExpression();
    if (this.atKw('for')) {
      if (first.kind === 'Starred') throw this.error('iterable unpacking cannot be used in comprehension', first);
      const generators = this.comprehensionClauses();
      this.expectOp(']');
      this.leave();
      return this.fin(open, { kind: 'ListComp', elt: first, generators });
    }
    const elts = [first];
    if (!this.atOp(',') && !this.atOp(']')) this.missingComma(first);
    while (this.eatOp(',')) {
      if (this.atOp(']')) break;
      const e = this.starNamedExpression();
      elts.push(e);
      if (!this.atOp(',') && !this.atOp(']')) this.missingComma(e);
    }
    this.expectOp(']');
    this.leave();
    return this.fin(open, { kind: 'List', elts });
  }

  private comprehensionClauses(): Comprehension[] {
    const generators: Comprehension[] = [];
    while (this.atKw('for')) {
      this.next();
      const target = this.targetList('comprehension');
      this.expectKw('in', "expected 'in'");
      const iter = this.disjunction();
      const ifs: Expr[] = [];
      while (this.eatKw('if')) ifs.push(this.disjunction());
      generators.push({ target, iter, ifs });
    }
    if (this.atKw('async')) throw this.error(`async and await are${UNSUPPORTED}`, this.peek());
    return generators;
  }

  private dictDisplay(): Expr {
    const open = this.next();
    this.enter(open);
    const keys: Expr[] = [];
    const values: Expr[] = [];
    while (!this.atOp('}')) {
      const t = this.peek();
      if (t.kind === 'OP' && t.text === '**') throw this.error(`'**' unpacking in dict displays is${UNSUPPORTED}`, t);
      if (t.kind === 'OP' && t.text === '*') throw this.error(`set displays are${UNSUPPORTED}`, open);
      const key = this.namedExpression();
      if (!this.atOp(':')) {
        if (keys.length === 0) {
          if (this.atKw('for')) throw this.error(`set comprehensions are${UNSUPPORTED}`, open);
          if (this.atOp(',') || this.atOp('}')) throw this.error(`set displays are${UNSUPPORTED}`, open);
        }
        this.missingComma(key);
        this.expectOp(':', "':' expected after dictionary key");
      }
      this.next();
      const value = this.expression();
      if (this.atKw('for')) throw this.error(`dict comprehensions are${UNSUPPORTED}`, this.peek());
      keys.push(key);
      values.push(value);
      if (!this.eatOp(',')) {
        if (!this.atOp('}')) this.missingComma(value);
        break;
      }
    }
    this.expectOp('}');
    this.leave();
    return this.fin(open, { kind: 'Dict', keys, values });
  }

  // ------------------------------------------------------------ strings

  /** Adjacent string literals concatenate; with any f-string among them the result is an FString. */
  private strings(): Expr {
    const start = this.peek();
    const toks: Token[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'STRING' && t.kind !== 'FSTRING') break;
      toks.push(this.next());
    }
    if (toks.every((t) => t.kind === 'STRING')) {
      const value = toks.length === 1 ? (toks[0].value as string) : toks.map((t) => t.value as string).join('');
      return this.fin(start, { kind: 'String', value });
    }
    const parts: FStringPart[] = [];
    for (const t of toks) {
      if (t.kind === 'STRING') this.addText(parts, t.value as string);
      else this.addParts(parts, t.parts ?? []);
    }
    return this.fin(start, { kind: 'FString', parts });
  }

  private addText(parts: FStringPart[], value: string): void {
    if (!value) return;
    const last = parts[parts.length - 1];
    if (last && last.kind === 'text') parts[parts.length - 1] = { kind: 'text', value: last.value + value };
    else parts.push({ kind: 'text', value });
  }

  private addParts(parts: FStringPart[], src: readonly FStringTokenPart[]): void {
    for (const p of src) {
      if (p.kind === 'text') {
        this.addText(parts, p.value);
        continue;
      }
      const sub = new Parser(null, p.tokens as Token[], this.depth, this.starred);
      sub.enter(p);
      const expr = sub.starExpressions();
      const t = sub.peek();
      if (t.kind !== 'ENDMARKER') {
        sub.checkUnsupported(t);
        throw this.error("f-string: expecting '}'", t);
      }
      let spec: FStringPart[] | null = null;
      if (p.spec) {
        spec = [];
        sub.addParts(spec, p.spec);
      }
      parts.push({ kind: 'expr', expr, conversion: p.conversion, spec, debugText: p.debugText });
    }
  }
}

/**
 * Run a parse; should the JavaScript stack still run out (the parse was
 * started from an already deep stack), report a located SyntaxError instead.
 */
function guarded<T>(parser: Parser, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw parser.outOfStack();
    throw e;
  }
}

/** Parse a whole module. Throws PySyntaxError (with an exact range) on any error. */
export function parse(source: string): Module {
  const parser = new Parser(new Tokenizer(source), [], 0, new Map());
  return guarded(parser, () => parser.parseModule());
}

/**
 * Parse one expression (or an unparenthesized tuple `a, b`), e.g. for a debug
 * console. Leading indentation and trailing newlines are allowed.
 */
export function parseExpression(source: string): Expr {
  const parser = new Parser(new Tokenizer(source), [], 0, new Map());
  return guarded(parser, () => parser.parseSingleExpression());
}
