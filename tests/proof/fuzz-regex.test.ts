import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { EMAIL_MAX, PHONE_MAX, PHONE_TYPED_MAX, ZOHO_LEAD_FIELD_LIMITS } from '@leadsync/lead';
import fc from 'fast-check';
import ts from 'typescript';
import { intakeSchemas, LIMITS } from '../../apps/api/src/intake/schemas.js';
import { backtrackingInputs, backtrackingText, KNOWN_BAD_EMAIL } from './arbitraries.js';
import { intFrom, seedFrom } from './support.js';

/**
 * Every regular expression on the intake path, against inputs built to make it backtrack: one
 * request must never be able to hold an API process. The patterns are not listed by hand: every
 * regex literal, `RegExp(...)` and string pattern given to match/matchAll/search in the files
 * below is read with the TypeScript compiler, and every pattern the intake zod schemas hold
 * (zod's own formats included) is read from the schemas, so a new regex is tested the day it is
 * written. A pattern the scan cannot build (made from a variable) fails the test: make it a literal.
 *
 * The one timed assertion in the repository: no single match may take more than LIMIT_MS. A
 * linear pattern takes microseconds on these inputs; a backtracking one takes seconds to hours.
 */
const LIMIT_MS = 5;
const SEED = seedFrom('FUZZ_SEED', 20_240_501);
const RUNS = intFrom('FUZZ_RUNS', 400);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Files (or folders, recursively) whose regexes see what a client sent. */
const SCOPE = ['apps/api/src/intake', 'packages/lead/src', 'packages/zoho-client/src/mapping.ts'];

/** Length caps intake and the mapping apply: long runs just under and over each are probed. */
const CAPS = [
  ...new Set([
    EMAIL_MAX,
    PHONE_MAX,
    PHONE_TYPED_MAX,
    ...Object.values(LIMITS),
    ...Object.values(ZOHO_LEAD_FIELD_LIMITS),
    255, // the Idempotency-Key
  ]),
].sort((a, b) => a - b);

interface Pattern {
  where: string;
  regex: RegExp;
}

function filesIn(entry: string): string[] {
  const path = join(ROOT, entry);
  if (statSync(path, { throwIfNoEntry: false })?.isFile()) return [entry];
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return [];
  return (readdirSync(path, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(entry, f))
    .sort();
}

/** A value the scan can know without running the file: a string or regex literal. */
function literal(node: ts.Expression): string | RegExp | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isRegularExpressionLiteral(node)) return regexFromLiteral(node.text);
  return undefined;
}

function regexFromLiteral(text: string): RegExp {
  const end = text.lastIndexOf('/');
  return new RegExp(text.slice(1, end), text.slice(end + 1));
}

const isRegExpName = (node: ts.Expression) =>
  (ts.isIdentifier(node) && node.text === 'RegExp') ||
  (ts.isPropertyAccessExpression(node) && node.name.text === 'RegExp');

