/** Saves `text` as a file named `name`, through the browser's download (nothing is uploaded). */
export function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "3 of 4 (75 %)", "– (none)" when there is nothing to count. */
export function fraction(count: number, of: number): string {
  return of === 0 ? '–' : `${count} of ${of} (${Math.round((count / of) * 100)} %)`;
}
