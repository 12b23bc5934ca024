import type { Logger } from '@leadsync/config';
import type { LeadSource } from '@leadsync/db';
import { type CaptchaProvider, type CaptchaResult, needsCaptcha, type SpamSignals } from './spam.js';

export interface CaptchaSettings {
  turnstile?: { secret: string; verifyUrl: string };
  hcaptcha?: { secret: string; verifyUrl: string };
  /** Long enough for a provider on another continent, short enough to keep intake fast. */
  timeoutMs: number;
}

export interface CaptchaVerifier {
  check(source: LeadSource, captcha: SpamSignals['captcha'], remoteIp?: string): Promise<CaptchaResult>;
}

/** Error codes that mean our configuration is wrong, not the visitor's token. */
const OUR_FAULT = new Set(['missing-input-secret', 'invalid-input-secret', 'sitekey-secret-mismatch']);

/**
 * Asks Turnstile's or hCaptcha's siteverify (both take the same form: secret, response,
 * remoteip; both answer {success, error-codes}). Only the verdict is logged, never a secret.
 */
export function createCaptchaVerifier(settings: CaptchaSettings, logger: Logger): CaptchaVerifier {
  const configured = (['turnstile', 'hcaptcha'] as const).filter((p) => settings[p] !== undefined);

  async function verify(provider: CaptchaProvider, token: string, remoteIp?: string): Promise<CaptchaResult> {
    const target = settings[provider]!;
    const form = new URLSearchParams({ secret: target.secret, response: token });
    if (remoteIp) form.set('remoteip', remoteIp);
    try {
      const res = await fetch(target.verifyUrl, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      if (!res.ok) {
        logger.warn({ provider, status: res.status }, 'captcha verification unavailable; lead accepted as pending');
        return 'unavailable';
      }
      const answer = (await res.json()) as { success?: unknown; 'error-codes'?: unknown };
      if (answer.success === true) return 'passed';
      const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].map(String) : [];
      if (codes.some((c) => OUR_FAULT.has(c))) {
        logger.error(
          { provider, codes },
          `the ${provider} secret is refused: check its secret key; leads pass unchecked`,
        );
        return 'unavailable';
      }
      return 'failed';
    } catch (err) {
      logger.warn({ provider, err }, 'captcha verification unavailable; lead accepted as pending');
      return 'unavailable';
    }
  }

  return {
    async check(source, captcha, remoteIp) {
      if (!needsCaptcha(source, configured)) return 'not_configured';
      // a token for a provider we hold no secret for proves nothing
      if (!captcha || !configured.includes(captcha.provider)) return 'missing';
      return verify(captcha.provider, captcha.token, remoteIp);
    },
  };
}

/** From the validated config: a provider is on when its secret is set. */
export function captchaSettings(config: {
  TURNSTILE_SECRET_KEY?: string;
  TURNSTILE_VERIFY_URL: string;
  HCAPTCHA_SECRET?: string;
  HCAPTCHA_VERIFY_URL: string;
  CAPTCHA_TIMEOUT_MS: number;
}): CaptchaSettings {
  return {
    turnstile: config.TURNSTILE_SECRET_KEY
      ? { secret: config.TURNSTILE_SECRET_KEY, verifyUrl: config.TURNSTILE_VERIFY_URL }
      : undefined,
    hcaptcha: config.HCAPTCHA_SECRET
      ? { secret: config.HCAPTCHA_SECRET, verifyUrl: config.HCAPTCHA_VERIFY_URL }
      : undefined,
    timeoutMs: config.CAPTCHA_TIMEOUT_MS,
  };
}
