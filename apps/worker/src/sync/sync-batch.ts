import { randomUUID } from 'node:crypto';
import type { ClaimedLead, Db, SyncResult } from '@leadsync/db';
import { duplicateCheckIdentity } from '@leadsync/lead';
import {
  ConcurrencyLimitError,
  FixConfigError,
  missingResult,
  ReAuthorizeError,
  RejectedRequestError,
  RetryLaterError,
  type UpsertResult,
  WaitUntilError,
  ZohoError,
  type ZohoRecordUpdate,
} from '@leadsync/zoho-client';
import type { Logger } from 'pino';
import { horizonReached, isOutage } from './outage.js';
import type { OutageGate } from './outage-breaker.js';
import { backoffDelayMs, planWriteRounds, splitSamePersonIntoRounds, type ZohoWrite, zohoWriteFor } from './plan.js';

/**
 * What the sync path needs of Zoho: the mapping, the Leads upsert and the update by id (each one
 * result per record, in order).
 */
export interface ZohoLeadsPort {
  toZohoLead(lead: ClaimedLead): Record<string, unknown>;
  upsertLeads(records: Record<string, unknown>[]): Promise<UpsertResult[]>;
  updateLeads(records: ZohoRecordUpdate[]): Promise<UpsertResult[]>;
}

/** sync_attempts code of a synced lead whose Zoho record was gone, so it was upserted instead. */
export const RECORD_GONE_CODE = 'ZOHO_RECORD_GONE';

interface Planned {
  lead: ClaimedLead;
  record: Record<string, unknown>;
  write: ZohoWrite;
  /** The Zoho record the lead had, when an update found it gone and this is the upsert instead. */
  goneId?: string;
}

export interface SyncSettings {
  workerId: string;
  batchSize: number;
  leaseSeconds: number;
  /** Transient failures are retried until this long after a lead's first one (SYNC_RETRY_HORIZON). */
  retryHorizonMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long leads are left alone when only an operator can help (re-authorise, configuration). */
  operatorWaitMs: number;
}

export interface SyncDeps {
  db: Db;
  zoho: ZohoLeadsPort;
  settings: SyncSettings;
  logger: Logger;
  /** A lead Zoho will not take (or retried past the horizon): alerts hook in here. */
  onLeadFailed?: (lead: ClaimedLead, error: { code: string; message: string }) => void;
  /**
   * Wraps every Zoho call: the Zoho pressure control (apps/worker/src/sync/zoho-pressure.ts) admits
   * it (or throws a credit pause), tells a 429 by its cause and records the success.
   */
  aroundZohoCall?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The circuit breaker for Zoho-wide outages; without it every failed call is retried lead by lead. */
  outage?: OutageGate;
  /** Observability hook: one call per Zoho upsert or update. */
  onZohoCall?: (call: { records: number; outcome: 'ok' | 'error'; code?: string }) => void;
  /** Observability hook: one call per batch that claimed leads, with its outcome (also when Zoho paused it). */
  onBatch?: (outcome: BatchOutcome) => void;
}

/** What happened to one lead of a batch, as Bull Board's Return value shows it. */
export type LeadReport =
  | { id: string; outcome: 'synced'; zohoId: string; action: string; note?: string }
  | { id: string; outcome: 'retrying'; until: string; code: string; message: string }
  | { id: string; outcome: 'failed'; code: string; message: string }
  | { id: string; outcome: 'released'; until: string; why: string };

/** One Zoho call of a batch. */
export interface CallReport {
  kind: 'update' | 'upsert';
  records: number;
  ms: number;
  outcome: 'ok' | 'error';
  code?: string;
}

export interface BatchOutcome {
  claimed: number;
  synced: number;
  failed: number;
  retrying: number;
  released: number;
  zohoCalls: number;
  /** Earliest time a lead of this batch is due again after a transient failure. */
  nextRetryAt: Date | null;
  /** Per lead, in the order they were decided. */
  leads: LeadReport[];
  calls: CallReport[];
}

