/**
 * The files in a drop or a chosen folder: files as they are, folders walked to the bottom.
 * Hidden files and folders (a name starting with “.”) and macOS's __MACOSX folders are left out.
 * A file inside a folder is named by its path from the folder that was dropped, e.g.
 * “course/week 1/notes.md”, so two notes.md in different folders stay apart.
 */

/** The parts of FileSystemEntry a walk needs; tests give plain objects. */
export interface Entry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
}
interface FileEntry extends Entry {
  file(success: (file: File) => void, failure?: (error: DOMException) => void): void;
}
interface DirectoryEntry extends Entry {
  createReader(): {
    readEntries(success: (entries: Entry[]) => void, failure?: (error: DOMException) => void): void;
  };
}

export function isHidden(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX';
}

/** `file` under another name (its bytes are not copied). */
function renamed(file: File, name: string): File {
  return name === file.name
    ? file
    : new File([file], name, { type: file.type, lastModified: file.lastModified });
}

/**
 * What a drop holds, as entries or files. Call it during the drop event: the DataTransfer is
 * emptied once the event has been handled.
 */
export function dropItems(data: DataTransfer): (Entry | File)[] {
  const items: (Entry | File)[] = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    const file = entry ? null : item.getAsFile();
    if (entry) items.push(entry);
    else if (file) items.push(file);
  }
  // Without DataTransferItems (old browsers), only the files themselves.
  return items.length > 0 || data.items.length > 0 ? items : Array.from(data.files);
}

/** Every file under the dropped items, folders walked in name order. */
export async function collectFiles(items: (Entry | File)[]): Promise<File[]> {
  const files: File[] = [];
  for (const item of items) {
    if (item instanceof File) files.push(item);
    else await walk(item, '', files);
  }
  return files;
}

async function walk(entry: Entry, prefix: string, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileEntry).file(resolve, reject),
    );
    out.push(renamed(file, prefix + file.name));
  } else if (entry.isDirectory) {
    const reader = (entry as DirectoryEntry).createReader();
    const children: Entry[] = [];
    // readEntries answers in batches (100 at a time in Chromium) until an empty one.
    for (;;) {
      const batch = await new Promise<Entry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) break;
      children.push(...batch);
    }
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      if (!isHidden(child.name)) await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

/** The files of a folder chosen with `<input webkitdirectory>`, hidden ones left out. */
export function folderFiles(files: Iterable<File>): File[] {
  const kept: File[] = [];
  for (const file of files) {
    const path = file.webkitRelativePath || file.name;
    if (path.split('/').some(isHidden)) continue;
    kept.push(renamed(file, path));
  }
  return kept;
}
