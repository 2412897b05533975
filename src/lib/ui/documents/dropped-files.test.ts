import { describe, expect, test } from 'vitest';
import { collectFiles, folderFiles, type Entry } from './dropped-files';

/** A FileSystemEntry tree as the drop gives it; directories answer in batches of `batch`. */
function fileEntry(name: string, text = name): Entry {
  return {
    name,
    isFile: true,
    isDirectory: false,
    file: (success: (file: File) => void) => success(new File([text], name)),
  } as Entry;
}
function dirEntry(name: string, children: Entry[], batch = 2): Entry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (success: (entries: Entry[]) => void) => {
          success(children.slice(at, at + batch));
          at += batch;
        },
      };
    },
  } as Entry;
}

describe('collectFiles', () => {
  test('walks folders to the bottom, names files by their path, leaves hidden ones out', async () => {
    const dropped = [
      dirEntry('course', [
        fileEntry('syllabus.md'),
        fileEntry('.DS_Store'),
        dirEntry('week 1', [fileEntry('notes.md', 'week one'), fileEntry('.notes.md.swp')]),
        dirEntry('.git', [fileEntry('config')]),
        dirEntry('__MACOSX', [fileEntry('._syllabus.md')]),
        dirEntry('week 2', [fileEntry('notes.md', 'week two')]),
      ]),
      new File(['loose'], 'loose.txt'),
    ];
    const files = await collectFiles(dropped);
    expect(files.map((f) => f.name)).toEqual([
      'course/syllabus.md',
      'course/week 1/notes.md',
      'course/week 2/notes.md',
      'loose.txt',
    ]);
    expect(await files[2]!.text()).toBe('week two');
  });

  test('reads a folder of thousands of entries, batch after batch', async () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      fileEntry(`n${String(i).padStart(4, '0')}.txt`),
    );
    const files = await collectFiles([dirEntry('notes', many, 100)]);
    expect(files).toHaveLength(2500);
    expect(files[0]!.name).toBe('notes/n0000.txt');
  });
});

describe('folderFiles', () => {
  test('names files by their relative path and leaves hidden ones out', () => {
    const chosen = (path: string) => {
      const file = new File(['x'], path.split('/').at(-1)!);
      Object.defineProperty(file, 'webkitRelativePath', { value: path });
      return file;
    };
    const files = folderFiles([
      chosen('course/a.md'),
      chosen('course/.hidden/b.md'),
      chosen('course/sub/.c.md'),
      chosen('course/sub/d.md'),
    ]);
    expect(files.map((f) => f.name)).toEqual(['course/a.md', 'course/sub/d.md']);
  });
});
