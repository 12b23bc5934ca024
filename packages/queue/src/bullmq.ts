import { createRequire } from 'node:module';
import type * as BullMQ from 'bullmq';

type Classes = Pick<typeof BullMQ, 'Job' | 'Queue' | 'QueueEvents' | 'UnrecoverableError'>;

/**
 * The BullMQ classes a producer needs (the API, the CLI), each from its own file. bullmq's index
 * loads all of BullMQ: the Worker, sandboxed processors, flows, the Postgres backend (247 files,
 * ~7 MB of heap, 30-50 ms of every start) where these need 165 files and ~5 MB. A process that
 * also imports 'bullmq' (the worker) gets the very same classes: one file, one module. If a later
 * bullmq moves them, the index is loaded instead: slower to start, the same behaviour.
 */
function classes(): Classes {
  const require = createRequire(import.meta.url);
  try {
    return {
      Job: require('bullmq/dist/cjs/classes/job.js').Job,
      Queue: require('bullmq/dist/cjs/classes/queue.js').Queue,
      QueueEvents: require('bullmq/dist/cjs/classes/queue-events.js').QueueEvents,
      UnrecoverableError: require('bullmq/dist/cjs/classes/errors/unrecoverable-error.js').UnrecoverableError,
    };
  } catch {
    return require('bullmq') as typeof BullMQ;
  }
}

export const { Job, Queue, QueueEvents, UnrecoverableError } = classes();
export type Job = BullMQ.Job;
export type Queue = BullMQ.Queue;
export type QueueEvents = BullMQ.QueueEvents;
export type UnrecoverableError = BullMQ.UnrecoverableError;
