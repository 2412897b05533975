import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import type { ChunkRecord, DocumentRecord } from './documents';
import {
  decodeKbFile,
  encodeKbFile,
  fitOf,
  KB_FILE_VERSION,
  KbFileDamagedError,
  KbFileDimensionError,
  KbFileVersionError,
  NotAKbFileError,
  type KbFileContents,
  type KbFileDocument,
} from './kb-file';

const DIM = 4;
const NAME = 'workshop.grounded';

function doc(id: string, text: string, cuts: [number, number][], hash = '0'): KbFileDocument {
  const chunks: ChunkRecord[] = cuts.map(([start, end], ordinal) => ({
    docId: id,
    ordinal,
    start,
    end,
    text: text.slice(start, end),
    headingPath: ordinal === 0 ? [] : ['Section'],
    tokens: end - start,
  }));
  const document: DocumentRecord = {
    id,
    name: `${id}.md`,
    size: text.length,
    format: 'markdown',
    addedAt: 1_700_000_000_000,
    chunkCount: chunks.length,
    charCount: text.length,
    contentHash: hash.repeat(64),
    modelId: 'grounded-test/tiny-embedder',
    chunking: { targetTokens: 200, overlapTokens: 40 },
    warnings: [],
  };
  const vectors = Float32Array.from({ length: chunks.length * DIM }, (_, i) => i / 7 - 0.5);
  return { document, text, chunks, vectors };
}

const contents = (): KbFileContents => ({
  modelId: 'grounded-test/tiny-embedder',
  dimension: DIM,
  chunking: { targetTokens: 200, overlapTokens: 40 },
  createdAt: 1_700_000_001_000,
  appVersion: '0.1.0',
  documents: [
    doc('alpha', '# Alpha\n\nThe ferry leaves at 23:40. Tickets — £4 ✓.', [
      [0, 7],
      [9, 35],
    ]),
    doc('beta', 'Bees: nine hives.', [[0, 17]]),
    doc('empty-ish', 'x', []),
  ].map((d, i) => ({ ...d, document: { ...d.document, contentHash: String(i).repeat(64) } })),
});

const encoded = () => encodeKbFile(contents());

/** Rewrites the checksum, as a file that was made wrong (not damaged) would have. */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const at = out.length - 32;
  out.set(createHash('sha256').update(out.subarray(0, at)).digest(), at);
  return out;
}

/** The file with its manifest replaced by `packed` and everything after it moved and resealed. */
function withPackedManifest(bytes: Uint8Array, packed: Uint8Array): Uint8Array {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true);
  const vectors = bytes.subarray((20 + length + 3) & ~3, bytes.length - 32);
  const vectorsAt = (20 + packed.length + 3) & ~3;
  const out = new Uint8Array(vectorsAt + vectors.length + 32);
  out.set(bytes.subarray(0, 16));
  new DataView(out.buffer).setUint32(16, packed.length, true);
  out.set(packed, 20);
  out.set(vectors, vectorsAt);
  return resealed(out);
}

/** The file with its manifest JSON edited, resealed. */
function withManifest(bytes: Uint8Array, edit: (m: Record<string, unknown>) => void): Uint8Array {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true);
  const manifest = JSON.parse(gunzipSync(bytes.subarray(20, 20 + length)).toString('utf8'));
  edit(manifest);
  return withPackedManifest(bytes, gzipSync(JSON.stringify(manifest)));
}

