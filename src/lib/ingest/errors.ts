/**
 * Why a file could not be added. Each message names the file, says what is wrong and what to do;
 * the interface shows it as it is, so it must read well on its own.
 */

import { formatBytes } from '../core/text/format';

/** Every error reading a file carries the file's name. */
export class DocumentReadError extends Error {
  override name = 'DocumentReadError';
  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(message);
  }
}

/** A type Grounded does not read: an image, an archive, a program, a spreadsheet… */
export class UnsupportedFormatError extends DocumentReadError {
  override name = 'UnsupportedFormatError';
}

export class EmptyDocumentError extends DocumentReadError {
  override name = 'EmptyDocumentError';
}

/** Binary data (a program, an image, …) under a name that promises text. */
export class BinaryContentError extends DocumentReadError {
  override name = 'BinaryContentError';
}

/** The file is the right type but damaged, truncated or not what its name says. */
export class CorruptDocumentError extends DocumentReadError {
  override name = 'CorruptDocumentError';
}

/** The file opened but holds no text: a scanned PDF, a document of images. */
export class NoTextError extends DocumentReadError {
  override name = 'NoTextError';
}

export class PasswordProtectedError extends DocumentReadError {
  override name = 'PasswordProtectedError';
  constructor(fileName: string) {
    super(
      fileName,
      `“${fileName}” is protected by a password, so its text cannot be read. ` +
        'Open it with the password, save or print a copy without one, and add that.',
    );
  }
}

export class FileTooLargeError extends DocumentReadError {
  override name = 'FileTooLargeError';
  constructor(fileName: string, size: number, maxBytes: number) {
    super(
      fileName,
      `“${fileName}” is ${formatBytes(size)}, more than the ${formatBytes(maxBytes)} a document may be. ` +
        'Split it into smaller files and add those.',
    );
  }
}
