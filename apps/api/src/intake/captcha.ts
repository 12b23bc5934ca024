import { createHash } from 'node:crypto';
import type { Logger } from '@leadsync/config';
import type { LeadSource } from '@leadsync/db';
import type { Redis } from 'ioredis';
import { type CaptchaProvider, type CaptchaResult, captchaHolds, needsCaptcha, type SpamSignals } from './spam.js';

export interface CaptchaSettings {
  turnstile?: { secret: string; verifyUrl: string };
  hcaptcha?: { secret: string; verifyUrl: string };
  /** Long enough for a provider on another continent, short enough to keep intake fast. */
  timeoutMs: number;
}

/** One request as its Idempotency-Key names it: the key, and the hash of the body it came with. */
export interface KeyedRequest {
  idempotencyKey: string;
  /** Of the body without the spam-check fields, so a retry carrying a refreshed token is the same request. */
  fingerprint: string;
}

export interface CaptchaVerifier {
  /**
   * `request` (when the post has an Idempotency-Key) lets a retry of a request whose token was
   * verified before reuse that verdict instead of spending the token a second time.
   */
  check(
    source: LeadSource,
    captcha: SpamSignals['captcha'],
    remoteIp?: string,
    request?: KeyedRequest,
  ): Promise<CaptchaResult>;
}

/**
 * Verdicts that let a keyed request through, kept for its retries. Needed because siteverify
 * takes each token once: a retry after a 503 (stored nothing, told the client to try again)
 * would otherwise have its spent token refused as `timeout-or-duplicate` and be held as spam.
 */
export interface VerdictMemo {
  recall(source: LeadSource, request: KeyedRequest): Promise<CaptchaResult | undefined>;
  keep(source: LeadSource, request: KeyedRequest, result: CaptchaResult): Promise<void>;
}

/** An Idempotency-Key is honoured for at least 24 hours; the verdict it carries lasts as long. */
export const VERDICT_TTL_S = 24 * 60 * 60;

/**
 * In Redis, one key per source + Idempotency-Key + body hash (hashed: keys of up to 255
 * characters stay short), so another body under the same key finds nothing to borrow.
 */
export function redisVerdictMemo(redis: Pick<Redis, 'get' | 'set'>, keyPrefix: string): VerdictMemo {
  const keyOf = (source: LeadSource, r: KeyedRequest) =>
    `${keyPrefix}:captcha:${createHash('sha256').update(`${source}\n${r.idempotencyKey}\n${r.fingerprint}`).digest('hex')}`;
  return {
    async recall(source, request) {
      const kept = await redis.get(keyOf(source, request));
      return kept === 'passed' || kept === 'unavailable' ? kept : undefined;
    },
    async keep(source, request, result) {
      await redis.set(keyOf(source, request), result, 'EX', VERDICT_TTL_S);
    },
  };
}

/** Error codes that mean our configuration is wrong, not the visitor's token. */
const OUR_FAULT = new Set(['missing-input-secret', 'invalid-input-secret', 'sitekey-secret-mismatch']);

/**
 * Asks Turnstile's or hCaptcha's siteverify (both take the same form: secret, response,
 * remoteip; both answer {success, error-codes}). Only the verdict is logged, never a secret.
 */
export function createCaptchaVerifier(settings: CaptchaSettings, logger: Logger, memo: VerdictMemo): CaptchaVerifier {
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

  async function recall(source: LeadSource, request: KeyedRequest): Promise<CaptchaResult | undefined> {
    try {
      return await memo.recall(source, request);
    } catch {
      // Redis down (its client logs that once): judge the token, as for a first attempt
      return undefined;
    }
  }

  return {
    async check(source, captcha, remoteIp, request) {
      if (!needsCaptcha(source, configured)) return 'not_configured';
      const kept = request && (await recall(source, request));
      if (kept) return kept;
      // a token for a provider we hold no secret for proves nothing
      if (!captcha || !configured.includes(captcha.provider)) return 'missing';
      const result = await verify(captcha.provider, captcha.token, remoteIp);
      // kept before the lead is stored: storing is what may fail and send the client back
      if (request && !captchaHolds(result)) {
        await memo.keep(source, request, result).catch((err: unknown) => {
          logger.warn(
            { err, provider: captcha.provider },
            'could not keep the captcha verdict in Redis; a retry of this request after a 503 is judged again',
          );
        });
      }
      return result;
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
