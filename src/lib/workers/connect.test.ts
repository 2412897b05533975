import { describe, expect, test } from 'vitest';
import { connect, WorkerCrashedError, type ConnectableWorker, type WorkerSpec } from './connect';
import { serve } from './rpc';

type Methods = { echo: { request: string; result: string; progress: never } };

const SPEC: WorkerSpec = {
  bundleUrl: '/assets/embed.worker.js',
  name: 'grounded-embed',
  label: 'the embedding worker',
  advice: 'Reload the page to start it again; your documents are safe.',
};

/** A worker that answers over a MessageChannel and can be made to crash like a real one. */
class FakeWorker extends EventTarget {
  readonly channel = new MessageChannel();
  terminated = false;

  constructor() {
    super();
    this.channel.port1.addEventListener('message', (event) =>
      this.dispatchEvent(new MessageEvent('message', { data: event.data })),
    );
    this.channel.port1.start();
  }

  postMessage(message: unknown): void {
    this.channel.port1.postMessage(message);
  }

  crash(message: string): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message }));
  }

  terminate(): void {
    this.terminated = true;
    this.channel.port1.close();
    this.channel.port2.close();
  }
}

function started(): { worker: FakeWorker; start: (spec: WorkerSpec) => ConnectableWorker } {
  const worker = new FakeWorker();
  const start = (spec: WorkerSpec) => {
    expect(spec).toBe(SPEC);
    return worker as unknown as ConnectableWorker;
  };
  return { worker, start };
}

describe('connect', () => {
  test('speaks the worker protocol', async () => {
    const { worker, start } = started();
    serve<Methods>(worker.channel.port2, { echo: async (text) => `echo: ${text}` });
    const { client, terminate } = connect<Methods>(SPEC, () => {}, start);
    await expect(client.call('echo', 'hi')).resolves.toBe('echo: hi');
    terminate();
    expect(worker.terminated).toBe(true);
  });

  test('a crash rejects every request in flight and tells the page which worker and what to do', async () => {
    const { worker, start } = started();
    serve<Methods>(worker.channel.port2, { echo: () => new Promise<string>(() => {}) });
    const crashes: WorkerCrashedError[] = [];
    const { client } = connect<Methods>(SPEC, (error) => crashes.push(error), start);
    const pending = client.call('echo', 'hi');
    worker.crash('Out of memory');

    const expected =
      'The embedding worker stopped unexpectedly (Out of memory). Reload the page to start it ' +
      'again; your documents are safe.';
    await expect(pending).rejects.toThrow(expected);
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
    expect(crashes.map((e) => [e.worker, e.message])).toEqual([['the embedding worker', expected]]);
    worker.terminate();
  });

  test('a crash without a message still names the worker', () => {
    const error = new WorkerCrashedError('the search worker', '', 'Reload the page.');
    expect(error.message).toBe('The search worker stopped unexpectedly. Reload the page.');
  });
});
