/**
 * The `--where` language: `a > 3 and b in (1, 2)`, `not (c is null or d <> 'x')`, `e between 1 and 5`,
 * `s like 'abc%'` (prefix), `x is nan`. Identifiers may be dotted (`loc.lat`) or quoted ("a b", `a b`).
 * Keywords are case-insensitive.
 */
import { InvalidExpressionError } from '../errors';
import type { CompareOp, Expression, Literal } from './expression';
import { and, not, or } from './expression';

type Token = {
  kind: 'ident' | 'string' | 'number' | 'op' | 'punct' | 'end';
  text: string;
  value?: Literal;
  at: number;
};

const OPS: Record<string, CompareOp> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'not-eq',
  '<>': 'not-eq',
  '<': 'lt',
  '<=': 'lt-eq',
  '>': 'gt',
  '>=': 'gt-eq',
};
const FLIP: Record<string, CompareOp> = {
  lt: 'gt',
  'lt-eq': 'gt-eq',
  gt: 'lt',
  'gt-eq': 'lt-eq',
  eq: 'eq',
  'not-eq': 'not-eq',
};

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const re =
    /\s*(?:(<=|>=|<>|!=|==|[=<>])|([(),])|'((?:[^']|'')*)'|"((?:[^"]|"")*)"|`([^`]*)`|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new InvalidExpressionError(`bad filter '${src}': unexpected '${src.slice(pos).trim()[0]}' at ${pos}`);
    const at = pos;
    pos = re.lastIndex;
    if (m[1]) out.push({ kind: 'op', text: m[1], at });
    else if (m[2]) out.push({ kind: 'punct', text: m[2], at });
    else if (m[3] !== undefined) out.push({ kind: 'string', text: m[3], value: m[3].replace(/''/g, "'"), at });
    else if (m[4] !== undefined) out.push({ kind: 'ident', text: m[4].replace(/""/g, '"'), at });
    else if (m[5] !== undefined) out.push({ kind: 'ident', text: m[5], at });
    else if (m[6]) out.push({ kind: 'number', text: m[6], value: numberLiteral(m[6]), at });
    else out.push({ kind: 'ident', text: m[7] ?? '', at });
  }
  out.push({ kind: 'end', text: '', at: src.length });
  return out;
}

function numberLiteral(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

class ExprParser {
  i = 0;
  constructor(
    readonly src: string,
    readonly tokens: Token[],
  ) {}

  /** The current token; the end token repeats forever past the end. */
  peek(): Token {
    return (this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]) as Token;
  }
  next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }
  isWord(w: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text.toLowerCase() === w;
  }
  fail(msg: string): never {
    throw new InvalidExpressionError(`bad filter '${this.src}': ${msg} at ${this.peek().at}`);
  }
  /** Consumes the keyword when it comes next. */
  eat(w: string): boolean {
    if (!this.isWord(w)) return false;
    this.i++;
    return true;
  }
  word(w: string): void {
    if (!this.isWord(w)) this.fail(`expected '${w}'`);
    this.i++;
  }
  punct(p: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) {
      this.i--;
      this.fail(`expected '${p}'`);
    }
  }

  or(): Expression {
    let e = this.and();
    while (this.isWord('or')) {
      this.i++;
      e = or(e, this.and());
    }
    return e;
  }
  and(): Expression {
    let e = this.unary();
    while (this.isWord('and')) {
      this.i++;
      e = and(e, this.unary());
    }
    return e;
  }
  unary(): Expression {
    if (this.isWord('not')) {
      this.i++;
      return not(this.unary());
    }
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.i++;
      const e = this.or();
      this.punct(')');
      return e;
    }
    if (this.isWord('true') || this.isWord('false')) {
      const after = this.tokens[this.i + 1];
      if (!after || after.kind === 'end' || after.kind === 'punct' || after.kind === 'ident') {
        return { type: this.next().text.toLowerCase() as 'true' | 'false' };
      }
    }
    return this.predicate();
  }

  literal(): Literal {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return t.value as Literal;
    if (t.kind === 'ident' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
    // Typed literals: date '2020-01-01', timestamp '…' — the type comes from the column on binding.
    if (
      t.kind === 'ident' &&
      this.peek().kind === 'string' &&
      /^(date|time|timestamp|timestamptz|decimal|uuid)$/i.test(t.text)
    ) {
      return this.next().value as Literal;
    }
    this.i--;
    return this.fail('expected a literal');
  }

  predicate(): Expression {
    const t = this.peek();
    if (t.kind === 'string' || t.kind === 'number') {
      const value = this.literal();
      const op = this.next();
      const cmp = OPS[op.text];
      if (op.kind !== 'op' || !cmp) return this.fail('expected a comparison');
      const term = this.ident();
      return { type: FLIP[cmp] as CompareOp, term, value };
    }
    const term = this.ident();
    return this.afterTerm(term);
  }

  ident(): string {
    const t = this.next();
    if (t.kind !== 'ident') {
      this.i--;
      this.fail('expected a column name');
    }
    return t.text;
  }

  afterTerm(term: string): Expression {
    const t = this.next();
    if (t.kind === 'op') {
      const cmp = OPS[t.text] as CompareOp;
      if (this.isWord('null')) this.fail("compare with null using 'is null'");
      return { type: cmp, term, value: this.literal() };
    }
    this.i--;
    if (this.isWord('is')) {
      this.i++;
      const negated = this.eat('not');
      if (this.eat('null')) return { type: negated ? 'not-null' : 'is-null', term };
      if (this.eat('nan')) return { type: negated ? 'not-nan' : 'is-nan', term };
      return this.fail("expected 'null' or 'nan'");
    }
    const negated = this.eat('not');
    if (this.isWord('in')) {
      this.i++;
      this.punct('(');
      const values = [this.literal()];
      while (this.peek().text === ',') {
        this.i++;
        values.push(this.literal());
      }
      this.punct(')');
      return { type: negated ? 'not-in' : 'in', term, values };
    }
    if (this.isWord('between')) {
      this.i++;
      const lo = this.literal();
      this.word('and');
      const hi = this.literal();
      const e = and<string, Literal>({ type: 'gt-eq', term, value: lo }, { type: 'lt-eq', term, value: hi });
      return negated ? not(e) : e;
    }
    if (this.isWord('like')) {
      this.i++;
      const pat = this.literal();
      if (typeof pat !== 'string' || !/^[^%_]*%$/.test(pat))
        this.fail("only prefix patterns like 'abc%' are supported");
      return { type: negated ? 'not-starts-with' : 'starts-with', term, value: pat.slice(0, -1) };
    }
    return this.fail('expected an operator');
  }
}

/**
 * Parses a filter into an unbound expression.
 * @example parseExpression('a > 3 and b in (1, 2)')
 */
export function parseExpression(text: string): Expression {
  const p = new ExprParser(text, tokenize(text));
  if (p.peek().kind === 'end') throw new InvalidExpressionError('bad filter: empty expression');
  const e = p.or();
  if (p.peek().kind !== 'end') p.fail(`unexpected '${p.peek().text}'`);
  return e;
}
