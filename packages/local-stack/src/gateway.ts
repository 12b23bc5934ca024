import { Agent, type Server } from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

/**
 * The part of Supabase's API gateway that supabase-js needs: PostgREST under /rest/v1 on one URL.
 * No body parser in front of the proxy: a consumed body could not be forwarded.
 */
export function createGatewayApp(postgrestUrl: string): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => {
    res.json({ service: 'leadsync local Supabase gateway', rest: '/rest/v1' });
  });
  // Keep connections to PostgREST open: a new TCP connection per request halved throughput.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  app.use('/rest/v1', createProxyMiddleware({ target: postgrestUrl, proxyTimeout: 30000, agent }));
  return app;
}

export interface Gateway {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export function startGateway(postgrestUrl: string, port: number): Promise<Gateway> {
  return new Promise((resolveGateway, reject) => {
    const server = createGatewayApp(postgrestUrl).listen(port, '127.0.0.1');
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
