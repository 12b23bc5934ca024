import { Agent, createServer, type IncomingHttpHeaders, type RequestListener, request, type Server } from 'node:http';

const REST_PREFIX = '/rest/v1';
// Headers about one hop's connection, which a proxy must not pass on (RFC 9110 §7.6.1).
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

function sendJson(res: Parameters<RequestListener>[1], status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The part of Supabase's API gateway that supabase-js needs: PostgREST under /rest/v1 on one URL.
 * Plain node:http streaming both ways: this process stands in for Supabase's own (nginx-based)
 * gateway, and on a 2-core machine every millisecond it spends is taken from the API under test.
 */
export function createGatewayHandler(postgrestUrl: string): RequestListener {
  const target = new URL(postgrestUrl);
  // Keep connections to PostgREST open: a new TCP connection per request halved throughput.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return (req, res) => {
    const url = req.url ?? '/';
    if (url === '/' && req.method === 'GET') {
      return sendJson(res, 200, { service: 'leadsync local Supabase gateway', rest: REST_PREFIX });
    }
    if (url !== REST_PREFIX && !url.startsWith(`${REST_PREFIX}/`) && !url.startsWith(`${REST_PREFIX}?`)) {
      return sendJson(res, 404, { message: 'no route matched' });
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: url.slice(REST_PREFIX.length) || '/',
        headers: { ...endToEnd(req.headers), host: target.host },
        agent,
        timeout: 30_000,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    // PostgREST down or hung: the gateway answers as Supabase's does, with a 5xx
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timed out')));
    upstream.on('error', (err) => {
      if (!res.headersSent) sendJson(res, 502, { message: `PostgREST unavailable: ${err.message}` });
      else res.destroy(err);
    });
    req.pipe(upstream);
  };
}

export interface Gateway {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export function startGateway(postgrestUrl: string, port: number): Promise<Gateway> {
  return new Promise((resolveGateway, reject) => {
    const server = createServer(createGatewayHandler(postgrestUrl)).listen(port, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolveGateway({
        url: `http://127.0.0.1:${actualPort}`,
        server,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