describe('encodeKbFile / decodeKbFile', () => {
  test('round trip: records, texts, chunks and vectors come back exactly', async () => {
    const original = contents();
    const bytes = await encodeKbFile(original);
    expect(new TextDecoder().decode(bytes.subarray(0, 12))).toBe('GROUNDED-KB\n');
    const decoded = await decodeKbFile(bytes, NAME);
    expect(decoded.modelId).toBe(original.modelId);
    expect(decoded.dimension).toBe(DIM);
    expect(decoded.chunking).toEqual(original.chunking);
    expect(decoded.createdAt).toBe(original.createdAt);
    expect(decoded.appVersion).toBe('0.1.0');
    expect(decoded.documents).toHaveLength(3);
    for (const [i, d] of decoded.documents.entries()) {
      const o = original.documents[i]!;
      expect(d.document).toEqual(o.document);
      expect(d.text).toBe(o.text);
      expect(d.chunks).toEqual(o.chunks);
      expect(Array.from(d.vectors)).toEqual(Array.from(o.vectors));
    }
  });

  test('a chunk whose text is not its slice of the document keeps its own text', async () => {
    const original = contents();
    original.documents[0]!.chunks[1]!.text = 'cleaned up text';
    const decoded = await decodeKbFile(await encodeKbFile(original), NAME);
    expect(decoded.documents[0]!.chunks[1]!.text).toBe('cleaned up text');
    expect(decoded.documents[0]!.chunks[0]!.text).toBe('# Alpha');
  });

  test('an empty knowledge base makes a valid file', async () => {
    const decoded = await decodeKbFile(await encodeKbFile({ ...contents(), documents: [] }), NAME);
    expect(decoded.documents).toEqual([]);
  });

  test('vectors read from an unaligned buffer are copied, with the same values', async () => {
    const bytes = await encoded();
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const decoded = await decodeKbFile(shifted.subarray(1), NAME);
    expect(Array.from(decoded.documents[1]!.vectors)).toEqual(
      Array.from(contents().documents[1]!.vectors),
    );
  });

  test('vectors that do not match the chunks are refused when writing', async () => {
    const bad = contents();
    bad.documents[1]!.vectors = new Float32Array(DIM * 2);
    await expect(encodeKbFile(bad)).rejects.toThrow(RangeError);
  });
});

