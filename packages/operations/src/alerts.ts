import type { Logger } from '@leadsync/config';
import type { Cluster, Redis } from 'ioredis';
import { type AlertAction, type AlertCondition, alertText, planAlerts } from './alert-plan.js';
import { type AlertStore, memoryAlertStore, redisAlertStore } from './alert-store.js';

export interface AlerterOptions {
  redis: Redis | Cluster;
  prefix: string;
  /** ALERT_WEBHOOK_URL; without it alerts are only logged. */
  webhookUrl?: string;
  logger: Logger;
  repeatEveryMs?: number;
  /** Permanent lead failures within this window go out as one post, so a bad batch is not 100 posts. */
  leadFailureWindowMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface FailedLead {
  id: string;
  source?: string;
}

export interface Alerter {
  /** The conditions active now (e.g. alertingConditions(report.recommendations)); posts what changed. */
  update(conditions: AlertCondition[]): Promise<AlertAction[]>;
  /** A lead failed permanently: logged now, posted with the others of its window. */
  leadFailed(lead: FailedLead, error: { code: string; message: string }): void;
  /** Posts failures still waiting for their window. */
  flush(): Promise<void>;
}

const WEBHOOK_TIMEOUT_MS = 5000;
const LISTED_FAILURES = 10;

export function createAlerter(options: AlerterOptions): Alerter {
  const { logger, webhookUrl } = options;
  const repeatEveryMs = options.repeatEveryMs ?? 3_600_000;
  const windowMs = options.leadFailureWindowMs ?? 60_000;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const shared = redisAlertStore(options.redis, options.prefix);
  const local = memoryAlertStore();

  /** Never throws: an alert that cannot be delivered is still in the log. */
  async function post(text: string): Promise<void> {
    if (!webhookUrl) return;
    try {
      const res = await doFetch(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      if (!res.ok) logger.warn({ status: res.status }, 'alert webhook refused the alert');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'alert webhook unreachable');
    }
  }

  async function apply(store: AlertStore, conditions: AlertCondition[]): Promise<AlertAction[]> {
    const at = now();
    const state = await store.read(conditions.map((c) => c.id));
    const done: AlertAction[] = [];
    for (const action of planAlerts(conditions, state, at, repeatEveryMs)) {
      const claimed =
        action.kind === 'raised'
          ? await store.claimRaise(action.condition, at, repeatEveryMs)
          : action.kind === 'reminder'
            ? await store.claimReminder(action.condition.id, at, repeatEveryMs)
            : await store.claimResolve(action.id);
      if (!claimed) continue; // another process took it
      const text = alertText(action, at);
      if (action.kind === 'resolved') logger.info({ alert: action.id }, text);
      else logger[action.condition.severity === 'critical' ? 'error' : 'warn']({ alert: action.condition.id }, text);
      await post(text);
      done.push(action);
    }
    return done;
  }

  let failures: Array<{ lead: FailedLead; code: string }> = [];
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = failures;
    failures = [];
    if (batch.length === 0) return;
    const codes = new Map<string, number>();
    for (const { code } of batch) codes.set(code, (codes.get(code) ?? 0) + 1);
    const why = [...codes].map(([code, n]) => (n > 1 ? `${code} ×${n}` : code)).join(', ');
    const ids = batch.slice(0, LISTED_FAILURES).map(({ lead }) => lead.id);
    const more = batch.length > ids.length ? ` and ${batch.length - ids.length} more` : '';
    const subject = batch.length === 1 ? '1 lead failed' : `${batch.length} leads failed`;
    await post(
      `[leadsync] ${subject} permanently (${why}): ${ids.join(', ')}${more}. ` +
        'GET /api/leads/:id shows why; once fixed, POST /api/admin/leads/:id/retry sends it again.',
    );
  }

  return {
    async update(conditions) {
      try {
        const actions = await apply(shared, conditions);
        // Redis is back: close what this process raised on its own while it was away.
        if (await local.hasActive()) actions.push(...(await apply(local, [])));
        return actions;
      } catch (err) {
        logger.warn(
          { err: (err as Error).message },
          'alert state unavailable in Redis; alerting from this process alone',
        );
        return apply(local, conditions);
      }
    },
    leadFailed(lead, error) {
      logger.error({ alert: 'lead_failed', leadId: lead.id, source: lead.source, code: error.code }, error.message);
      failures.push({ lead, code: error.code });
      if (!timer) {
        timer = setTimeout(() => void flush(), windowMs);
        timer.unref();
      }
    },
    flush,
  };
}