export const EMPTY_OUTCOME: Readonly<BatchOutcome> = Object.freeze({
  claimed: 0,
  synced: 0,
  failed: 0,
  retrying: 0,
  released: 0,
  zohoCalls: 0,
  nextRetryAt: null,
  leads: [],
  calls: [],
});

/** A fresh empty outcome (its arrays are the caller's own). */
export const emptyOutcome = (): BatchOutcome => ({ ...EMPTY_OUTCOME, leads: [], calls: [] });

/** How one batch claims: how many, under which token (one run of one job), for which BullMQ job. */
export interface BatchClaim {
  limit: number;
  token: string;
  job?: string;
  /**
   * Called once the leads are claimed, and run beside the Zoho call rather than before it: the
   * job shows the leads and starts its follow-ups here, so the next batch is claimed while this
   * one waits for Zoho, and none of it holds this batch's slot. If it fails, the batch is still
   * sent and recorded, and then fails with its error.
   */
  onClaimed?: (leads: ClaimedLead[]) => Promise<void>;
}

/**
 * Zoho refused to take anything for now (429 / throttle, a person must re-authorise or fix
 * configuration, or Zoho is failing as a whole and the outage breaker opened). The batch's
 * unsent leads were handed back; the caller pauses accordingly.
 */
export class SyncPausedError extends Error {
  override name = 'SyncPausedError';
  constructor(
    readonly zohoError: ZohoError,
    readonly resumeAt: Date,
  ) {
    super(`sync paused until ${resumeAt.toISOString()}: ${zohoError.code} ${zohoError.message}`);
  }
}

/**
 * The sync path, one batch (one batch job): claim up to batchSize due leads under a lease held by
 * the claim's token, write them to Zoho, and record every lead's result (and the attempt log) in
 * one database call guarded by that token.
 *
 * Exactly once in Zoho rests on three things: the claim hands a lead to one worker at a time
 * (SKIP LOCKED + lease); a lead whose Zoho record is known is updated by that id, and a new one is
 * upserted on Email/Phone, so a repeated send writes the same Zoho record instead of adding one (a
 * crash between Zoho's answer and our record means a resend, not a duplicate); and a lead is
 * pending until Zoho has acknowledged it.
 *
 * A known record Zoho no longer has in Leads (deleted or merged in the CRM, or converted to a
 * contact — Zoho answers all three alike) is not an error of the lead: the lead is upserted as a
 * new person in the same batch, once, and the attempt is logged with RECORD_GONE_CODE. A converted
 * person therefore comes back as a new lead carrying the newest details, which sales sees and can
 * merge; the contact made by the conversion is left alone. The fallback cannot loop: the lead then
 * holds the new record's id, and a fallback is never itself retried by id.
 */
