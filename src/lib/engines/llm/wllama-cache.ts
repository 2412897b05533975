/**
 * Whether wllama has a GGUF model in its cache (the origin private file system), by the URL it
 * was downloaded from: `loadModelFromUrl` then reads it from there without any request.
 */
export async function isGgufCached(url: string): Promise<boolean> {
  // wllama's module is loaded on demand, as the engine is; reading its cache starts no worker.
  const { ModelManager } = await import('@wllama/wllama/esm/index.js');
  const manager = new ModelManager({ logger: { ...console, debug: () => {}, log: () => {} } });
  // Valid models only: an interrupted download is not one.
  return (await manager.getModels()).some((model) => model.url === url);
}
