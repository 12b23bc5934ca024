/** Pure decisions of the sync path: how a claimed batch is split into Zoho calls, and when a lead is tried again. */

/**
 * What Zoho does with two records of the same person in one upsert call is not documented, so a
 * person's second lead in a batch goes into a later call: every call holds each person (by the
 * value of their duplicate-check field) at most once, and Zoho ends with one record per person.
 * Order is kept within each round.
 */
export function splitSamePersonIntoRounds<T>(items: T[], identityOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const occurrences = new Map<string, number>();
  for (const item of items) {
    const identity = identityOf(item).toLowerCase();
    const round = occurrences.get(identity) ?? 0;
    occurrences.set(identity, round + 1);
    if (!rounds[round]) rounds[round] = [];
    rounds[round].push(item);
  }
  return rounds;
}

/**
 * Exponential backoff with "full jitter" (AWS architecture blog): a random delay up to
 * base · 2^(attempt-1), capped. Spreads the retries of many leads instead of synchronising them.
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
