/** Stops the Redis that global-setup started, if it had to start one. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __leadsyncRedis?: { stop(): Promise<void> } }).__leadsyncRedis?.stop();
}
