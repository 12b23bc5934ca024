import type { LeadSource } from '@leadsync/db';

/**
 * Fields the embed (packages/web) adds for the spam check. Prefixed so they cannot clash with a
 * site's own fields (a real `website` field is an ordinary field); removed before the lead is
 * stored, so they never reach the raw payload or Zoho. Keep in step with packages/web/src/browser/fields.ts.
 */
export const HONEYPOT_FIELD = 'leadsync_website';
export const FILL_TIME_FIELD = '_ls_fill_ms';
/** What the Turnstile and hCaptcha widgets add to the form they sit in. */
export const TURNSTILE_FIELD = 'cf-turnstile-response';
export const HCAPTCHA_FIELD = 'h-captcha-response';
/** hCaptcha also fills this one, for reCAPTCHA compatibility. */
const HCAPTCHA_COMPAT_FIELD = 'g-recaptcha-response';

const CONTROL_FIELDS = [HONEYPOT_FIELD, FILL_TIME_FIELD, TURNSTILE_FIELD, HCAPTCHA_FIELD, HCAPTCHA_COMPAT_FIELD];

export type CaptchaProvider = 'turnstile' | 'hcaptcha';

export interface SpamSignals {
  /** The honeypot's value as posted; undefined when the field was not sent (no embed). */
  honeypot: unknown;
  /** The embed's fill time as posted; undefined when not sent. */
  fillMs: unknown;
  captcha: { provider: CaptchaProvider; token: string } | undefined;
}

/** Splits the spam-control fields off a posted body; `rest` is what gets validated and stored. */
export function splitSpamSignals(body: Record<string, unknown>): {
  signals: SpamSignals;
  rest: Record<string, unknown>;
} {
  const rest = { ...body };
  for (const name of CONTROL_FIELDS) delete rest[name];
  const token = (name: string) => {
    const v = body[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const turnstile = token(TURNSTILE_FIELD);
  const hcaptcha = token(HCAPTCHA_FIELD) ?? token(HCAPTCHA_COMPAT_FIELD);
  return {
    signals: {
      honeypot: body[HONEYPOT_FIELD],
      fillMs: body[FILL_TIME_FIELD],
      captcha: turnstile
        ? { provider: 'turnstile', token: turnstile }
        : hcaptcha
          ? { provider: 'hcaptcha', token: hcaptcha }
          : undefined,
    },
    rest,
  };
}

/** What the captcha provider said; 'unavailable' when it could not be asked. */
export type CaptchaResult = 'not_configured' | 'passed' | 'failed' | 'missing' | 'unavailable';

export interface SpamPolicy {
  /** SPAM_MIN_FILL_MS: a person does not fill a form faster than this. */
  minFillMs: number;
}

export interface SpamVerdict {
  spam: boolean;
  /** Why, for the log an operator reads before releasing the lead. */
  reasons: string[];
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Pure: is this submission a bot's? Each check applies only when its signal exists, so a plain
 * HTML form posting without the embed is judged on nothing and passes. A captcha the provider
 * could not be asked about passes too (fail open): an outage at Cloudflare or hCaptcha must not
 * hold every lead, and the honeypot and fill time still apply.
 */
export function judgeSpam(signals: SpamSignals, captcha: CaptchaResult, policy: SpamPolicy): SpamVerdict {
  const reasons: string[] = [];
  if (!isBlank(signals.honeypot)) reasons.push('honeypot filled');
  if (signals.fillMs !== undefined) {
    const ms =
      typeof signals.fillMs === 'string' && signals.fillMs.trim() !== '' ? Number(signals.fillMs) : signals.fillMs;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) reasons.push('fill time unreadable');
    else if (ms < policy.minFillMs) reasons.push(`filled in ${Math.max(0, Math.round(ms))} ms`);
  }
  if (captchaHolds(captcha)) reasons.push(captcha === 'failed' ? 'captcha failed' : 'captcha token missing');
  return { spam: reasons.length > 0, reasons };
}

/** The captcha results that hold a lead as spam; every other one lets it through (fail open). */
export function captchaHolds(captcha: CaptchaResult): captcha is 'failed' | 'missing' {
  return captcha === 'failed' || captcha === 'missing';
}

/**
 * Whether the captcha must be asked about: a configured secret makes a token mandatory on the
 * quote form (a bot would simply leave it out otherwise). A chatbot has no captcha widget, so its
 * posts are judged on the other signals only.
 */
export function needsCaptcha(source: LeadSource, configured: readonly CaptchaProvider[]): boolean {
  return source === 'quote_form' && configured.length > 0;
}
