// Runs once before every jest run. Filled in by the local-stack work: ensures Redis and Postgres.
export default async function globalSetup(): Promise<void> {}
