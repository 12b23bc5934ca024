import type { Cluster, Redis } from 'ioredis';
import type { ActiveAlert, AlertCondition, AlertState } from './alert-plan.js';

/**
 * Where alert state lives. Each `claim…` is the atomic step that decides which process posts:
 * only the caller that gets `true` sends, so several workers checking at once never double-post.
 */
export interface AlertStore {
  read(currentIds: string[]): Promise<AlertState>;
  claimRaise(condition: AlertCondition, now: number, repeatEveryMs: number): Promise<boolean>;
  claimReminder(id: string, now: number, repeatEveryMs: number): Promise<boolean>;
  claimResolve(id: string): Promise<boolean>;
  hasActive(): Promise<boolean>;
}

/** Shared by every process: a hash of active conditions, and one expiring "posted" key per condition. */
export function redisAlertStore(redis: Redis | Cluster, prefix: string): AlertStore {
  const activeKey = `${prefix}:alerts:active`;
  const postedKey = (id: string) => `${prefix}:alerts:posted:${id}`;
  return {
    async read(currentIds) {
      const raw = await redis.hgetall(activeKey);
      const active: Record<string, ActiveAlert> = {};
      for (const [id, json] of Object.entries(raw)) {
        try {
          active[id] = JSON.parse(json) as ActiveAlert;
        } catch {
          // an unreadable entry is treated as active since now, so it resolves normally
          active[id] = { since: Date.now(), severity: 'warning', message: id };
        }
      }
      const lastPostedAt: Record<string, number> = {};
      if (currentIds.length) {
        const posted = await redis.mget(...currentIds.map(postedKey));
        currentIds.forEach((id, i) => {
          if (posted[i]) lastPostedAt[id] = Number(posted[i]);
        });
      }
      return { active, lastPostedAt };
    },
    async claimRaise(condition, now, repeatEveryMs) {
      const alert: ActiveAlert = { since: now, severity: condition.severity, message: condition.message };
      if ((await redis.hsetnx(activeKey, condition.id, JSON.stringify(alert))) !== 1) return false;
      await redis.set(postedKey(condition.id), String(now), 'PX', repeatEveryMs);
      return true;
    },
    async claimReminder(id, now, repeatEveryMs) {
      // the posted key expires after the repeat interval, so NX succeeds once per interval
      return (await redis.set(postedKey(id), String(now), 'PX', repeatEveryMs, 'NX')) === 'OK';
    },
    async claimResolve(id) {
      if ((await redis.hdel(activeKey, id)) !== 1) return false;
      await redis.del(postedKey(id));
      return true;
    },
    async hasActive() {
      return (await redis.hlen(activeKey)) > 0;
    },
  };
}

/** This process alone: the fallback while Redis is unreachable (each process then alerts for itself). */
export function memoryAlertStore(): AlertStore {
  const active = new Map<string, ActiveAlert>();
  const posted = new Map<string, number>();
  return {
    async read(currentIds) {
      const lastPostedAt: Record<string, number> = {};
      for (const id of currentIds) {
        const at = posted.get(id);
        if (at !== undefined) lastPostedAt[id] = at;
      }
      return { active: Object.fromEntries(active), lastPostedAt };
    },
    async claimRaise(condition, now) {
      if (active.has(condition.id)) return false;
      active.set(condition.id, { since: now, severity: condition.severity, message: condition.message });
      posted.set(condition.id, now);
      return true;
    },
    async claimReminder(id, now, repeatEveryMs) {
      const at = posted.get(id);
      if (at !== undefined && now - at < repeatEveryMs) return false;
      posted.set(id, now);
      return true;
    },
    async claimResolve(id) {
      posted.delete(id);
      return active.delete(id);
    },
    async hasActive() {
      return active.size > 0;
    },
  };
}
