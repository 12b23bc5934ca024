// The classic <script> build (/embed.js): esbuild wraps it as an IIFE assigned to window.leadsync.
import { createClient } from './client.js';

// Read while the script runs: currentScript is null once it has finished.
const script = document.currentScript as HTMLScriptElement | null;
const client = createClient(script?.src || location.href);
client.start();

export const attach = client.attach;
export const send = client.send;
export const flush = client.flush;
