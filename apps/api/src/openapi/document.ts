import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { LEAD_STATUSES } from '@leadsync/db';
import { z } from 'zod';
import { chatbotSchema, quoteFormSchema } from '../intake/schemas.js';
import {
  ADMIN_PATHS,
  adminSyncAcceptedSchema,
  adminSyncBodySchema,
  adminSyncResultSchema,
  leadRetriedSchema,
} from '../routes/admin.js';
import { BULL_BOARD_PATH } from '../routes/bull-board.js';
import { INTAKE_PATHS } from '../routes/intake.js';
import { OAUTH_PATHS, zohoAuthBodySchema, zohoConnectedSchema } from '../routes/oauth.js';

export const OPENAPI_PATH = '/api/openapi.json';

// Named once, at load: zod's registry keeps ids, and the document is built from these instances.
const QuoteForm = quoteFormSchema.meta({ id: 'QuoteForm' });
const ChatbotLead = chatbotSchema.meta({ id: 'ChatbotLead' });
const LeadAccepted = z.object({ id: z.uuid(), status: z.literal('pending') }).meta({ id: 'LeadAccepted' });
const ErrorBody = z
  .object({
    error: z.string(),
    message: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });
const LeadStatus = z
  .object({
    id: z.uuid(),
    source: z.enum(['quote_form', 'chatbot']),
    status: z.enum(LEAD_STATUSES),
    zoho_id: z.string().nullable(),
    attempts: z.number().int(),
    last_error: z.object({ code: z.string().nullable(), message: z.string().nullable() }).nullable(),
    created_at: z.string(),
    synced_at: z.string().nullable(),
  })
  .meta({ id: 'LeadStatus' });
const AdminSyncRequest = adminSyncBodySchema.meta({ id: 'AdminSyncRequest' });
const ZohoAuthRequest = zohoAuthBodySchema.meta({ id: 'ZohoAuthRequest' });

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const html = { 'text/html': { schema: z.string() } };
const error = (description: string) => ({ description, content: json(ErrorBody) });
const leadId = z.object({ id: z.uuid() });
const ADMIN: Record<string, string[]>[] = [{ bearer: [] }, { basic: [] }];
const unauthorized = { 401: error('No or wrong CRON_SECRET') };

function intakePath(registry: OpenAPIRegistry, path: string, schema: z.ZodType, summary: string): void {
  registry.registerPath({
    method: 'post',
    path,
    summary,
    tags: ['intake'],
    request: {
      headers: z.object({ 'Idempotency-Key': z.string().max(255).optional() }),
      body: {
        required: true,
        content: { ...json(schema), 'application/x-www-form-urlencoded': { schema } },
      },
    },
    responses: {
      202: { description: 'Stored; Zoho follows', content: json(LeadAccepted) },
      400: error('Malformed JSON or Idempotency-Key'),
      409: error('The same Idempotency-Key is still in flight'),
      413: error('Body over the limit'),
      415: error('Content type other than JSON or a form'),
      422: error('Bad fields (validation_failed), or an Idempotency-Key reused with another body'),
      429: error('Too many requests (see Retry-After)'),
      503: error('Storage unavailable (see Retry-After)'),
    },
  });
}

