import { dropTestTemplate } from '@leadsync/local-stack';

/** Drops this run's template database, and stops the Redis that global-setup started, if any. */
export default async function globalTeardown(): Promise<void> {
  await dropTestTemplate();
  await (globalThis as { __leadsyncRedis?: { stop(): Promise<void> } }).__leadsyncRedis?.stop();
}
