import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@leadsync/config';
import { DbConflictError, DbQueryError, DbUnavailableError } from '@leadsync/db';
import express from 'express';
import { errorHandler, notFound } from './errors.js';

const thrown: Record<string, () => unknown> = {
  'db-query': () => new DbQueryError('store lead: invalid input syntax (22P02)', 400, '22P02'),
  'db-down': () => new DbUnavailableError('store lead: fetch failed', 0, undefined),
  'db-conflict': () => new DbConflictError('duplicate key', 409, '23505'),
  bug: () => new TypeError("Cannot read properties of undefined (reading 'id')"),
  'client-4xx': () => Object.assign(new Error('bad param'), { status: 400, expose: true }),
  'not-an-error': () => 'a string',
};

let url: string;
let close: () => void;
beforeAll(async () => {
  const app = express();
  app.get('/throw/:kind', (req) => {
    throw thrown[String(req.params.kind)]!();
  });
  app.use(notFound);
  app.use(errorHandler(createLogger({ name: 'errors-test', level: 'silent' })));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const get = async (kind: string) => {
  const res = await fetch(`${url}/throw/${kind}`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
};

describe('errorHandler', () => {
  it.each([
    ['db-query', 500, 'internal_error'],
    ['bug', 500, 'internal_error'],
    ['not-an-error', 500, 'internal_error'],
    ['db-down', 503, 'unavailable'],
    ['db-conflict', 409, 'conflict'],
    ['client-4xx', 400, 'bad_request'],
  ])('answers %s with %i %s and no internals', async (kind, status, error) => {
    const res = await get(kind);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text)).toMatchObject({ error });
    expect(res.text).not.toMatch(/22P02|Cannot read|fetch failed|duplicate key|bad param|\bat /);
  });

  it('asks for a retry later when storage is unavailable', async () => {
    expect(Number((await get('db-down')).retryAfter)).toBeGreaterThan(0);
  });
});
