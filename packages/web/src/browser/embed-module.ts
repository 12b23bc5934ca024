// The ES module build (/embed.mjs): import { attach, send } from 'https://api.example.com/embed.mjs'.
import { createClient } from './client.js';

const client = createClient(import.meta.url);
client.start();

export const attach = client.attach;
export const send = client.send;
export const flush = client.flush;
