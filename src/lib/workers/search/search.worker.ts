import { KnowledgeBase } from '../../storage/knowledge-base';
import { reportWorkerRequests } from '../network-channel';
import { serve, type Endpoint } from '../rpc';

reportWorkerRequests('search worker');
import { createSearchHandlers } from './handler';
import type { SearchMethods } from './protocol';

// A DedicatedWorkerGlobalScope; the DOM library types `self` as a Window.
const workerScope = self as unknown as Endpoint;

serve<SearchMethods>(
  workerScope,
  createSearchHandlers({ openKnowledgeBase: () => KnowledgeBase.open() }),
);
