export type LeadSource = 'quote_form' | 'chatbot';

export const INTAKE_PATHS: Record<LeadSource, string> = {
  quote_form: '/api/store-lead',
  chatbot: '/api/chatbot-leads',
};

/**
 * `endpoint` is the leadsync API's base URL (the path follows from the source), or a full intake
 * URL when it already names one. Without it, the API the script itself was loaded from.
 */
export function intakeUrl(
  source: LeadSource,
  endpoint: string | undefined,
  scriptUrl: string,
  pageUrl: string,
): string {
  const base = new URL(endpoint ?? scriptUrl ?? pageUrl, pageUrl);
  if (/\/api\/[^/]+$/.test(base.pathname)) return base.href;
  return new URL(INTAKE_PATHS[source], base).href;
}
