import { describe, expect, it } from '@jest/globals';
import { type AlertCondition, type AlertState, alertText, planAlerts } from './alert-plan.js';

const HOUR = 3_600_000;
const pending: AlertCondition = { id: 'pending_over_threshold', severity: 'warning', message: '60 leads are pending' };
const empty: AlertState = { active: {}, lastPostedAt: {} };
const activeSince = (since: number, postedAt?: number): AlertState => ({
  active: { [pending.id]: { since, severity: pending.severity, message: pending.message } },
  lastPostedAt: postedAt === undefined ? {} : { [pending.id]: postedAt },
});

describe('planAlerts', () => {
  it('raises a new condition', () => {
    expect(planAlerts([pending], empty, 1000, HOUR)).toEqual([{ kind: 'raised', condition: pending }]);
  });

  it('stays quiet while a condition lasts within the hour after its post', () => {
    expect(planAlerts([pending], activeSince(0, 0), HOUR - 1, HOUR)).toEqual([]);
  });

  it('reminds once the hour has passed', () => {
    expect(planAlerts([pending], activeSince(0, 0), HOUR, HOUR)).toEqual([
      { kind: 'reminder', condition: pending, since: 0 },
    ]);
    // the store forgets the post when its hour is over
    expect(planAlerts([pending], activeSince(0), 5, HOUR)).toHaveLength(1);
  });

  it('resolves a condition that is gone', () => {
    const state = activeSince(0, 0);
    expect(planAlerts([], state, 10, HOUR)).toEqual([
      { kind: 'resolved', id: pending.id, alert: state.active[pending.id] },
    ]);
  });

  it('words each post for Slack', () => {
    expect(alertText({ kind: 'raised', condition: pending }, 0)).toBe('[leadsync] WARNING: 60 leads are pending');
    expect(alertText({ kind: 'reminder', condition: pending, since: 0 }, 1.5 * HOUR)).toBe(
      '[leadsync] still WARNING (for 90 min): 60 leads are pending',
    );
    expect(alertText({ kind: 'resolved', id: pending.id, alert: activeSince(0).active[pending.id]! }, 3 * HOUR)).toBe(
      '[leadsync] RESOLVED after 3 h: 60 leads are pending',
    );
  });
});
