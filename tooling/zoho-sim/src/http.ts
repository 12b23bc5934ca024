import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler answers; the server decides whether a fault replaces it before writing. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Object → JSON; string → written as is; undefined → no body (204, 302). */
  body?: unknown;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

// Bodies beyond this are refused before parsing; Zoho's own limit is unknown, 100 records are far below it.
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers: { 'Content-Type': JSON_TYPE, ...headers } };
}

export function writeResponse(res: ServerResponse, response: SimResponse): void {
  if (res.writableEnded || res.destroyed) return;
  const headers: Record<string, string> = { ...response.headers };
  let payload: string | undefined;
  if (response.body !== undefined) {
    payload = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    headers['Content-Type'] ??= typeof response.body === 'string' ? 'text/html;charset=UTF-8' : JSON_TYPE;
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Query parameters merged with an x-www-form-urlencoded body (the body wins), as Zoho's token endpoint accepts both. */
export function formParams(url: URL, contentType: string | undefined, body: string): URLSearchParams {
  const params = new URLSearchParams(url.searchParams);
  if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
  }
  return params;
}
