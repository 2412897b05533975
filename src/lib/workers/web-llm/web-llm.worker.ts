import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';
import { reportWorkerRequests } from '../network-channel';

reportWorkerRequests('web-llm worker');

// web-llm's own handler runs the engine and answers engines/llm/web-llm-engine.ts.
const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent) => handler.onmessage(event);