/** Every pattern written in one source file, or why one cannot be built here. */
function scan(file: string): { patterns: Pattern[]; problems: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const patterns: Pattern[] = [];
  const problems: string[] = [];
  const at = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const add = (node: ts.Node, build: () => RegExp) => {
    try {
      patterns.push({ where: at(node), regex: build() });
    } catch (err) {
      problems.push(`${at(node)}: ${(err as Error).message}`);
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isRegularExpressionLiteral(node)) {
      add(node, () => regexFromLiteral(node.text));
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && isRegExpName(node.expression)) {
      const args = (node.arguments ?? []).map(literal);
      if (args.some((a) => a === undefined)) {
        problems.push(`${at(node)}: RegExp built from a non-literal cannot be tested; write the pattern as a literal`);
      } else {
        add(node, () => new RegExp(args[0] as string | RegExp, args[1] as string | undefined));
      }
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ['match', 'matchAll', 'search'].includes(node.expression.name.text) &&
      node.arguments[0] !== undefined
    ) {
      // A string given to these becomes a RegExp; a name or property is a regex made elsewhere (scanned there).
      const arg = node.arguments[0];
      if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) {
        add(arg, () => new RegExp(arg.text, node.expression.getText().endsWith('matchAll') ? 'g' : ''));
      } else if (!ts.isIdentifier(arg) && !ts.isPropertyAccessExpression(arg) && !ts.isRegularExpressionLiteral(arg)) {
        problems.push(`${at(arg)}: a pattern computed at run time cannot be tested; write it as a literal`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { patterns, problems };
}

/** Every RegExp a zod schema holds (its `.regex()` checks and zod's own string formats). */
function zodPatterns(root: unknown, where: string): Pattern[] {
  const found: Pattern[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value instanceof RegExp) {
      found.push({ where, regex: value });
      return;
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Set || Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    const zod = (value as { _zod?: { def?: unknown; bag?: unknown } })._zod;
    if (zod) {
      walk(zod.def);
      walk(zod.bag);
      return;
    }
    for (const item of Object.values(value)) walk(item);
  };
  walk(root);
  return found;
}

const files = SCOPE.flatMap(filesIn);
const scanned = files.map(scan);
const problems = scanned.flatMap((s) => s.problems);

/** One case per distinct pattern, named by every place it stands. */
const cases = (() => {
  const all = [
    ...scanned.flatMap((s) => s.patterns),
    ...Object.entries(intakeSchemas).flatMap(([source, schema]) => zodPatterns(schema, `${source} schema`)),
  ];
  const byPattern = new Map<string, { where: string[]; regex: RegExp }>();
  for (const { where, regex } of all) {
    const key = `/${regex.source}/${regex.flags}`;
    const entry = byPattern.get(key) ?? { where: [], regex };
    if (!entry.where.includes(where)) entry.where.push(where);
    byPattern.set(key, entry);
  }
  return [...byPattern.entries()].map(([key, { where, regex }]) => ({
    name: `${where.join(', ')} ${key.length > 60 ? `${key.slice(0, 57)}...` : key}`,
    regex,
  }));
})();

const figures = { patterns: cases.length, inputs: 0, slowestMatchMs: 0, slowestOn: '' };

/**
 * The time of one run: the smaller of wall-clock and this process's CPU time, so that neither a
 * moment the shared machine gave the CPU to someone else (wall grows, CPU does not) nor a GC
 * thread working alongside (CPU grows, wall does not) is taken for backtracking, which grows both.
 */
function runMs(run: () => unknown): number {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  run();
  const used = process.cpuUsage(cpu);
  return Math.min(performance.now() - wall, (used.user + used.system) / 1000);
}

/** The fastest of up to five runs: backtracking is slow every time, a pause only once. */
function fastestMs(run: () => unknown, limit: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 5 && best > limit; attempt++) best = Math.min(best, runMs(run));
  return best;
}

/**
 * Why `pattern` is too slow on `input`, or null. One match (an exec from the start, which tries
 * every start position until one matches) within LIMIT_MS; a global pattern (replace, split) also
 * goes through all its matches in time linear in the input: LIMIT_MS per 1,000 characters.
 * Copies of the pattern are run, never the app's own (its lastIndex).
 */
function slowness(pattern: RegExp, input: string): string | null {
  const once = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const one = fastestMs(() => once.exec(input), LIMIT_MS);
  if (one > figures.slowestMatchMs) {
    figures.slowestMatchMs = one;
    figures.slowestOn = `/${pattern.source.slice(0, 30)}…/ on ${input.length} characters`;
  }
  if (one > LIMIT_MS) return `one match took ${one.toFixed(1)} ms`;
  if (!pattern.global) return null;
  const every = new RegExp(pattern.source, pattern.flags);
  const budget = LIMIT_MS * Math.max(1, Math.ceil(input.length / 1000));
  const all = fastestMs(() => input.replace(every, ''), budget);
  return all > budget ? `all matches took ${all.toFixed(1)} ms (budget ${budget} ms)` : null;
}

const describeInput = (s: string) =>
  `${s.length} characters: ${JSON.stringify(s.length > 80 ? `${s.slice(0, 40)}…${s.slice(-40)}` : s)}`;

describe('every regular expression on the intake path stays linear', () => {
  it('finds the files and patterns in scope, and can build every one of them', () => {
    for (const entry of SCOPE)
      expect({ entry, files: files.filter((f) => f.startsWith(entry)).length > 0 }).toEqual({ entry, files: true });
    expect(problems).toEqual([]);
    // the email pattern, the line rules, the phone rule and the mapping's: a floor, not a list
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases.map((c) => [c.name, c.regex] as const))(
    `%s answers every backtracking input within ${LIMIT_MS} ms`,
    (_name, regex) => {
      const inputs = backtrackingInputs(regex, CAPS);
      expect(inputs).toContain(KNOWN_BAD_EMAIL);
      const check = (input: string) => {
        figures.inputs += 1;
        const slow = slowness(regex, input);
        if (slow) throw new Error(`${slow} on ${describeInput(input)}`);
      };
      // shortest first: a backtracking pattern is caught on a short input, in well under a second
      for (const input of inputs) check(input);
      fc.assert(fc.property(backtrackingText(regex), check), {
        seed: SEED,
        numRuns: RUNS,
        endOnFailure: true,
      });
    },
    120_000,
  );

  it('reports its figures', () => {
    console.log(
      `fuzz-regex figures: ${JSON.stringify({ ...figures, slowestMatchMs: figures.slowestMatchMs.toFixed(3) })}`,
    );
  });
});
