import { createHash } from 'node:crypto';
import type { Response } from 'express';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2430}' +
  'h1{font-size:1.4rem}.ok{color:#14733a}.fail{color:#a32020}code{background:#f2f3f5;padding:0 .2em}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * Stricter than the app-wide Helmet policy: the page loads nothing, runs nothing, can be framed
 * by no one, and allows exactly its own stylesheet.
 */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** A plain page for a person in a browser; everything echoed is escaped. */
export function sendPage(res: Response, status: number, page: { ok: boolean; title: string; lines: string[] }): void {
  const body = page.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n');
  res
    .status(status)
    .set({
      'Content-Security-Policy': PAGE_CSP,
      'Cache-Control': 'no-store',
      'Content-Type': 'text/html; charset=utf-8',
    })
    .send(
      `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>leadsync: ${escapeHtml(page.title)}</title><style>${STYLE}</style></head>
<body><h1 class="${page.ok ? 'ok' : 'fail'}">${escapeHtml(page.title)}</h1>
${body}
</body></html>
`,
    );
}