export async function syncBatch(deps: SyncDeps, claim: BatchClaim): Promise<BatchOutcome> {
  const { db, zoho, settings, logger } = deps;
  const { token } = claim;
  const startedAt = performance.now();
  const leads = await db.leads.claimPending({
    limit: Math.min(claim.limit, settings.batchSize),
    worker: settings.workerId,
    leaseSeconds: settings.leaseSeconds,
    token,
    ...(claim.job !== undefined && { job: claim.job }),
  });
  if (leads.length === 0) return emptyOutcome();
  // settles with its error instead of rejecting, so a pause thrown below leaves nothing unhandled
  const bookkeeping: Promise<Error | null> = claim.onClaimed
    ? claim.onClaimed(leads).then(
        () => null,
        (err: Error) => err,
      )
    : Promise.resolve(null);

  const claimedAt = performance.now();
  const batchId = randomUUID();
  const outcome: BatchOutcome = { ...emptyOutcome(), claimed: leads.length };
  const results: SyncResult[] = [];

  const fail = (lead: ClaimedLead, code: string, message: string) => {
    results.push({
      id: lead.id,
      version: lead.content_version,
      outcome: 'failed',
      error_code: code,
      error_message: message,
    });
    outcome.failed += 1;
    outcome.leads.push({ id: lead.id, outcome: 'failed', code, message });
    deps.onLeadFailed?.(lead, { code, message });
  };
  /** A transient failure: `outage` when Zoho as a whole failed, so the lead waits for the probe, its try uncounted. */
  const retryLater = (lead: ClaimedLead, code: string, message: string, outage?: { probeAt: Date }) => {
    const now = Date.now();
    if (horizonReached(lead.first_failed_at, now, settings.retryHorizonMs))
      return fail(lead, code, `past the retry horizon (failing since ${lead.first_failed_at}): ${message}`);
    const retryAt =
      outage?.probeAt ?? new Date(now + backoffDelayMs(lead.attempts, settings.backoffBaseMs, settings.backoffMaxMs));
    results.push({
      id: lead.id,
      version: lead.content_version,
      outcome: 'retry',
      error_code: code,
      error_message: message,
      retry_at: retryAt.toISOString(),
      ...(outage && { counted: false }),
    });
    outcome.retrying += 1;
    outcome.leads.push({ id: lead.id, outcome: 'retrying', until: retryAt.toISOString(), code, message });
    if (!outcome.nextRetryAt || retryAt < outcome.nextRetryAt) outcome.nextRetryAt = retryAt;
  };

  const mapped: Planned[] = [];
  for (const lead of leads) {
    try {
      mapped.push({ lead, record: zoho.toZohoLead(lead), write: zohoWriteFor(lead) });
    } catch (err) {
      fail(lead, 'MAPPING_FAILED', (err as Error).message);
    }
  }

  const identityOf = ({ lead, record, write }: Planned) =>
    write === 'update' ? `id:${lead.zoho_id}` : duplicateCheckIdentity(record);
  const send = (round: Planned[]): Promise<UpsertResult[]> =>
    round[0]?.write === 'update'
      ? zoho.updateLeads(round.map(({ lead, record }) => ({ ...record, id: lead.zoho_id as string })))
      : zoho.upsertLeads(round.map((r) => r.record));
  // Rounds of one kind each; upserts for records found gone are appended while the loop runs.
  const rounds = planWriteRounds(mapped, (p) => p.write, identityOf);
  for (let index = 0; index < rounds.length; index += 1) {
    const round = rounds[index] as Planned[];
    let answers: UpsertResult[];
    const kind = round[0]?.write ?? 'upsert';
    const callStarted = performance.now();
    try {
      outcome.zohoCalls += 1;
      answers = await (deps.aroundZohoCall ? deps.aroundZohoCall(() => send(round)) : send(round));
      outcome.calls.push({
        kind,
        records: round.length,
        ms: Math.round(performance.now() - callStarted),
        outcome: 'ok',
      });
      deps.onZohoCall?.({ records: round.length, outcome: 'ok' });
    } catch (err) {
      const code = err instanceof ZohoError ? err.code : 'UNEXPECTED';
      outcome.calls.push({
        kind,
        records: round.length,
        ms: Math.round(performance.now() - callStarted),
        outcome: 'error',
        code,
      });
      deps.onZohoCall?.({ records: round.length, outcome: 'error', code });
      const message = (err as Error).message;
      if (!(err instanceof ZohoError)) logger.error({ err, batchId }, 'unexpected error while sending a batch to Zoho');
      const outage = deps.outage && isOutage(err) ? { probeAt: await deps.outage.tripped() } : undefined;
      // this round reached Zoho (or tried to) and failed with it: logged, and each lead's run toward the horizon begins
      if (outage) for (const { lead } of round) retryLater(lead, code, message, outage);
      const pauseUntil = outage?.probeAt ?? pauseFor(err, settings.operatorWaitMs);
      if (pauseUntil) {
        // Nothing of the rounds after it (nor of this one, unless Zoho failed it) reached Zoho: hand them back uncounted.
        const unsent = rounds.slice(outage ? index + 1 : index).flatMap((r) => r.map(({ lead }) => lead.id));
        await db.leads.recordResults({ token, worker: settings.workerId, batchId, results });
        outcome.released = await db.leads.releaseClaims({ token, ids: unsent, notBefore: pauseUntil });
        for (const id of unsent) {
          outcome.leads.push({ id, outcome: 'released', until: pauseUntil.toISOString(), why: `${code}: ${message}` });
        }
        deps.onBatch?.(outcome);
        await bookkeeping; // the job's own writes land before BullMQ moves it
        throw new SyncPausedError(asZohoError(err), pauseUntil);
      }
      // Zoho refused the request as such: sending it unchanged would get the same answer.
      for (const { lead } of round) (err instanceof RejectedRequestError ? fail : retryLater)(lead, code, message);
      continue;
    }
    const gone: Planned[] = [];
    for (const [i, planned] of round.entries()) {
      const { lead } = planned;
      const answer = answers[i] ?? missingResult();
      if (!answer.ok && answer.recordGone && planned.write === 'update') {
        gone.push({ ...planned, write: 'upsert', goneId: lead.zoho_id as string });
      } else if (answer.ok) {
        const result: SyncResult = {
          id: lead.id,
          version: lead.content_version,
          outcome: 'synced',
          zoho_id: answer.zohoId,
          zoho_action: answer.action,
        };
        const report: LeadReport = { id: lead.id, outcome: 'synced', zohoId: answer.zohoId, action: answer.action };
        if (planned.goneId !== undefined) {
          // Synced, and the attempt log says why the lead now points at another record.
          result.error_code = RECORD_GONE_CODE;
          result.error_message = `Zoho record ${planned.goneId} is no longer in Leads (deleted, merged or converted); upserted instead: ${answer.action} ${answer.zohoId}`;
          report.note = `${RECORD_GONE_CODE}: record ${planned.goneId} was gone`;
        }
        results.push(result);
        outcome.leads.push(report);
        outcome.synced += 1;
      } else {
        const message = `${answer.message}${answer.field ? ` (${answer.field})` : ''}`;
        (answer.retryable ? retryLater : fail)(lead, answer.code, message);
      }
    }
    if (gone.length > 0) {
      logger.warn(
        { batchId, code: RECORD_GONE_CODE, leads: gone.map(({ lead }) => ({ id: lead.id, zohoId: lead.zoho_id })) },
        'Zoho records of known leads are no longer in Leads (deleted, merged or converted); upserting those leads',
      );
      rounds.push(...splitSamePersonIntoRounds(gone, identityOf));
    }
  }

  const sentAt = performance.now();
  const bookkeepingError = await bookkeeping;
  await db.leads.recordResults({ token, worker: settings.workerId, batchId, results });
  logger.info(
    {
      batchId,
      claimed: outcome.claimed,
      synced: outcome.synced,
      failed: outcome.failed,
      retrying: outcome.retrying,
      ms: {
        claim: Math.round(claimedAt - startedAt),
        zoho: Math.round(sentAt - claimedAt),
        record: Math.round(performance.now() - sentAt),
      },
    },
    'batch synced',
  );
  deps.onBatch?.(outcome);
  if (bookkeepingError) throw bookkeepingError;
  return outcome;
}

function asZohoError(err: unknown): ZohoError {
  if (err instanceof ZohoError) return err;
  return new RetryLaterError('UNEXPECTED', (err as Error).message, { cause: err });
}

function pauseFor(err: unknown, operatorWaitMs: number): Date | null {
  // Zoho pressure (a concurrency 429): the batch is handed back uncounted and goes again at retryAt
  if (err instanceof ConcurrencyLimitError) return err.retryAt;
  if (err instanceof WaitUntilError) return err.resetAt;
  if (err instanceof ReAuthorizeError || err instanceof FixConfigError) return new Date(Date.now() + operatorWaitMs);
  return null;
}
