// Full-page screenshots of pages of a site written by `npg publish`, at a desktop width and a
// phone width, for a person to look at.
//
//   node tests/browser/screenshot.mjs SITE_DIR OUT_DIR index.html forces/kent.html ...
//
// Writes OUT_DIR/<page>-desktop.png and OUT_DIR/<page>-phone.png, where <page> is the page's
// path without `.html` and with `/` as `-` (forces/kent.html → forces-kent-desktop.png).
// Exit 0 when every screenshot is written, 2 otherwise. Same browser as check.mjs.

import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { launchBrowser, siteRoot } from './check.mjs';

const SIZES = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 375, height: 667 } },
];

export function shotName(page, size) {
  return `${page.replace(/\.html$/, '').split('/').join('-')}-${size}.png`;
}

async function main(argv) {
  if (argv.length < 3) {
    console.error('usage: node screenshot.mjs SITE_DIR OUT_DIR PAGE.html [PAGE.html ...]');
    return 2;
  }
  const [siteArg, outDir, ...pages] = argv;
  const root = await siteRoot(siteArg);
  if (root === null) {
    console.error(`screenshot.mjs: ${siteArg} is not a folder`);
    return 2;
  }
  for (const page of pages) {
    try {
      if (!(await stat(path.join(root, page))).isFile()) throw new Error('not a file');
    } catch {
      console.error(`screenshot.mjs: no page ${page} in ${siteArg}`);
      return 2;
    }
  }
  await mkdir(outDir, { recursive: true });
  let browser;
  try {
    browser = await launchBrowser({ deviceScaleFactor: 1 });
  } catch (error) {
    console.error(`screenshot.mjs: could not start Chromium: ${String(error.message).split('\n')[0]}`);
    return 2;
  }
  try {
    for (const page of pages) {
      for (const size of SIZES) {
        const tab = await browser.context.newPage();
        // Nothing is fetched from anywhere but the disk, as in check.mjs.
        await tab.route(/^(https?|wss?):/, (route) => route.abort('blockedbyclient'));
        await tab.setViewportSize(size.viewport);
        await tab.goto(pathToFileURL(path.join(root, page)).href, { waitUntil: 'load' });
        const file = path.join(outDir, shotName(page, size.name));
        await tab.screenshot({ path: file, fullPage: true });
        console.log(file);
        await tab.close();
      }
    }
  } finally {
    await browser.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`screenshot.mjs: ${error && error.stack ? error.stack : error}`);
    process.exit(2);
  },
);
