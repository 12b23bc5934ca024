/**
 * Zoho search criteria: `((Field:operator:value)and(Field:operator:value))`, at most 10 conditions,
 * with `,` `(` `)` inside values escaped by a backslash (docs/zoho-crm.md §6).
 */
export type Operator =
  | 'equals'
  | 'not_equal'
  | 'starts_with'
  | 'in'
  | 'greater_than'
  | 'greater_equal'
  | 'less_than'
  | 'less_equal'
  | 'between';

export interface Condition {
  kind: 'condition';
  field: string;
  operator: Operator;
  values: string[];
}

export interface Junction {
  kind: 'and' | 'or';
  left: Criteria;
  right: Criteria;
}

export type Criteria = Condition | Junction;

export const MAX_CONDITIONS = 10;
const OPERATORS: ReadonlySet<string> = new Set([
  'equals',
  'not_equal',
  'starts_with',
  'in',
  'greater_than',
  'greater_equal',
  'less_than',
  'less_equal',
  'between',
]);

export class CriteriaError extends Error {}

class Parser {
  private pos = 0;
  conditions = 0;

  constructor(private readonly text: string) {}

  parse(): Criteria {
    const result = this.expression();
    if (this.pos !== this.text.length) throw new CriteriaError(`unexpected text at ${this.pos}`);
    return result;
  }

  private expression(): Criteria {
    let left = this.group();
    for (;;) {
      const rest = this.text.slice(this.pos).toLowerCase();
      const op = rest.startsWith('and(') ? 'and' : rest.startsWith('or(') ? 'or' : undefined;
      if (!op) return left;
      this.pos += op.length;
      left = { kind: op, left, right: this.group() };
    }
  }

  private group(): Criteria {
    if (this.text[this.pos] !== '(') throw new CriteriaError(`expected "(" at ${this.pos}`);
    this.pos += 1;
    const inner = this.text[this.pos] === '(' ? this.expression() : this.condition();
    if (this.text[this.pos] !== ')') throw new CriteriaError(`expected ")" at ${this.pos}`);
    this.pos += 1;
    return inner;
  }

  private condition(): Condition {
    let raw = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === '\\' && this.pos + 1 < this.text.length) {
        raw += ch + this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (ch === ')' || ch === '(') break;
      raw += ch;
      this.pos += 1;
    }
    // Only the first two colons separate field and operator; values may contain colons (times).
    const first = raw.indexOf(':');
    const second = first < 0 ? -1 : raw.indexOf(':', first + 1);
    if (first <= 0 || second < 0) throw new CriteriaError(`malformed condition "${raw}"`);
    const field = raw.slice(0, first);
    const operator = raw.slice(first + 1, second);
    if (!OPERATORS.has(operator)) throw new CriteriaError(`unknown operator "${operator}"`);
    const values = splitValues(raw.slice(second + 1));
    if (values.length === 0 || values.some((v) => v === '')) throw new CriteriaError(`missing value in "${raw}"`);
    if (operator === 'between' && values.length !== 2) throw new CriteriaError('between needs two values');
    if (operator === 'in' && values.length > 100) throw new CriteriaError('in accepts at most 100 values');
    if (operator !== 'in' && operator !== 'between' && values.length !== 1) {
      throw new CriteriaError(`"${operator}" takes one value`);
    }
    this.conditions += 1;
    if (this.conditions > MAX_CONDITIONS) throw new CriteriaError(`more than ${MAX_CONDITIONS} conditions`);
    return { kind: 'condition', field, operator: operator as Operator, values };
  }
}

function splitValues(raw: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i += 1) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      current += raw[i + 1];
      i += 1;
    } else if (ch === ',') {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values;
}

export function parseCriteria(text: string): Criteria {
  return new Parser(text.trim()).parse();
}

function asComparable(value: string): number | string {
  const n = Number(value);
  if (value.trim() !== '' && Number.isFinite(n)) return n;
  const t = Date.parse(value);
  return Number.isNaN(t) ? value.toLowerCase() : t;
}

function fieldText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object') {
    const name = (value as { name?: unknown; id?: unknown }).name ?? (value as { id?: unknown }).id;
    return typeof name === 'string' ? name : undefined;
  }
  return String(value);
}

function matchCondition(record: Readonly<Record<string, unknown>>, c: Condition): boolean {
  const actual = fieldText(record[c.field]);
  const wanted = c.values.map((v) => v.toLowerCase());
  if (c.operator === 'not_equal') return actual === undefined || !actual.toLowerCase().includes(wanted[0]!);
  if (actual === undefined) return false;
  const lower = actual.toLowerCase();
  switch (c.operator) {
    // Zoho documents that `equals` behaves like "contains" in the Search API.
    case 'equals':
      return lower.includes(wanted[0]!);
    case 'starts_with':
      return lower.startsWith(wanted[0]!);
    case 'in':
      return wanted.some((w) => lower === w);
    case 'between': {
      const a = asComparable(actual);
      return a >= asComparable(c.values[0]!) && a <= asComparable(c.values[1]!);
    }
    default: {
      const a = asComparable(actual);
      const b = asComparable(c.values[0]!);
      if (c.operator === 'greater_than') return a > b;
      if (c.operator === 'greater_equal') return a >= b;
      if (c.operator === 'less_than') return a < b;
      return a <= b;
    }
  }
}

export function matchesCriteria(record: Readonly<Record<string, unknown>>, criteria: Criteria): boolean {
  if (criteria.kind === 'condition') return matchCondition(record, criteria);
  if (criteria.kind === 'and') return matchesCriteria(record, criteria.left) && matchesCriteria(record, criteria.right);
  return matchesCriteria(record, criteria.left) || matchesCriteria(record, criteria.right);
}
