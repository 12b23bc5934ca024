import { type Logger, withTimeout } from '@leadsync/config';
import type { Db, LeadSource } from '@leadsync/db';
import { type AttentionQueues, leadSpamPayload, raiseAttention, type SyncProducer } from '@leadsync/queue';
import type { CaptchaVerifier } from './captcha.js';
import { parseIntake } from './parse.js';
import type { FieldIssue } from './payload.js';
import { fingerprint, isPlainObject } from './payload.js';
import { judgeSpam, type SpamPolicy, splitSpamSignals } from './spam.js';

export interface AcceptLeadDeps {
  db: Pick<Db, 'leads'>;
  producer: Pick<SyncProducer, 'enqueueSync'>;
  /** A lead held as spam gets a job in lead-spam, for an operator to release from Bull Board. */
  attention?: Pick<AttentionQueues, 'spam'>;
  logger: Logger;
  syncMode: 'immediate' | 'daily';
  spam: SpamPolicy;
  captcha: CaptchaVerifier;
}

export interface IntakeRequest {
  source: LeadSource;
  body: unknown;
  idempotencyKey?: string;
  /** Passed on to the captcha provider, which weighs it. */
  remoteIp?: string;
}

export type IntakeAnswer =
  | { kind: 'accepted'; id: string; replayed: boolean }
  | { kind: 'invalid'; issues: FieldIssue[] }
  | { kind: 'key_reused' }
  | { kind: 'in_flight' };

/**
 * Long enough for a healthy Redis on another host, short enough that a sick one never shows in
 * intake latency: the lead is already stored, and the scheduled drain picks up what misses its nudge.
 */
export const ENQUEUE_TIMEOUT_MS = 250;

/**
 * The intake use case: validate, judge spam, store durably (the only step that may fail the
 * request), then nudge the worker. A DbUnavailableError propagates: nothing was acknowledged, the
 * client retries. Spam is stored with status 'spam' and answered exactly like a lead, so a bot
 * learns nothing; the worker never claims it, and an operator can release it.
 */
export async function acceptLead(deps: AcceptLeadDeps, request: IntakeRequest): Promise<IntakeAnswer> {
  const { signals, rest } = isPlainObject(request.body)
    ? splitSpamSignals(request.body)
    : { signals: undefined, rest: request.body };
  const parsed = parseIntake(request.source, rest);
  if (!parsed.ok) return { kind: 'invalid', issues: parsed.issues };

  // only a request with a key is ever compared with an earlier one
  const keyed = request.idempotencyKey
    ? { idempotencyKey: request.idempotencyKey, fingerprint: fingerprint(parsed.rawPayload) }
    : undefined;
  // after validation, so an invalid body costs no call to the captcha provider
  const verdict = signals
    ? judgeSpam(signals, await deps.captcha.check(request.source, signals.captcha, request.remoteIp, keyed), deps.spam)
    : { spam: false, reasons: [] };
  const fields = verdict.spam ? { ...parsed.fields, status: 'spam' as const } : parsed.fields;

  const stored = await deps.db.leads.intake({
    source: request.source,
    fields,
    rawPayload: parsed.rawPayload,
    idempotencyKey: keyed?.idempotencyKey ?? null,
    fingerprint: keyed?.fingerprint ?? null,
  });

  switch (stored.outcome) {
    case 'in_flight':
      return { kind: 'in_flight' };
    case 'key_reused':
      return { kind: 'key_reused' };
    case 'replayed':
      return { kind: 'accepted', id: stored.id!, replayed: true };
    case 'created':
      if (verdict.spam) {
        deps.logger.info({ leadId: stored.id, reasons: verdict.reasons }, 'lead held as spam');
        await holdSpam(deps, { id: stored.id!, source: request.source, ...parsed.fields }, verdict.reasons);
        return { kind: 'accepted', id: stored.id!, replayed: false };
      }
      if (deps.syncMode === 'immediate') await nudgeSync(deps, stored.id!);
      return { kind: 'accepted', id: stored.id!, replayed: false };
    case 'updated':
      // a chat session's lead keeps its status (intake_lead holds a spam one back); nudge anyway
      if (deps.syncMode === 'immediate') await nudgeSync(deps, stored.id!);
      return { kind: 'accepted', id: stored.id!, replayed: false };
  }
}

async function nudgeSync(deps: AcceptLeadDeps, leadId: string): Promise<void> {
  try {
    await withTimeout(deps.producer.enqueueSync(leadId), ENQUEUE_TIMEOUT_MS, () => {
      throw new Error(`enqueue timed out after ${ENQUEUE_TIMEOUT_MS} ms`);
    });
  } catch (err) {
    deps.logger.warn({ err, leadId }, 'sync nudge failed; the lead stays pending for the scheduled drain');
  }
}

/** Like the nudge: bounded and never failing the request; the worker's reconciliation adds a job missed here. */
async function holdSpam(
  deps: AcceptLeadDeps,
  lead: Parameters<typeof leadSpamPayload>[0],
  reasons: string[],
): Promise<void> {
  if (!deps.attention) return;
  const { spam } = deps.attention;
  try {
    await withTimeout(raiseAttention({ spam }, 'spam', leadSpamPayload(lead, reasons)), ENQUEUE_TIMEOUT_MS, () => {
      throw new Error(`spam job timed out after ${ENQUEUE_TIMEOUT_MS} ms`);
    });
  } catch (err) {
    deps.logger.warn({ err, leadId: lead.id }, 'spam job not added; the worker adds it later');
  }
}
