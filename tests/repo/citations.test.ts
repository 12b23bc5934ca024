import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

/**
 * Comments may point a reader only at what the repository holds: `docs/zoho-crm.md §5.1`, not a
 * facts sheet or contract kept elsewhere. A `§` must follow the document it belongs to on the same
 * line (or an RFC number), so a reader never has to guess which document a bare section means.
 */
const REPO = new URL('../../', import.meta.url).pathname;
// This file names what it looks for, so it is the one file not read.
const SELF = 'tests/repo/citations.test.ts';
const CODE = /\.(ts|js|mjs|sql|sh|yml|yaml)$/;
const OUTSIDE = /zoho-crm-api\.md|\.\.\/shared\/|shared\/(contract|architecture|stack-notes)|facts sheet|stack-notes/i;
const DOCUMENT = /[\w./-]*\.md|RFC \d+/g;

function trackedCode(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: REPO, encoding: 'utf8' })
    .split('\n')
    .filter((f) => CODE.test(f) && f !== SELF);
}

function citationProblems(path: string, text: string): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    const where = `${path}:${i + 1}`;
    if (OUTSIDE.test(line)) problems.push(`${where} cites a document outside the repository: ${line.trim()}`);
    for (let at = line.indexOf('§'); at !== -1; at = line.indexOf('§', at + 1)) {
      const named = line.slice(0, at).match(DOCUMENT)?.at(-1);
      if (!named) problems.push(`${where} has a § with no document before it: ${line.trim()}`);
      else if (named.endsWith('.md') && !/(^|\/)docs\/[\w-]+\.md$/.test(named))
        problems.push(`${where} cites a § of a document outside docs/: ${line.trim()}`);
    }
  });
  return problems;
}

describe('comments cite only documents in the repository', () => {
  it('flags what it should (so this test can fail)', () => {
    expect(citationProblems('a.ts', '// see ../shared/zoho-crm-api.md §5')).toHaveLength(2);
    expect(citationProblems('a.ts', '// Zoho answers 204 (§6)')).toHaveLength(1);
    expect(citationProblems('a.ts', '// the facts sheet says so')).toHaveLength(1);
    expect(citationProblems('a.ts', '// contract.md §3 says so')).toHaveLength(1);
    expect(citationProblems('a.ts', '// docs/zoho-crm.md §5, §5.1 and docs/contract.md §3')).toEqual([]);
    expect(citationProblems('a.ts', '// RFC 9110 §15.5.9')).toEqual([]);
  });

  it('holds for every tracked source file', () => {
    const problems = trackedCode().flatMap((f) => citationProblems(f, readFileSync(REPO + f, 'utf8')));
    expect(problems).toEqual([]);
  });
});
