import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Router } from 'express';
import { BULL_BOARD_PATH } from './bull-board.js';

/** The board itself; bull-board.ts imports this module on the first authorised request. */
export function board(queues: Queue[], readOnlyMode: boolean, descriptions: Record<string, string>): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode, description: descriptions[queue.name] ?? '' }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'leadsync (read-only)' : 'leadsync', hideDocsLink: true } },
  });
  return serverAdapter.getRouter();
}
