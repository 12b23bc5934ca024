import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { chatbotSchema, quoteFormSchema } from '../intake/schemas.js';
import { errorBodySchema } from '../middleware/errors.js';
import {
  ADMIN_PATHS,
  adminSyncAcceptedSchema,
  adminSyncBodySchema,
  adminSyncQuerySchema,
  adminSyncResultSchema,
  leadRetriedSchema,
  SYNC_WAIT_MS,
} from '../routes/admin.js';
import { BULL_BOARD_PATH } from '../routes/bull-board.js';
import { HEALTH_PATHS, livenessSchema, readinessSchema } from '../routes/health.js';
import { HEALTH_REPORT_PATH } from '../routes/health-report.js';
import { INTAKE_PATHS, leadAcceptedSchema } from '../routes/intake.js';
import { LEAD_PATHS, leadIdParamsSchema, leadStatusSchema } from '../routes/leads.js';
import { METRICS_PATH } from '../routes/metrics.js';
import { OAUTH_CALLBACK_QUERY, OAUTH_PATHS, zohoAuthBodySchema, zohoConnectedSchema } from '../routes/oauth.js';
import { OPENAPI_PATH } from '../routes/openapi.js';

export { OPENAPI_PATH };

// Named once, at load: zod's registry keeps ids, and the document is built from these instances.
const QuoteForm = quoteFormSchema.meta({ id: 'QuoteForm' });
const ChatbotLead = chatbotSchema.meta({ id: 'ChatbotLead' });
const LeadAccepted = leadAcceptedSchema.meta({ id: 'LeadAccepted' });
const ErrorBody = errorBodySchema.meta({ id: 'Error' });
const LeadStatus = leadStatusSchema.meta({ id: 'LeadStatus' });
const AdminSyncRequest = adminSyncBodySchema.meta({ id: 'AdminSyncRequest' });
const ZohoAuthRequest = zohoAuthBodySchema.meta({ id: 'ZohoAuthRequest' });

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });
const html = { 'text/html': { schema: z.string() } };
const error = (description: string) => ({ description, content: json(ErrorBody) });
const ADMIN: Record<string, string[]>[] = [{ bearer: [] }, { basic: [] }];
/** Said explicitly, so a reader (and a generated client) can tell public from forgotten. */
const PUBLIC: Record<string, string[]>[] = [];
const unauthorized = { 401: error('No or wrong CRON_SECRET') };

type Register = (route: RouteConfig) => void;

