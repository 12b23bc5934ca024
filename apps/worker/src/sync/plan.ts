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

/** How a lead is written to Zoho: to its known record by id, or matched/inserted by the upsert. */
export type ZohoWrite = 'update' | 'upsert';

/**
 * The identity rule: a lead whose Zoho record is known is written to THAT record by id and never
 * matched again by Email or Phone. Matching it again would, once the lead's email is given later or
 * corrected, find no record with that email and insert a second one for the same person. Only a
 * lead that has no Zoho record yet (a new person) goes through the upsert.
 */
export function zohoWriteFor(lead: { zoho_id: string | null }): ZohoWrite {
  return lead.zoho_id ? 'update' : 'upsert';
}

/**
 * The Zoho calls for a claimed batch: updates by id first, then upserts, each split into rounds as
 * above (by record id for updates, by person for upserts), so every round is one kind of call.
 * Updates go first so that an upsert in the same batch (the same person's new form, say) finds the
 * known record already carrying the newest email instead of inserting a record of its own.
 */
export function planWriteRounds<T>(
  items: T[],
  writeOf: (item: T) => ZohoWrite,
  identityOf: (item: T) => string,
): T[][] {
  const ofKind = (kind: ZohoWrite) => items.filter((item) => writeOf(item) === kind);
  return [
    ...splitSamePersonIntoRounds(ofKind('update'), identityOf),
    ...splitSamePersonIntoRounds(ofKind('upsert'), identityOf),
  ];
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
