import { describe, expect, test } from 'vitest';
import {
  RemoteError,
  RpcClient,
  serve,
  Transfer,
  type FromWorker,
  type Handlers,
  type ToWorker,
} from './rpc';

type TestMethods = {
  echo: { request: { text: string }; result: { text: string }; progress: never };
  count: { request: { to: number }; result: number; progress: { at: number } };
  wait: { request: Record<string, never>; result: 'finished'; progress: never };
  fail: { request: Record<string, never>; result: never; progress: never };
  bytes: { request: { n: number }; result: Float32Array; progress: never };
};

function pair(handlers: Handlers<TestMethods>) {
  const { port1, port2 } = new MessageChannel();
  const sent: unknown[] = [];
  const received: unknown[] = [];
  port2.addEventListener('message', (e) => sent.push(e.data));
  port1.addEventListener('message', (e) => received.push(e.data));
  const stop = serve<TestMethods>(port2, handlers);
  const client = new RpcClient<TestMethods>(port1);
  return {
    client,
    sent,
    received,
    close() {
      stop();
      client.dispose();
      port1.close();
      port2.close();
    },
  };
}

const handlers: Handlers<TestMethods> = {
  echo: async ({ text }) => ({ text }),
  async count({ to }, { progress }) {
    for (let at = 1; at <= to; at++) progress({ at });
    return to;
  },
  wait: (_payload, { signal }) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('finished'), 5_000);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    }),
  async fail() {
    const error = new Error('The model file is missing.');
    error.name = 'EmbeddingModelLoadError';
    throw error;
  },
  async bytes({ n }) {
    const data = new Float32Array(n).fill(0.5);
    return new Transfer(data, [data.buffer]);
  },
};

describe('worker rpc', () => {
  test('a request and its answer have exactly the documented shapes', async () => {
    const { client, sent, received, close } = pair(handlers);
    expect(await client.call('echo', { text: 'hello' })).toEqual({ text: 'hello' });
    expect(sent).toEqual([
      { id: 1, type: 'echo', payload: { text: 'hello' } },
    ] satisfies ToWorker<TestMethods>[]);
    expect(received).toEqual([
      { id: 1, type: 'result', payload: { text: 'hello' } },
    ] satisfies FromWorker<TestMethods>[]);
    close();
  });

  test('progress events arrive in order before the result', async () => {
    const { client, received, close } = pair(handlers);
    const seen: number[] = [];
    const result = await client.call('count', { to: 3 }, { onProgress: (p) => seen.push(p.at) });
    expect(result).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(received.map((m) => (m as { type: string }).type)).toEqual([
      'progress',
      'progress',
      'progress',
      'result',
    ]);
    close();
  });

  test('errors cross as { name, message } data and are rethrown with their name', async () => {
    const { client, received, close } = pair(handlers);
    const error = await client.call('fail', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      name: 'EmbeddingModelLoadError',
      message: 'The model file is missing.',
    });
    expect(received).toEqual([
      {
        id: 1,
        type: 'error',
        error: { name: 'EmbeddingModelLoadError', message: 'The model file is missing.' },
      },
    ]);
    close();
  });

  test('aborting rejects at once and tells the worker to stop', async () => {
    const { client, sent, received, close } = pair(handlers);
    const controller = new AbortController();
    const pending = client.call('wait', {}, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => received.length).toBe(1);
    expect(sent).toEqual([
      { id: 1, type: 'wait', payload: {} },
      { id: 1, type: 'abort' },
    ]);
    // The worker's handler saw the abort and answered with an AbortError, which is dropped.
    expect(received).toEqual([
      { id: 1, type: 'error', error: { name: 'AbortError', message: expect.any(String) } },
    ]);
    close();
  });

  test('an already aborted signal sends nothing', async () => {
    const { client, sent, close } = pair(handlers);
    await expect(
      client.call('echo', { text: 'x' }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent).toEqual([]);
    close();
  });

  test('concurrent requests are matched to their answers by id', async () => {
    const { client, close } = pair(handlers);
    const answers = await Promise.all(['a', 'b', 'c'].map((text) => client.call('echo', { text })));
    expect(answers.map((a) => a.text)).toEqual(['a', 'b', 'c']);
    close();
  });

  test('unknown request types get an error, not silence', async () => {
    const { client, close } = pair({
      ...handlers,
      echo: undefined,
    } as unknown as Handlers<TestMethods>);
    await expect(client.call('echo', { text: 'x' })).rejects.toMatchObject({
      name: 'TypeError',
      message: 'Unknown request “echo”.',
    });
    close();
  });

  test('transferred results arrive intact', async () => {
    const { client, close } = pair(handlers);
    const data = await client.call('bytes', { n: 4 });
    expect(Array.from(data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    close();
  });

  test('failAll rejects every request in flight (a crashed worker)', async () => {
    const { client, close } = pair(handlers);
    const pending = client.call('wait', {});
    client.failAll(new Error('The embedding worker stopped unexpectedly.'));
    await expect(pending).rejects.toThrow('stopped unexpectedly');
    close();
  });
});
