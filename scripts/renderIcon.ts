// Renders media/icon.svg (the source) to media/icon.png (what the Marketplace and the Extensions view show, 128×128)
// in Debian's Chromium, then re-encodes it losslessly smaller (recompressPng.ts). Run after changing the SVG:
// `npx tsx scripts/renderIcon.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { recompressPng } from './recompressPng';

async function main(): Promise<void> {
  const media = join(__dirname, '..', 'media');
  const svg = readFileSync(join(media, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: true });
    writeFileSync(join(media, 'icon.png'), recompressPng(png));
  } finally {
    await browser.close();
  }
}

void main();
