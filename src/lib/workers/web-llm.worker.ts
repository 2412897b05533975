import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

// web-llm's own handler runs the engine and answers engines/llm/web-llm-engine.ts.
const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent) => handler.onmessage(event);
