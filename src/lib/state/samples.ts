interface Manifest {
  version: number;
  documents: { file: string; title: string; description?: string }[];
}

/** The bundled sample corpus (static/samples/) as Files, ready to ingest like the person's own. */
export async function loadSampleFiles(base: string): Promise<File[]> {
  const root = new URL(`${base}samples/`, location.href);
  const fail = (what: string) =>
    new Error(`Could not load the sample documents (${what}). Reload the page and try again.`);
  const response = await fetch(new URL('manifest.json', root)).catch(() => null);
  if (!response?.ok) throw fail(`manifest: ${response ? `HTTP ${response.status}` : 'offline'}`);
  const manifest = (await response.json()) as Manifest;
  return Promise.all(
    manifest.documents.map(async ({ file }) => {
      const r = await fetch(new URL(file, root)).catch(() => null);
      if (!r?.ok) throw fail(`${file}: ${r ? `HTTP ${r.status}` : 'offline'}`);
      const blob = await r.blob();
      return new File([blob], file, { type: blob.type || 'text/plain' });
    }),
  );
}
