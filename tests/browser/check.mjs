// Opens every page of a site written by `npg publish` in headless Chromium, from disk, and
// reports what a reader (or a screen reader) would trip over: console errors, failed or
// outside requests, axe-core's serious and critical violations, and the site's own rules
// (lang, one h1, a skip link, internal links that resolve, charts with a title and
// description).
//
//   node tests/browser/check.mjs SITE_DIR
//
// One line a problem, then `checked N pages: M problems`. Exit 0 if none, 1 if any, 2 if
// the check could not run (no such folder, no browser). CHROMIUM names the browser
// (default /usr/bin/chromium, Debian's); playwright-core never downloads one.

import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// Kept off: anything Chromium would fetch for itself (updates, safe browsing, first-run
// pages), so that the only requests are the page's own.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // Lets axe-core read the site's own style sheets from disk (without it axe's request for
  // them is refused as cross-origin and reported as a console error that is not the site's).
  // The page's own fetch and XMLHttpRequest calls are still reported below, since a reader's
  // browser opening the site from disk refuses them.
  '--allow-file-access-from-files',
];

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

/// Launches headless Chromium with a fresh profile of its own (a new temporary folder,
/// removed by `close`). Throws with a plain message if the browser is missing.
export async function launchBrowser(contextOptions = {}) {
  const executablePath = chromiumPath();
  try {
    await stat(executablePath);
  } catch {
    throw new Error(
      `no browser at ${executablePath} (apt-get install chromium, or set CHROMIUM to one)`,
    );
  }
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(path.join(tmpdir(), 'npg-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    ...contextOptions,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/// Every `.html` file under `dir`, as paths relative to it with `/`, sorted by code point
/// (not by locale) so that the order is the same on every machine.
export async function htmlFiles(dir) {
  const found = [];
  async function walk(rel) {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await walk(child);
      } else if (entry.isFile() && entry.name.endsWith('.html')) {
        found.push(child);
      }
    }
  }
  await walk('');
  return found.sort(compare);
}

/// The site folder, resolved (symbolic links too, so that file URLs compare), or null.
export async function siteRoot(arg) {
  try {
    const root = realpathSync(path.resolve(arg));
    return (await stat(root)).isDirectory() ? root : null;
  } catch {
    return null;
  }
}

/// The file a `file://` URL names, if it lies inside `root`; null otherwise.
function fileInside(root, url) {
  let file;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:') return null;
    parsed.hash = '';
    parsed.search = '';
    file = fileURLToPath(parsed);
  } catch {
    return null;
  }
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? file : null;
}

function isInside(root, url) {
  return fileInside(root, url) !== null;
}

/// What the page says about itself, read in the page: the checks that are not axe's.
function pageFacts() {
  const focusable = [
    'a[href]',
    'area[href]',
    'button:not([disabled])',
    'input:not([disabled]):not([type="hidden"])',
    'select:not([disabled])',
    'textarea:not([disabled])',
    'iframe',
    'summary',
    '[tabindex]:not([tabindex="-1"])',
    '[contenteditable=""]',
    '[contenteditable="true"]',
  ].join(',');
  const describe = (el) => {
    if (!el) return 'nothing';
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
    const href = el.getAttribute('href');
    return `<${el.tagName.toLowerCase()}${href !== null ? ` href="${href}"` : ''}> "${text}"`;
  };
  const svgs = [...document.querySelectorAll('svg')].map((svg, i) => {
    const child = (name) => {
      const el = svg.querySelector(`:scope > ${name}`);
      return el !== null && el.textContent.trim() !== '';
    };
    const label = svg.getAttribute('aria-labelledby') || svg.id || `svg #${i + 1}`;
    return { label, title: child('title'), desc: child('desc') };
  });
  return {
    lang: document.documentElement.getAttribute('lang'),
    h1s: document.querySelectorAll('h1').length,
    firstFocusableInSource: describe(document.querySelector(focusable)),
    links: [...document.querySelectorAll('a[href]')].map((a) => ({
      raw: a.getAttribute('href'),
      resolved: a.href,
    })),
    ids: [...document.querySelectorAll('[id]')].map((el) => el.id),
    svgs,
  };
}

/// What Tab first lands on, read after one real key press.
function focusedFacts() {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return { tag: null };
  }
  const href = el.getAttribute('href');
  const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return { tag: el.tagName.toLowerCase(), href, text };
}

// Pages open at once; CHECK_JOBS overrides.
const JOBS = Math.max(1, Number.parseInt(process.env.CHECK_JOBS ?? '4', 10) || 4);

const EXTERNAL_SCHEMES = /^(https?|mailto|tel):/i;

