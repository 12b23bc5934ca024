import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accountsEndpoint, handleAccounts } from './accounts.js';
import type { SimControl } from './control.js';
import { handleControl } from './control.js';
import { classifyCrm, creditHeaders, handleCrm, recordCount } from './crm.js';
import { CRM_ENDPOINTS, type Endpoint, type PendingFault } from './faults.js';
import { BodyTooLarge, json, readBody, type SimResponse, writeResponse } from './http.js';
import type { SimState } from './state.js';
import { CRM_ERRORS, defaultFaultBody } from './zoho-bodies.js';

const COMPLEX_RECORD_THRESHOLD = 10;

function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  // unref: a pending latency timer must not keep a test process alive after close().
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function latency(state: SimState): number {
  const { latencyMs, jitterMs } = state.config;
  return Math.max(0, latencyMs + (Math.random() * 2 - 1) * jitterMs);
}

/**
 * Applies a fault; returns true when the call is finished (answered, hung or dropped).
 * A hung call is left open: the client's timeout ends it, or close() destroys the socket.
 */
function applyFault(
  state: SimState,
  fault: PendingFault,
  endpoint: Endpoint,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  state.faultsServed += 1;
  if (fault.kind === 'hang') {
    state.countCall(endpoint, 'hung');
    return;
  }
  if (fault.kind === 'drop') {
    state.countCall(endpoint, 'dropped');
    req.socket.destroy();
    return;
  }
  const body = fault.body ?? defaultFaultBody(fault.status);
  state.countCall(endpoint, fault.status);
  // a CRM answer reports the credits like any other (an injected header wins)
  const credits = CRM_ENDPOINTS.has(endpoint) ? creditHeaders(state) : {};
  writeResponse(res, { status: fault.status, body, headers: { ...credits, ...fault.headers } });
}

async function serve(
  state: SimState,
  control: SimControl,
  location: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://zoho-sim.local');
  if (url.pathname.startsWith('/__sim/')) {
    writeResponse(res, await handleControl(control, method, url, await readBody(req)));
    return;
  }
  const accounts = accountsEndpoint(url.pathname);
  const isCrm = url.pathname.startsWith('/crm/');
  const classified = isCrm ? classifyCrm(method, url.pathname) : undefined;
  const endpoint: Endpoint = accounts ?? classified?.endpoint ?? 'other';

  if (isCrm) {
    state.inFlight += 1;
    state.maxConcurrency = Math.max(state.maxConcurrency, state.inFlight);
    res.once('close', () => {
      state.inFlight -= 1;
    });
  }
  const before = state.faults.take(endpoint, url.pathname, 'before');
  if (before) {
    applyFault(state, before, endpoint, req, res);
    return;
  }
  const body = await readBody(req);

  let response: SimResponse;
  if (classified) {
    if (state.inFlight > state.config.concurrencyLimit) {
      state.concurrencyRejections += 1;
      response = json(429, CRM_ERRORS.tooManyRequests(), creditHeaders(state));
    } else {
      const complex =
        (classified.endpoint === 'insert' || classified.endpoint === 'upsert' || classified.endpoint === 'update') &&
        recordCount(body) > COMPLEX_RECORD_THRESHOLD;
      response = complex
        ? await complexCall(state, () => crmCall(state, req, url, body, location, classified))
        : await crmCall(state, req, url, body, location, classified);
    }
  } else if (accounts) {
    await sleep(state.config.accountsLatencyMs);
    response =
      handleAccounts(state, { method, url, contentType: req.headers['content-type'], body, location }) ??
      json(404, CRM_ERRORS.invalidUrl());
  } else {
    response = json(404, CRM_ERRORS.invalidUrl());
  }

  const after = state.faults.take(endpoint, url.pathname, 'after');
  if (after) {
    applyFault(state, after, endpoint, req, res);
    return;
  }
  state.countCall(endpoint, response.status);
  writeResponse(res, response);
}

async function crmCall(
  state: SimState,
  req: IncomingMessage,
  url: URL,
  body: string,
  location: string,
  classified: ReturnType<typeof classifyCrm>,
): Promise<SimResponse> {
  await sleep(latency(state));
  return handleCrm(
    state,
    { method: req.method ?? 'GET', url, authorization: req.headers.authorization, body, location },
    classified.route,
    classified.version,
  );
}

/** Zoho's sub-concurrency: insert/update/upsert with more than 10 records share a smaller, edition-independent budget. */
async function complexCall(state: SimState, call: () => Promise<SimResponse>): Promise<SimResponse> {
  state.complexInFlight += 1;
  state.maxComplexConcurrency = Math.max(state.maxComplexConcurrency, state.complexInFlight);
  try {
    if (state.complexInFlight > state.config.subConcurrencyLimit) {
      state.concurrencyRejections += 1;
      return json(429, CRM_ERRORS.tooManyRequests(), creditHeaders(state));
    }
    return await call();
  } finally {
    state.complexInFlight -= 1;
  }
}

export function createDcServer(state: SimState, control: SimControl, location: string): Server {
  const server = createServer((req, res) => {
    serve(state, control, location, req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        writeResponse(res, { status: 413, body: 'Request entity too large' });
        return;
      }
      writeResponse(res, json(500, CRM_ERRORS.internal()));
    });
  });
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Hung faults and keep-alive sockets would otherwise hold close() open forever.
    server.closeAllConnections();
  });
}
