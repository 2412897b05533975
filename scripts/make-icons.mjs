#!/usr/bin/env node
/**
 * Renders the app's PNG icons (web app manifest) from the favicon's drawing with Debian's
 * Chromium, so no image library is needed: `node scripts/make-icons.mjs`. The maskable icon
 * fills the whole square and keeps the glyph inside the central 80 % safe zone.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const favicon = await readFile(`${root}static/favicon.svg`, 'utf8');
const glyph = favicon.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
const background = /<rect[^>]*fill="([^"]+)"/.exec(favicon)?.[1] ?? '#1f5f4a';

/**
 * The favicon as is (rounded square on transparency), or full-bleed with the glyph scaled down.
 * @param {boolean} maskable
 */
function svg(maskable) {
  if (!maskable) return favicon;
  const inner = glyph.replace(/<rect[^>]*\/>/, '');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
    `<rect width="32" height="32" fill="${background}"/>` +
    `<g transform="translate(16 16) scale(0.75) translate(-16 -16)">${inner}</g></svg>`
  );
}

const icons = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
];

await mkdir(`${root}static/icons`, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  for (const { file, size, maskable } of icons) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const source = svg(maskable).replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block}</style>${source}`,
    );
    await page.screenshot({
      path: `${root}static/icons/${file}`,
      omitBackground: true,
      clip: { x: 0, y: 0, width: size, height: size },
    });
    await page.close();
    console.log(`static/icons/${file}`);
  }
} finally {
  await browser.close();
}