/** Express `:id` → OpenAPI `{id}`: routes and document share the path constants. */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function intakePath(
  register: Register,
  route: { path: string; operationId: string; summary: string; schema: z.ZodType },
): void {
  const { schema, ...described } = route;
  register({
    method: 'post',
    ...described,
    tags: ['intake'],
    security: PUBLIC,
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

/**
 * The public and admin API, built from what the route modules export: their path constants and
 * the zod schemas they validate with or answer (so a route and its description change together).
 * Tests check it against the routes the app really mounts (routes/openapi.test.ts) and lint it
 * with redocly.yaml and compile a generated client against it (document.test.ts).
 */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  const register: Register = (route) => registry.registerPath({ ...route, path: openApiPath(route.path) });
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

  intakePath(register, {
    path: INTAKE_PATHS.quote_form,
    operationId: 'storeQuoteFormLead',
    summary: 'Store a quote-form lead',
    schema: QuoteForm,
  });
  intakePath(register, {
    path: INTAKE_PATHS.chatbot,
    operationId: 'storeChatbotLead',
    summary: 'Store (or update, per session_id) a chatbot lead',
    schema: ChatbotLead,
  });

  register({
    method: 'get',
    path: HEALTH_PATHS.live,
    operationId: 'getLiveness',
    summary: 'The process is alive',
    tags: ['probes'],
    security: PUBLIC,
    responses: { 200: { description: 'Alive', content: json(livenessSchema) } },
  });
  register({
    method: 'get',
    path: HEALTH_PATHS.ready,
    operationId: 'getReadiness',
    summary: 'Redis and Supabase are reachable',
    tags: ['probes'],
    security: PUBLIC,
    responses: {
      200: { description: 'Ready', content: json(readinessSchema) },
      503: { description: 'Not ready', content: json(readinessSchema) },
    },
  });
  register({
    method: 'get',
    path: OPENAPI_PATH,
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    tags: ['probes'],
    security: PUBLIC,
    responses: { 200: { description: 'OpenAPI 3.1', content: json(z.record(z.string(), z.unknown())) } },
  });

  register({
    method: 'get',
    path: LEAD_PATHS.status,
    operationId: 'getLeadStatus',
    summary: "A lead's sync state",
    tags: ['operations'],
    security: ADMIN,
    request: { params: leadIdParamsSchema },
    responses: {
      200: { description: 'The lead', content: json(LeadStatus) },
      400: error('id is not a UUID'),
      ...unauthorized,
      404: error('No such lead'),
    },
  });
  register({
    method: 'get',
    path: HEALTH_REPORT_PATH,
    operationId: 'getHealthReport',
    summary: 'Token status, lead counts, queue counts and recommendations',
    tags: ['operations'],
    security: ADMIN,
    responses: {
      200: { description: 'The report', content: json(z.record(z.string(), z.unknown())) },
      ...unauthorized,
    },
  });
  register({
    method: 'get',
    path: METRICS_PATH,
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tags: ['operations'],
    security: ADMIN,
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
      ...unauthorized,
    },
  });
  register({
    method: 'post',
    path: ADMIN_PATHS.sync,
    operationId: 'syncNow',
    summary: 'Drain pending leads now',
    description: `Queues a drain for the workers: a batch job whose full batches start more, until nothing is due. With ?wait=true the answer waits (up to ${SYNC_WAIT_MS / 1000} s) for the totals of the whole drain; a drain still running then is answered 202 with status "running".`,
    tags: ['operations'],
    security: ADMIN,
    request: {
      query: adminSyncQuerySchema,
      body: { required: false, content: json(AdminSyncRequest) },
    },
    responses: {
      200: { description: 'Finished (with ?wait=true)', content: json(adminSyncResultSchema) },
      202: { description: 'Queued, or still running after the wait', content: json(adminSyncAcceptedSchema) },
      ...unauthorized,
      422: error('Bad body or query'),
    },
  });
  register({
    method: 'post',
    path: ADMIN_PATHS.retry,
    operationId: 'retryLead',
    summary: 'Put a failed (or spam) lead back to pending',
    tags: ['operations'],
    security: ADMIN,
    request: { params: leadIdParamsSchema },
    responses: {
      200: { description: 'Pending again, and nudged', content: json(leadRetriedSchema) },
      400: error('id is not a UUID'),
      ...unauthorized,
      404: error('No such lead'),
      409: error('The lead is neither failed nor spam'),
    },
  });
  register({
    method: 'post',
    path: OAUTH_PATHS.exchange,
    operationId: 'connectZoho',
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
  register({
    method: 'get',
    path: OAUTH_PATHS.start,
    operationId: 'startZohoConsent',
    summary: "Redirect to Zoho's consent page (browser)",
    tags: ['zoho'],
    security: ADMIN,
    responses: {
      302: { description: 'To the consent page, with a signed state; sets a short-lived nonce cookie' },
      ...unauthorized,
      503: { description: 'Zoho is not configured', content: html },
    },
  });
  register({
    method: 'get',
    path: OAUTH_PATHS.callback,
    operationId: 'completeZohoConsent',
    summary: 'Where Zoho sends the browser back (the signed state and cookie are the credential)',
    tags: ['zoho'],
    security: PUBLIC,
    request: {
      query: z.object(Object.fromEntries(OAUTH_CALLBACK_QUERY.map((name) => [name, z.string().optional()]))),
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
  register({
    method: 'get',
    path: BULL_BOARD_PATH,
    operationId: 'getBullBoard',
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
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Web-form and chatbot leads stored at once and synced to Zoho CRM. Operations need CRON_SECRET (bearer, or basic auth with it as the password).',
    },
    // Relative: the document is served by the API it describes, on whatever origin that is.
    servers: [{ url: '/', description: 'The leadsync API serving this document' }],
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
