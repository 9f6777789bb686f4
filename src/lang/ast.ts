/**
 * The syntax tree of the Python subset. Every node carries its source range
 * as Python's own `ast` module does: `line`/`endLine` 1-based, `col`/`endCol`
 * 0-based UTF-16 offsets within the line, end exclusive. Messages shown to
 * people print columns 1-based (as editors do).
 */

export interface Range {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

// ---------------------------------------------------------------- expressions

export type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '@';
export type UnaryOperator = '-' | '+' | 'not';
export type CompareOperator = '<' | '<=' | '>' | '>=' | '==' | '!=' | 'in' | 'not in' | 'is' | 'is not';

export type Expr =
  | NameExpr
  | NumberExpr
  | StringExpr
  | FStringExpr
  | ConstantExpr
  | BinaryExpr
  | UnaryExpr
  | BoolOpExpr
  | CompareExpr
  | IfExpr
  | CallExpr
  | AttributeExpr
  | SubscriptExpr
  | SliceExpr
  | ListExpr
  | TupleExpr
  | DictExpr
  | ListCompExpr
  | LambdaExpr
  | StarredExpr;

export interface NameExpr extends Range {
  readonly kind: 'Name';
  readonly id: string;
}

/** An integer literal keeps its exact value as a bigint; a float literal as a number. */
export interface NumberExpr extends Range {
  readonly kind: 'Number';
  readonly value: bigint | number;
}

export interface StringExpr extends Range {
  readonly kind: 'String';
  readonly value: string;
}

/** One piece of an f-string: literal text, or `{expr!conv:spec}`. */
export type FStringPart =
  | { readonly kind: 'text'; readonly value: string }
  | {
      readonly kind: 'expr';
      readonly expr: Expr;
      /** 'r', 's', 'a' or null */
      readonly conversion: string | null;
      /** The format spec, itself possibly holding nested replacement fields. */
      readonly spec: readonly FStringPart[] | null;
      /** `{x=}` self-documenting form: the source text to print before the value. */
      readonly debugText: string | null;
    };

export interface FStringExpr extends Range {
  readonly kind: 'FString';
  readonly parts: readonly FStringPart[];
}

/** True, False, None */
export interface ConstantExpr extends Range {
  readonly kind: 'Constant';
  readonly value: boolean | null;
}

export interface BinaryExpr extends Range {
  readonly kind: 'Binary';
  readonly op: BinaryOperator;
  readonly left: Expr;
  readonly right: Expr;
}

export interface UnaryExpr extends Range {
  readonly kind: 'Unary';
  readonly op: UnaryOperator;
  readonly operand: Expr;
}

export interface BoolOpExpr extends Range {
  readonly kind: 'BoolOp';
  readonly op: 'and' | 'or';
  readonly values: readonly Expr[];
}

/** `a < b <= c`: ops.length === comparators.length */
export interface CompareExpr extends Range {
  readonly kind: 'Compare';
  readonly left: Expr;
  readonly ops: readonly CompareOperator[];
  readonly comparators: readonly Expr[];
}

/** `body if test else orelse` */
export interface IfExpr extends Range {
  readonly kind: 'IfExp';
  readonly test: Expr;
  readonly body: Expr;
  readonly orelse: Expr;
}

export interface Keyword extends Range {
  /** null for `**kwargs` */
  readonly name: string | null;
  readonly value: Expr;
}

export interface CallExpr extends Range {
  readonly kind: 'Call';
  readonly func: Expr;
  /** Positional arguments; a StarredExpr is `*args`. */
  readonly args: readonly Expr[];
  readonly keywords: readonly Keyword[];
}

export interface AttributeExpr extends Range {
  readonly kind: 'Attribute';
  readonly value: Expr;
  readonly attr: string;
}

/** `value[index]`; a multi-dimensional index is a TupleExpr, slices are SliceExpr. */
export interface SubscriptExpr extends Range {
  readonly kind: 'Subscript';
  readonly value: Expr;
  readonly index: Expr;
}

/** `lower:upper:step` inside a subscript */
export interface SliceExpr extends Range {
  readonly kind: 'Slice';
  readonly lower: Expr | null;
  readonly upper: Expr | null;
  readonly step: Expr | null;
}

export interface ListExpr extends Range {
  readonly kind: 'List';
  readonly elts: readonly Expr[];
}

export interface TupleExpr extends Range {
  readonly kind: 'Tuple';
  readonly elts: readonly Expr[];
}

export interface DictExpr extends Range {
  readonly kind: 'Dict';
  readonly keys: readonly Expr[];
  readonly values: readonly Expr[];
}

export interface Comprehension {
  readonly target: Expr;
  readonly iter: Expr;
  readonly ifs: readonly Expr[];
}

/** `[elt for target in iter if cond ...]` */
export interface ListCompExpr extends Range {
  readonly kind: 'ListComp';
  readonly elt: Expr;
  readonly generators: readonly Comprehension[];
}

export interface Parameter extends Range {
  readonly name: string;
  readonly defaultValue: Expr | null;
  /** 'normal', '*args' or '**kwargs' */
  readonly star: 'normal' | 'args' | 'kwargs';
}

export interface LambdaExpr extends Range {
  readonly kind: 'Lambda';
  readonly params: readonly Parameter[];
  readonly body: Expr;
}

/** `*expr` in a call or an assignment target */
export interface StarredExpr extends Range {
  readonly kind: 'Starred';
  readonly value: Expr;
}

// ----------------------------------------------------------------- statements

export type Stmt =
  | ExprStmt
  | AssignStmt
  | AugAssignStmt
  | IfStmt
  | ForStmt
  | WhileStmt
  | FunctionDefStmt
  | ReturnStmt
  | SimpleStmt
  | ImportStmt
  | ImportFromStmt
  | WithStmt
  | AssertStmt
  | DelStmt
  | GlobalStmt;

export interface ExprStmt extends Range {
  readonly kind: 'Expr';
  readonly value: Expr;
}

/** `a = b = value`: one or more targets (Name, Attribute, Subscript, Tuple/List of targets). */
export interface AssignStmt extends Range {
  readonly kind: 'Assign';
  readonly targets: readonly Expr[];
  readonly value: Expr;
}

export interface AugAssignStmt extends Range {
  readonly kind: 'AugAssign';
  readonly target: Expr;
  readonly op: BinaryOperator;
  readonly value: Expr;
}

export interface IfStmt extends Range {
  readonly kind: 'If';
  readonly test: Expr;
  readonly body: readonly Stmt[];
  /** `elif` is a nested IfStmt as the only element of orelse, as in Python's ast. */
  readonly orelse: readonly Stmt[];
}

export interface ForStmt extends Range {
  readonly kind: 'For';
  readonly target: Expr;
  readonly iter: Expr;
  readonly body: readonly Stmt[];
  readonly orelse: readonly Stmt[];
}

export interface WhileStmt extends Range {
  readonly kind: 'While';
  readonly test: Expr;
  readonly body: readonly Stmt[];
  readonly orelse: readonly Stmt[];
}

export interface FunctionDefStmt extends Range {
  readonly kind: 'FunctionDef';
  readonly name: string;
  readonly params: readonly Parameter[];
  readonly body: readonly Stmt[];
  readonly decorators: readonly Expr[];
}

export interface ReturnStmt extends Range {
  readonly kind: 'Return';
  readonly value: Expr | null;
}

/** `pass`, `break`, `continue` */
export interface SimpleStmt extends Range {
  readonly kind: 'Pass' | 'Break' | 'Continue';
}

export interface Alias {
  /** Dotted module path or imported name, e.g. `torch.nn.functional` */
  readonly name: string;
  readonly asname: string | null;
}

/** `import a.b as c, d` */
export interface ImportStmt extends Range {
  readonly kind: 'Import';
  readonly names: readonly Alias[];
}

/** `from a.b import c as d, e` (`*` is a name '*') */
export interface ImportFromStmt extends Range {
  readonly kind: 'ImportFrom';
  readonly module: string;
  readonly names: readonly Alias[];
}

export interface WithItem {
  readonly context: Expr;
  readonly target: Expr | null;
}

export interface WithStmt extends Range {
  readonly kind: 'With';
  readonly items: readonly WithItem[];
  readonly body: readonly Stmt[];
}

export interface AssertStmt extends Range {
  readonly kind: 'Assert';
  readonly test: Expr;
  readonly msg: Expr | null;
}

export interface DelStmt extends Range {
  readonly kind: 'Delete';
  readonly targets: readonly Expr[];
}

export interface GlobalStmt extends Range {
  readonly kind: 'Global';
  readonly names: readonly string[];
}

export interface Module {
  readonly kind: 'Module';
  readonly body: readonly Stmt[];
}

/** A SyntaxError (or IndentationError) found while reading the source. */
export class PySyntaxError extends Error {
  constructor(
    message: string,
    readonly range: Range,
    readonly pyType: 'SyntaxError' | 'IndentationError' | 'TabError' = 'SyntaxError',
  ) {
    super(message);
    this.name = pyType;
  }
}
