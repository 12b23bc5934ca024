/**
 * How much of a token's issued lifetime a safety margin (or a refresh-ahead time) may take. A
 * margin is meant to cover the last moments of a token's life; applied to a token that was issued
 * for less than the margin itself, it declares every fresh token expired, so every call refreshes
 * and Zoho's 10 tokens per 10 minutes are gone within seconds. Capped at a quarter, a fresh token is
 * always used for at least three quarters of its life.
 */
export const MAX_MARGIN_SHARE = 0.25;

/**
 * The margin to apply to a token issued for `issuedLifetimeMs`: the configured one, but never more
 * than MAX_MARGIN_SHARE of that lifetime. An unknown lifetime (a row stored before lifetimes were
 * recorded) keeps the configured margin.
 */
export function effectiveMargin(issuedLifetimeMs: number | null, configuredMarginMs: number): number {
  if (issuedLifetimeMs === null) return configuredMarginMs;
  return Math.min(configuredMarginMs, Math.max(0, issuedLifetimeMs) * MAX_MARGIN_SHARE);
}

/**
 * Whether a token expiring at `expiresAt` (issued at `issuedAt`, null when unknown) has more than
 * `wantedMs` left at `nowMs`, the wanted time capped by effectiveMargin.
 */
export function hasEnoughLeft(expiresAt: Date, issuedAt: Date | null, nowMs: number, wantedMs: number): boolean {
  const issuedLifetimeMs = issuedAt === null ? null : expiresAt.getTime() - issuedAt.getTime();
  return expiresAt.getTime() - nowMs > effectiveMargin(issuedLifetimeMs, wantedMs);
}