describe('decodeKbFile refuses what it cannot trust, naming the file', () => {
  test('one flipped byte anywhere: the checksum says it is damaged', async () => {
    const bytes = await encoded();
    for (const at of [20, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 1]) {
      const corrupt = bytes.slice();
      corrupt[at]! ^= 0x40;
      const error = await decodeKbFile(corrupt, NAME).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KbFileDamagedError);
      expect((error as Error).message).toContain(`“${NAME}” is damaged`);
      expect((error as Error).message).toContain('checksum');
      expect((error as Error).message).toContain('Export it again');
    }
  });

  test('truncated at any length: damaged, never a partial result', async () => {
    const bytes = await encoded();
    for (const length of [5, 12, 16, 40, bytes.length - 33, bytes.length - 1]) {
      const error = await decodeKbFile(bytes.subarray(0, length), NAME).catch((e: unknown) => e);
      expect(error, `length ${length}`).toBeInstanceOf(KbFileDamagedError);
      expect((error as Error).message).toContain(`“${NAME}” is damaged`);
    }
  });

  test('wrong magic: not a knowledge base file', async () => {
    const bytes = await encoded();
    bytes[0] = 'X'.charCodeAt(0);
    await expect(decodeKbFile(bytes, NAME)).rejects.toThrow(NotAKbFileError);
    await expect(decodeKbFile(new TextEncoder().encode('# Notes\n'), 'notes.md')).rejects.toThrow(
      '“notes.md” is not a Grounded knowledge base file',
    );
    await expect(decodeKbFile(new Uint8Array(0), 'empty.grounded')).rejects.toThrow(
      NotAKbFileError,
    );
  });

  test('a newer version: update the app (checked before the checksum)', async () => {
    const bytes = await encoded();
    new DataView(bytes.buffer).setUint32(12, KB_FILE_VERSION + 1, true);
    for (const file of [bytes, resealed(bytes)]) {
      const error = await decodeKbFile(file, NAME).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KbFileVersionError);
      expect((error as Error).message).toContain(
        `“${NAME}” was made by a newer version of Grounded`,
      );
      expect((error as Error).message).toContain('Update the app');
    }
  });

  test('an unknown older version (0): damaged, export it again', async () => {
    const bytes = await encoded();
    new DataView(bytes.buffer).setUint32(12, 0, true);
    const error = await decodeKbFile(resealed(bytes), NAME).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KbFileVersionError);
    expect((error as Error).message).toContain('Export it again');
  });

  test('a dimension that does not match the vector section', async () => {
    const bytes = withManifest(await encoded(), (m) => (m.dimension = DIM * 2));
    await expect(decodeKbFile(bytes, NAME)).rejects.toThrow(KbFileDamagedError);
  });

  test('a vector count that does not match the documents', async () => {
    const bytes = withManifest(await encoded(), (m) => (m.vectorRows = 2));
    await expect(decodeKbFile(bytes, NAME)).rejects.toThrow(/3 vectors, not 2/);
  });

  test('rows that point elsewhere, or chunks past the end of the text', async () => {
    const rows = withManifest(await encoded(), (m) => {
      (m.documents as { rows: number[] }[])[1]!.rows = [0, 1];
    });
    await expect(decodeKbFile(rows, NAME)).rejects.toThrow(/document 2/);
    const past = withManifest(await encoded(), (m) => {
      (m.documents as { chunks: { end: number }[] }[])[0]!.chunks[1]!.end = 10_000;
    });
    await expect(decodeKbFile(past, NAME)).rejects.toThrow(/chunk 2 is not valid/);
  });

  test('a manifest that is not JSON, or JSON of the wrong shape', async () => {
    const base = await encoded();
    for (const packed of [
      gzipSync('{"format": "grounded-knowledge-base", oops'),
      gzipSync(Buffer.from([0xff, 0xfe, 0x7b])),
      Buffer.from('not gzip at all'),
    ]) {
      await expect(decodeKbFile(withPackedManifest(base, packed), NAME)).rejects.toThrow(
        /table of contents cannot be read/,
      );
    }
    for (const edit of [
      (m: Record<string, unknown>) => (m.format = 'zip'),
      (m: Record<string, unknown>) => (m.documents = 'none'),
      (m: Record<string, unknown>) => (m.modelId = 42),
      (m: Record<string, unknown>) => (m.chunking = { targetTokens: 'big' }),
      (m: Record<string, unknown>) => {
        (m.documents as { record: { format: string } }[])[0]!.record.format = 'exe';
      },
      (m: Record<string, unknown>) => {
        (m.documents as { record: { modelId: string } }[])[0]!.record.modelId = 'other/model';
      },
      (m: Record<string, unknown>) => {
        (m.documents as { record: { id: string } }[])[1]!.record.id = 'alpha';
      },
    ]) {
      const error = await decodeKbFile(withManifest(base, edit), NAME).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KbFileDamagedError);
      expect((error as Error).message).toContain(`“${NAME}” is damaged`);
    }
  });

  test('a vector that is not a number', async () => {
    const bytes = await encoded();
    const at = bytes.length - 32 - 4;
    new DataView(bytes.buffer).setFloat32(at, Number.NaN, true);
    await expect(decodeKbFile(resealed(bytes), NAME)).rejects.toThrow(/not a number/);
  });
});

describe('fitOf', () => {
  const file = { modelId: 'grounded-test/tiny-embedder', dimension: DIM };

  test('an empty knowledge base adopts the file’s model', () => {
    expect(fitOf(file, undefined, NAME)).toEqual({ kind: 'adopt' });
  });

  test('the same model and dimension fit as they are', () => {
    expect(fitOf(file, { ...file, createdAt: 0 }, NAME)).toEqual({ kind: 'same' });
  });

  test('another model: both are named, for re-embedding or refusing', () => {
    expect(
      fitOf(file, { modelId: 'Xenova/gte-small', dimension: 384, createdAt: 0 }, NAME),
    ).toEqual({
      kind: 'other-model',
      fileModel: 'grounded-test/tiny-embedder',
      knowledgeBaseModel: 'Xenova/gte-small',
    });
  });

  test('the same model with another dimension is refused', () => {
    expect(() => fitOf(file, { ...file, dimension: DIM * 2, createdAt: 0 }, NAME)).toThrow(
      KbFileDimensionError,
    );
    expect(() => fitOf(file, undefined, NAME, 384)).toThrow(
      `“${NAME}” holds 4-dimensional vectors from grounded-test/tiny-embedder, but that model makes 384`,
    );
  });
});
