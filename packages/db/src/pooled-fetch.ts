import { createRequire } from 'node:module';
import type { Dispatcher, Agent as UndiciAgent } from 'undici';

type RequestFn = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

/**
 * undici's pool and its `request`, and nothing else. Its index loads the whole of undici (fetch,
 * WebSocket, the cache, the mocks: 110 files, about 6 MB of heap and 50-100 ms of every start);
 * these two files are all this fetch uses. If a later undici moves them, the index is loaded
 * instead: slower to start, the same behaviour.
 */
function undiciParts(): { Agent: typeof UndiciAgent; request: RequestFn } {
  const require = createRequire(import.meta.url);
  try {
    return { Agent: require('undici/lib/dispatcher/agent.js'), request: require('undici/lib/api/api-request.js') };
  } catch {
    const undici = require('undici') as typeof import('undici');
    return { Agent: undici.Agent, request: undici.Dispatcher.prototype.request as RequestFn };
  }
}

// Statuses whose Response may not carry a body (the Response constructor throws otherwise).
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function plainHeaders(headers: HeadersInit | undefined): Record<string, string> {
  const plain: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => {
    plain[name] = value;
  });
  return plain;
}

/**
 * A `fetch` for supabase-js over undici's `request` and one keep-alive pool. supabase-js sends a
 * string body and reads the answer with `text()`, so the WHATWG stream machinery of a full fetch
 * buys nothing here; skipping it was the largest single saving on the intake's hot path (see
 * README, Performance).
 */
export function pooledFetch(options: { connections: number; timeoutMs: number }): typeof fetch {
  const { Agent, request } = undiciParts();
  const dispatcher = new Agent({ connections: options.connections, keepAliveTimeout: 30_000 });
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const res = await request.call(dispatcher, {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (init?.method ?? 'GET') as 'GET',
      headers: plainHeaders(init?.headers),
      body: init?.body as string | undefined,
      signal: init?.signal ?? AbortSignal.timeout(options.timeoutMs),
    });
    const body = await res.body.text();
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    return new Response(NULL_BODY_STATUS.has(res.statusCode) ? null : body, {
      status: res.statusCode,
      statusText: res.statusText,
      headers,
    });
  };
}
