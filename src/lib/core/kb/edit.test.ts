import { describe, expect, test } from 'vitest';
import { editedVersion, isUnchanged } from './edit';

describe('editedVersion', () => {
  test('text, Markdown and code keep their name and format', () => {
    expect(editedVersion('notes.txt', 'plain', 'plain')).toEqual({
      name: 'notes.txt',
      format: 'plain',
    });
    expect(editedVersion('handbook/leave.md', 'markdown', 'markdown')).toEqual({
      name: 'handbook/leave.md',
      format: 'markdown',
    });
    expect(editedVersion('app.py', 'code', 'code')).toEqual({ name: 'app.py', format: 'code' });
    // No extension: read by its content, as it was.
    expect(editedVersion('README', 'plain', undefined)).toEqual({
      name: 'README',
      format: 'plain',
    });
  });

  test('an extracted format is saved as text under a name that stays recognisable', () => {
    expect(editedVersion('policies/travel.pdf', 'pdf', 'pdf')).toEqual({
      name: 'policies/travel.pdf.txt',
      format: 'plain',
      note:
        '“policies/travel.pdf” is a PDF: its text as extracted is saved as plain text, named ' +
        '“policies/travel.pdf.txt”. Its pages are not kept, so its passages no longer show a ' +
        'page number.',
    });
    expect(editedVersion('guide.docx', 'docx', 'docx')).toEqual({
      name: 'guide.docx.md',
      format: 'markdown',
      note: '“guide.docx” is a Word document: its text as extracted is saved as Markdown, named “guide.docx.md”.',
    });
    expect(editedVersion('page.html', 'html', 'html')).toMatchObject({
      name: 'page.html.md',
      format: 'markdown',
    });
    expect(editedVersion('saved-page', 'html', undefined).name).toBe('saved-page.md');
    expect(editedVersion('staff.csv', 'csv', 'csv')).toMatchObject({
      name: 'staff.csv.txt',
      format: 'plain',
      note: expect.stringContaining('one “column: value” line per field'),
    });
    expect(editedVersion('data.json', 'json', 'json').name).toBe('data.json.txt');
  });

  test('a name that already reads as the saved format is kept; editing again changes nothing more', () => {
    // A PDF someone named .txt: read as a PDF, saved as the text its name promises.
    expect(editedVersion('scan.txt', 'pdf', 'plain')).toEqual({
      name: 'scan.txt',
      format: 'plain',
      note:
        '“scan.txt” is a PDF: its text as extracted is saved as plain text. Its pages are not ' +
        'kept, so its passages no longer show a page number.',
    });
    const once = editedVersion('report.pdf', 'pdf', 'pdf');
    expect(editedVersion(once.name, once.format, 'plain')).toEqual({
      name: 'report.pdf.txt',
      format: 'plain',
    });
  });
});

describe('isUnchanged', () => {
  test('only an edit counts: line breaks a text box turns into line feeds do not', () => {
    expect(isUnchanged('a\nb', 'a\nb')).toBe(true);
    expect(isUnchanged('a\r\nb\rc', 'a\nb\nc')).toBe(true);
    expect(isUnchanged('a\nb', 'a\nb ')).toBe(false);
    expect(isUnchanged('Leave: 25 days', 'Leave: 27 days')).toBe(false);
  });
});
