import type { Severity } from './recommendations.js';

export interface AlertCondition {
  id: string;
  severity: Severity;
  message: string;
}

/** What is remembered of a condition while it lasts. */
export interface ActiveAlert {
  since: number;
  severity: Severity;
  message: string;
}

export interface AlertState {
  active: Record<string, ActiveAlert>;
  /** When each active condition was last posted; absent once the repeat interval has passed. */
  lastPostedAt: Record<string, number>;
}

export type AlertAction =
  | { kind: 'raised'; condition: AlertCondition }
  | { kind: 'reminder'; condition: AlertCondition; since: number }
  | { kind: 'resolved'; id: string; alert: ActiveAlert };

/**
 * Pure: which posts the current conditions call for. New → raised; still active and not posted
 * for `repeatEveryMs` → reminder; gone → resolved (once: the caller forgets it afterwards).
 */
export function planAlerts(
  current: AlertCondition[],
  state: AlertState,
  now: number,
  repeatEveryMs: number,
): AlertAction[] {
  const actions: AlertAction[] = [];
  const currentIds = new Set(current.map((c) => c.id));
  for (const condition of current) {
    const known = state.active[condition.id];
    if (!known) {
      actions.push({ kind: 'raised', condition });
      continue;
    }
    const posted = state.lastPostedAt[condition.id];
    if (posted === undefined || now - posted >= repeatEveryMs) {
      actions.push({ kind: 'reminder', condition, since: known.since });
    }
  }
  for (const [id, alert] of Object.entries(state.active)) {
    if (!currentIds.has(id)) actions.push({ kind: 'resolved', id, alert });
  }
  return actions;
}

const LABEL: Record<Severity, string> = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' };

function ago(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/** The Slack-compatible `text` of one post. */
export function alertText(action: AlertAction, now: number, source = 'leadsync'): string {
  switch (action.kind) {
    case 'raised':
      return `[${source}] ${LABEL[action.condition.severity]}: ${action.condition.message}`;
    case 'reminder':
      return `[${source}] still ${LABEL[action.condition.severity]} (for ${ago(now - action.since)}): ${action.condition.message}`;
    case 'resolved':
      return `[${source}] RESOLVED after ${ago(now - action.alert.since)}: ${action.alert.message}`;
  }
}
