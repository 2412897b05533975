/** pdf.js's worker code ships without types; it is imported only for its side effect. */
declare module 'pdfjs-dist/legacy/build/pdf.worker.mjs';
