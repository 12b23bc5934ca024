/**
 * The names the embed adds to a submission for the API's spam check. They are prefixed so they
 * cannot clash with a customer's own fields (a real `website` field stays an ordinary field), and
 * the API removes them before storing the lead, so they never reach Zoho. Keep in step with
 * apps/api/src/intake/spam.ts.
 */
export const HONEYPOT_FIELD = 'leadsync_website';
/** Milliseconds from attach() to "Send", measured on the visitor's monotonic clock (no clock skew). */
export const FILL_TIME_FIELD = '_ls_fill_ms';
/** What the Turnstile and hCaptcha widgets add to the form they sit in (hCaptcha fills both of its own). */
export const TURNSTILE_FIELD = 'cf-turnstile-response';
export const HCAPTCHA_FIELDS = ['h-captcha-response', 'g-recaptcha-response'];

/** A plain object from a form: a name given twice becomes a list (as a plain form post would); files are skipped. */
export function formToObject(data: Pick<FormData, 'forEach'>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  data.forEach((value, name) => {
    if (typeof value !== 'string') return;
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  return out;
}

const TRACKED = ['utm_source', 'utm_medium', 'utm_campaign'] as const;

/** page_url and the utm_* of the page the lead came from, unless the form already has them. */
export function withPageContext(body: Record<string, unknown>, href: string): Record<string, unknown> {
  const out = { ...body };
  if (out.page_url === undefined) out.page_url = href.slice(0, 2048);
  const query = new URL(href).searchParams;
  for (const name of TRACKED) {
    const value = query.get(name);
    if (out[name] === undefined && value) out[name] = value.slice(0, 200);
  }
  return out;
}