/** Express `:id` → OpenAPI `{id}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * The public and admin API, generated from the zod schemas the routes validate with (intake
 * bodies, admin bodies). tests check it against the routes the app really mounts.
 */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <CRON_SECRET>',
  });
  registry.registerComponent('securitySchemes', 'basic', {
    type: 'http',
    scheme: 'basic',
    description: 'Any user name, CRON_SECRET as the password (for browsers)',
  });

  intakePath(registry, INTAKE_PATHS.quote_form, QuoteForm, 'Store a quote-form lead');
  intakePath(registry, INTAKE_PATHS.chatbot, ChatbotLead, 'Store (or update, per session_id) a chatbot lead');

  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'The process is alive',
    tags: ['probes'],
    responses: { 200: { description: 'Alive', content: json(z.object({ status: z.literal('ok') })) } },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Redis and Supabase are reachable',
    tags: ['probes'],
    responses: {
      200: {
        description: 'Ready',
        content: json(z.object({ status: z.string(), checks: z.record(z.string(), z.string()) })),
      },
      503: {
        description: 'Not ready',
        content: json(z.object({ status: z.string(), checks: z.record(z.string(), z.string()) })),
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: OPENAPI_PATH,
    summary: 'This document',
    tags: ['probes'],
    responses: { 200: { description: 'OpenAPI 3.1', content: json(z.record(z.string(), z.unknown())) } },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/leads/{id}',
    summary: "A lead's sync state",
    tags: ['operations'],
    security: ADMIN,
    request: { params: leadId },
    responses: {
      200: { description: 'The lead', content: json(LeadStatus) },
      400: error('id is not a UUID'),
      ...unauthorized,
      404: error('No such lead'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/health',
    summary: 'Token status, lead counts, queue counts and recommendations',
    tags: ['operations'],
    security: ADMIN,
    responses: {
      200: { description: 'The report', content: json(z.record(z.string(), z.unknown())) },
      ...unauthorized,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['operations'],
    security: ADMIN,
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
      ...unauthorized,
    },
  });
  registry.registerPath({
    method: 'post',
    path: ADMIN_PATHS.sync,
    summary: 'Drain pending leads now',
    description:
      'Queues a drain for the worker. With ?wait=true the answer waits (up to 60 s) for its outcome; a drain still running then is answered 202 with status "running".',
    tags: ['operations'],
    security: ADMIN,
    request: {
      query: z.object({ wait: z.enum(['true', 'false']).optional() }),
      body: { required: false, content: json(AdminSyncRequest) },
    },
    responses: {
      200: { description: 'Finished (with ?wait=true)', content: json(adminSyncResultSchema) },
      202: { description: 'Queued, or still running after the wait', content: json(adminSyncAcceptedSchema) },
      ...unauthorized,
      422: error('Bad body or query'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: openApiPath(ADMIN_PATHS.retry),
    summary: 'Put a failed (or spam) lead back to pending',
    tags: ['operations'],
    security: ADMIN,
    request: { params: leadId },
    responses: {
      200: { description: 'Pending again, and nudged', content: json(leadRetriedSchema) },
      400: error('id is not a UUID'),
      ...unauthorized,
      404: error('No such lead'),
      409: error('The lead is neither failed nor spam'),
    },
  });
  registry.registerPath({
    method: 'post',
    path: OAUTH_PATHS.exchange,
    summary: 'Exchange a Zoho grant code and store the tokens',
    tags: ['zoho'],
    security: ADMIN,
    request: { body: { required: true, content: json(ZohoAuthRequest) } },
    responses: {
      200: { description: 'Connected', content: json(zohoConnectedSchema) },
      400: error('Code expired or used (code_expired), untrusted accounts server, no refresh token'),
      ...unauthorized,
      422: error('Bad body'),
      502: error(
        'Zoho refused the client configuration (wrong_client, wrong_client_secret, wrong_redirect_uri) or did not answer',
      ),
      503: error('Zoho is not configured, or throttles token requests'),
    },
  });
  registry.registerPath({
    method: 'get',
    path: OAUTH_PATHS.start,
    summary: "Redirect to Zoho's consent page (browser)",
    tags: ['zoho'],
    security: ADMIN,
    responses: {
      302: { description: 'To the consent page, with a signed state; sets a short-lived nonce cookie' },
      ...unauthorized,
      503: { description: 'Zoho is not configured', content: html },
    },
  });
  registry.registerPath({
    method: 'get',
    path: OAUTH_PATHS.callback,
    summary: 'Where Zoho sends the browser back (the signed state and cookie are the credential)',
    tags: ['zoho'],
    request: {
      query: z.object({
        state: z.string().optional(),
        code: z.string().optional(),
        location: z.string().optional(),
        'accounts-server': z.string().optional(),
        error: z.string().optional(),
      }),
    },
    responses: {
      200: { description: 'Connected', content: html },
      400: {
        description: 'Bad or expired state, denied consent, expired code, untrusted accounts server',
        content: html,
      },
      502: { description: 'Zoho refused the client configuration', content: html },
      503: { description: 'Zoho is not configured, or throttles', content: html },
    },
  });
  registry.registerPath({
    method: 'get',
    path: BULL_BOARD_PATH,
    summary: 'Bull Board (browser UI of the queues)',
    tags: ['operations'],
    security: ADMIN,
    responses: { 200: { description: 'The UI', content: html }, ...unauthorized },
  });

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'leadsync',
      version: '1',
      description:
        'Web-form and chatbot leads stored at once and synced to Zoho CRM. Operations need CRON_SECRET (bearer, or basic auth with it as the password).',
    },
  });
  return fixRegexFlags(document);
}

/**
 * zod-to-openapi writes a regex with flags as `source/u` (it strips only the leading slash).
 * JSON Schema patterns are ECMA-262 with Unicode semantics anyway, so the flags are dropped.
 */
function fixRegexFlags<T>(node: T): T {
  if (Array.isArray(node)) return node.map(fixRegexFlags) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === 'pattern' && typeof value === 'string' ? value.replace(/\/[dgimsuvy]+$/, '') : fixRegexFlags(value);
  }
  return out as T;
}