/// Checks one page; returns its problems as [what, detail] pairs.
async function checkPage(context, root, rel, axeSource) {
  const problems = [];
  const add = (what, detail) => problems.push([what, detail]);
  // Each outside address is reported once, whichever listener sees it first.
  const blocked = new Set();
  const outside = (url) => {
    if (!blocked.has(url)) {
      blocked.add(url);
      add('outside request', url);
    }
  };
  const page = await context.newPage();
  // axe-core reads style sheets with XMLHttpRequest itself; those requests are not the page's.
  let axeRunning = false;

  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const where = msg.location();
      const at = where && where.url ? ` (at ${where.url}:${where.lineNumber})` : '';
      add('console error', `${msg.text()}${at}`);
    }
  });
  page.on('pageerror', (error) => add('page error', String(error && error.message)));
  page.on('requestfailed', (request) => {
    if (blocked.has(request.url())) return;
    add('failed request', `${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) {
      add('response error', `${response.url()}: status ${response.status()}`);
    }
  });
  page.on('websocket', (ws) => outside(ws.url()));
  // Every request is seen here first; one that leaves the site's folder is a failure even if
  // it would succeed, and is stopped so that nothing leaves the machine.
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    // data: URLs are part of the page itself, not a request to anywhere.
    if (isInside(root, url) || url.startsWith('data:')) {
      await route.continue();
    } else {
      outside(url);
      await route.abort('blockedbyclient');
    }
  });
  // A request that the route does not see (Chromium serves some file:// loads itself) is
  // still checked here.
  page.on('request', (request) => {
    const url = request.url();
    if (!isInside(root, url) && !url.startsWith('data:')) {
      outside(url);
    } else if (!axeRunning && ['fetch', 'xhr'].includes(request.resourceType())) {
      add('reads a file by script', `${url}: a browser opening the site from disk refuses fetch and XMLHttpRequest`);
    }
  });

  const url = pathToFileURL(path.join(root, rel)).href;
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  } catch (error) {
    add('did not load', String(error.message).split('\n')[0]);
    await page.close();
    return problems;
  }

  const facts = await page.evaluate(pageFacts);
  if (facts.lang !== 'en-GB') {
    add('lang', facts.lang === null ? 'html has no lang (want en-GB)' : `html lang="${facts.lang}" (want en-GB)`);
  }
  if (facts.h1s !== 1) {
    add('h1', `${facts.h1s} h1 elements (want exactly one)`);
  }

  // The skip link: what a keyboard user reaches first, by pressing Tab.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(focusedFacts);
  const ids = new Set(facts.ids);
  if (focused.tag !== 'a' || !focused.href || !focused.href.startsWith('#') || focused.href === '#') {
    const got = focused.tag ? `<${focused.tag}${focused.href !== null ? ` href="${focused.href}"` : ''}> "${focused.text}"` : 'nothing';
    add('skip link', `first Tab reaches ${got}, not a link to #main content (first in source: ${facts.firstFocusableInSource})`);
  } else {
    const target = decodeURIComponent(focused.href.slice(1));
    if (!ids.has(target)) {
      add('skip link', `"${focused.text}" points to #${target}, which is not on the page`);
    }
  }

  for (const { raw, resolved } of facts.links) {
    const href = raw.trim();
    if (href === '' || EXTERNAL_SCHEMES.test(href)) continue;
    if (href.startsWith('#')) {
      // A link within the page: its target must be there (a bare "#" goes nowhere).
      const target = decodeURIComponent(href.slice(1));
      if (target !== '' && !ids.has(target)) {
        add('broken link', `${href}: no element with that id on the page`);
      }
      continue;
    }
    const file = fileInside(root, resolved);
    if (file === null) {
      add('broken link', `${href}: resolves outside the site (${resolved})`);
      continue;
    }
    let found;
    try {
      found = await stat(file);
    } catch {
      found = null;
    }
    if (found === null) {
      add('broken link', `${href}: no such file ${path.relative(root, file).split(path.sep).join('/')}`);
    } else if (!found.isFile()) {
      add('broken link', `${href}: is a folder, not a page`);
    }
  }

  for (const svg of facts.svgs) {
    const missing = [!svg.title && '<title>', !svg.desc && '<desc>'].filter(Boolean);
    if (missing.length > 0) {
      add('svg', `${svg.label} has no ${missing.join(' or ')}`);
    }
  }

  try {
    axeRunning = true;
    // Evaluated through the DevTools protocol rather than added as a <script>, so that a
    // page's Content-Security-Policy (which would refuse an inline script, and log a console
    // error that is not the site's) does not stop the check.
    await page.evaluate(axeSource);
    // The default run: every rule axe ships enabled, none turned off.
    const results = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document);
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }));
    });
    for (const v of results) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        const shown = v.targets.slice(0, 5).join(', ');
        const more = v.targets.length > 5 ? ` and ${v.targets.length - 5} more` : '';
        add(`axe ${v.id} (${v.impact})`, `${v.help}: ${shown}${more}`);
      }
    }
  } catch (error) {
    add('axe', `could not run: ${String(error.message).split('\n')[0]}`);
  }

  await page.close();
  // Listeners fire in whatever order the browser's events arrive: sorted, the report is the
  // same on every run.
  return problems.sort((a, b) => compare(a.join('\u0000'), b.join('\u0000')));
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: node check.mjs SITE_DIR');
    return 2;
  }
  const root = await siteRoot(argv[0]);
  if (root === null) {
    console.error(`check.mjs: ${argv[0]} is not a folder`);
    return 2;
  }
  let axeSource;
  try {
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  } catch {
    console.error('check.mjs: axe-core is not installed: npm ci --prefix tests/browser');
    return 2;
  }
  const pages = await htmlFiles(root);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    console.error(`check.mjs: could not start Chromium: ${String(error.message).split('\n')[0]}`);
    return 2;
  }
  let count = 0;
  try {
    if (pages.length === 0) {
      console.log(`${argv[0]}: no pages: no .html file in the folder`);
      count += 1;
    }
    // A few pages at a time (most of a page's time is waiting on the browser), reported in
    // page order.
    const results = new Array(pages.length);
    let next = 0;
    const worker = async () => {
      while (next < pages.length) {
        const i = next++;
        results[i] = await checkPage(browser.context, root, pages[i], axeSource);
      }
    };
    await Promise.all(Array.from({ length: JOBS }, worker));
    pages.forEach((rel, i) => {
      for (const [what, detail] of results[i]) {
        console.log(`${rel}: ${what}: ${detail}`);
        count += 1;
      }
    });
  } finally {
    await browser.close();
  }
  console.log(`checked ${pages.length} pages: ${count} problems`);
  return count === 0 ? 0 : 1;
}

// Run only as a program, so that screenshot.mjs can share the launcher.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`check.mjs: ${error && error.stack ? error.stack : error}`);
      process.exit(2);
    },
  );
}
