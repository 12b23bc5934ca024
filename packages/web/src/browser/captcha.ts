import { FILL_TIME_FIELD, HCAPTCHA_FIELDS, TURNSTILE_FIELD } from './fields.js';
import type { Submission } from './outbox.js';

/** A captcha the API verifies, as the embed meets it on a page. */
export interface Captcha {
  /** The form fields its widget fills; the first one found names the provider, as the API reads them. */
  fields: string[];
  /** How long the provider's siteverify accepts a token after the widget issued it. */
  lifetimeMs: number;
  /** The page's widget API (window.turnstile / window.hcaptcha). */
  global: 'turnstile' | 'hcaptcha';
  /** Where an implicitly rendered widget sits. */
  widget: string;
}

export const CAPTCHAS: Captcha[] = [
  { fields: [TURNSTILE_FIELD], lifetimeMs: 300_000, global: 'turnstile', widget: '.cf-turnstile' },
  { fields: HCAPTCHA_FIELDS, lifetimeMs: 120_000, global: 'hcaptcha', widget: '.h-captcha' },
];

const carried = (s: Submission, c: Captcha) => c.fields.some((f) => typeof s.body[f] === 'string' && s.body[f] !== '');

/**
 * Pure: the captcha whose token in this submission may have expired by `now`, so siteverify would
 * refuse it and the lead be held as spam. The widget issued the token no earlier than the form was
 * opened (the fill time before Send), and no earlier than one lifetime before Send, since widgets
 * renew an expiring token themselves; counting from the earlier of the two never counts too short.
 */
export function expiredCaptcha(s: Submission, now: number): Captcha | undefined {
  const captcha = CAPTCHAS.find((c) => carried(s, c));
  if (!captcha) return undefined;
  const fill = Number(s.body[FILL_TIME_FIELD]) || 0;
  const issuedAt = s.tokenAt ?? s.createdAt - Math.min(Math.max(fill, 0), captcha.lifetimeMs);
  return now - issuedAt > captcha.lifetimeMs ? captcha : undefined;
}

/** The same submission (same Idempotency-Key) carrying a token issued at `now`. */
export function withToken(s: Submission, captcha: Captcha, token: string, now: number): Submission {
  const body = { ...s.body };
  for (const f of captcha.fields) if (f in body || f === captcha.fields[0]) body[f] = token;
  return { ...s, body, tokenAt: now };
}

interface WidgetApi {
  reset(widget?: Element): void;
  getResponse(widget?: Element): string | undefined | null;
  execute?(widget?: Element): unknown;
}

/** Long enough for a widget script loaded async after the embed, and a non-interactive challenge. */
const WIDGET_WAIT_MS = 5_000;
const POLL_MS = 100;

/**
 * Asks the page's widget for a new token: reset and run it, then wait for its answer. It is then
 * reset once more, so the form on this page does not post the same token again (it would be
 * refused as a duplicate). Undefined when the page has no widget, or it gave no token in time
 * (it may be waiting for the visitor): the submission then waits for a later try.
 */
export async function widgetToken(captcha: Captcha, wait: (ms: number) => Promise<void>): Promise<string | undefined> {
  let asked = false;
  try {
    for (let waited = 0; waited < WIDGET_WAIT_MS; waited += POLL_MS) {
      const api = (window as unknown as Record<string, WidgetApi | undefined>)[captcha.global];
      const widget = document.querySelector(captcha.widget) ?? undefined;
      if (api && !asked) {
        asked = true;
        api.reset(widget);
        // hCaptcha (and Turnstile in execute mode) need it; a widget that runs by itself may refuse
        try {
          api.execute?.(widget);
        } catch {}
      } else if (api) {
        const token = api.getResponse(widget);
        if (token) {
          api.reset(widget);
          return token;
        }
      }
      await wait(POLL_MS);
    }
  } catch {
    // a widget API that throws (no widget rendered) is no widget
  }
  return undefined;
}
