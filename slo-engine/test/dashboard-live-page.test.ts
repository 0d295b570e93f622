import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SqliteTrafficSource } from '../src/dashboard/sqlite-traffic-source.ts';
import { writeWithProxySink } from './event-source-seeding.ts';
import { LIVE_SLOS, plannedTraffic, sendTraffic, startEngineServer, startProxyStack, tempDir, type EngineServer, type ProxyStack } from './dashboard-live-stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: the live dashboard test needs Debian's chromium in CI (apt-get install chromium)`);
if (!hasChromium) console.warn(`dashboard-live-page: skipped, ${CHROMIUM} not found (install Debian's chromium to run it)`);

/** The screenshot the README shows; rewritten when LOOKOUT_UPDATE_SCREENSHOT=1. */
const README_SCREENSHOT = fileURLToPath(new URL('../../docs/images/live-dashboard.png', import.meta.url));

function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** The canvas calls the pixel count uses (the test's TypeScript has no DOM library). */
interface Canvas2d {
  readonly width: number;
  readonly height: number;
  getContext(type: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } };
}

/** Pixels of a panel's canvas within 40 of `color` per channel: proof that a series was drawn, not only axes. */
async function pixelsOfColor(page: Page, panel: string, color: string): Promise<number> {
  return page.$eval(
    `[data-panel="${panel}"] canvas`,
    (element, color) => {
      const canvas = element as unknown as Canvas2d;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 200 && Math.abs(data[i]! - r!) < 40 && Math.abs(data[i + 1]! - g!) < 40 && Math.abs(data[i + 2]! - b!) < 40) count++;
      }
      return count;
    },
    color,
  );
}

/** The page's globals the functions run in the browser read (the test's TypeScript has no DOM library). */
interface PageGlobals {
  readonly innerWidth: number;
  readonly document: { readonly documentElement: { readonly scrollWidth: number }; readonly body: { readonly dataset: Record<string, string | undefined> } };
}

/** Whether the page is no wider than the window (no horizontal scrolling). */
function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as PageGlobals;
    return document.documentElement.scrollWidth <= innerWidth;
  });
}

/** Waits until the document matches `selector` (a CSS selector over attributes the page sets). */
async function waitFor(page: Page, selector: string): Promise<void> {
  await page.waitForSelector(selector, { state: 'attached', timeout: 20_000 });
}

/** Waits until the page has refreshed `count` more times. */
async function refreshed(page: Page, count = 1): Promise<void> {
  const now = Number(await page.getAttribute('body', 'data-refreshes')) || 0;
  await page.waitForFunction((target) => Number((globalThis as unknown as PageGlobals).document.body.dataset.refreshes ?? '0') >= target, now + count, { timeout: 20_000 });
}

describe.skipIf(!hasChromium)('the live dashboard in headless Chromium, over a proxy with traffic', () => {
  const temp = tempDir('lookout-live-page-');
  let stack: ProxyStack;
  let engine: EngineServer;
  let browser: Browser;
  let statuses: number[];

  beforeAll(async () => {
    stack = await startProxyStack(temp.dir);
    statuses = await sendTraffic(stack.proxy.url, plannedTraffic(), { durationMs: 15_000, concurrency: 8 });
    // Every request is in the proxy's store before the engine and the page look at it.
    const traffic = new SqliteTrafficSource({ path: stack.eventsFile });
    const until = Date.now() + 15_000;
    let total = 0;
    while (total < statuses.length && Date.now() < until) {
      const now = Date.now();
      total = (await traffic.traffic({ from: now - 600_000, to: now + 1_000, stepMs: 1_000, now })).total;
      if (total < statuses.length) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await traffic.close();
    expect(total).toBe(statuses.length);
    engine = await startEngineServer({ eventsFile: stack.eventsFile, stateDir: temp.dir, slos: LIVE_SLOS });
    browser = await launch();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await engine?.stop();
    await stack?.stop();
    temp.remove();
  });

  test('shows every SLO state with its text, the state changes and non-empty traffic charts; screenshot', async () => {
    expect(statuses.filter((status) => status === 503)).toHaveLength(12);
    expect(statuses.filter((status) => status === 404)).toHaveLength(5);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${engine.url}/?range=1m`);

    // The engine ticks every second: wait for the states the traffic decides.
    await waitFor(page, '[data-slo="shop-availability"][data-status="RED"]');
    await refreshed(page);

    const cards = await page.$$eval('#slo-cards [data-slo]', (nodes) =>
      nodes.map((node) => ({ name: node.getAttribute('data-slo'), status: node.getAttribute('data-status'), badge: node.querySelector('.badge')!.textContent, pending: node.querySelector('.pending')?.textContent ?? null })),
    );
    expect(cards).toEqual([
      { name: 'api-availability', status: 'GREEN', badge: '✓ GREEN', pending: null },
      { name: 'checkout-availability', status: 'ORANGE', badge: '▲ ORANGE', pending: null },
      { name: 'shop-availability', status: 'RED', badge: '✖ RED', pending: null },
      { name: 'slow-latency', status: 'GREEN', badge: '✓ GREEN', pending: expect.stringMatching(/^Pending RED: level at or above 100 % for \d+s/) },
      { name: 'ghost-availability', status: 'NODATA', badge: '○ NO DATA', pending: null },
    ]);
    // Level as a percentage: checkout's 12 failures of 100 against a 14 % budget.
    expect(await page.textContent('[data-slo="checkout-availability"] dl')).toContain('85.7 %');

    const transitions = await page.$$eval('#transitions li[data-slo]', (items) => items.map((item) => item.textContent));
    expect(transitions.some((text) => text!.includes('shop-availability') && text!.includes('RED'))).toBe(true);
    expect(transitions.some((text) => text!.includes('checkout-availability') && text!.includes('ORANGE'))).toBe(true);

    // Traffic: every chart drawn from data, with series pixels on its canvas.
    for (const panel of ['rate', 'latency', 'status-classes', 'terminations', 'bytes', 'phases']) {
      const figure = await page.$eval(`[data-panel="${panel}"]`, (node) => ({ state: node.getAttribute('data-state'), points: Number(node.getAttribute('data-points')), drawn: Number(node.getAttribute('data-drawn') ?? 0) }));
      expect(figure, panel).toMatchObject({ state: 'ok' });
      expect(figure.points, panel).toBeGreaterThan(0);
      expect(figure.drawn, panel).toBeGreaterThan(0);
    }
    expect(await pixelsOfColor(page, 'rate', '#0072B2')).toBeGreaterThan(30);
    expect(await pixelsOfColor(page, 'status-classes', '#009E73')).toBeGreaterThan(30);
    expect(await pixelsOfColor(page, 'status-classes', '#D55E00')).toBeGreaterThan(0);
    expect(await page.$$eval('[data-panel="terminations"] .u-legend .u-series', (rows) => rows.map((row) => row.textContent))).toEqual(expect.arrayContaining([expect.stringContaining('no_route')]));
    // The rate chart spans many buckets (requests paced over 15 s, 1 s buckets).
    const busyBuckets = await page.evaluate(async () => {
      const body = (await (await fetch('api/traffic?range=1m')).json()) as { rate: { values: number[] }[] };
      return body.rate[0]!.values.filter((value) => value > 0).length;
    });
    expect(busyBuckets).toBeGreaterThanOrEqual(10);

    const uris = await page.$$eval('[data-panel="top-uris"] tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    expect(uris[0]).toEqual(['/checkout', '100', '12', expect.stringMatching(/ms$/), expect.stringMatching(/B$/)]);
    const members = await page.$$eval('[data-panel="members"] tbody tr', (rows) => rows.map((row) => row.querySelector('td')!.textContent));
    expect(members.sort()).toEqual(stack.upstreams.map((upstream) => upstream.url).sort());
    expect(await page.textContent('#kpi-requests .value')).toBe(String(statuses.length));
    expect(await page.textContent('#kpi-failed .value')).toMatch(/^17 \(/); // 12 upstream 503s, 5 no-route 404s
    expect(await page.isHidden('#banner')).toBe(true);
    expect(await page.textContent('#updated')).toMatch(/^\d\d:\d\d:\d\d/);
    expect(await page.textContent('#store')).toContain(stack.eventsFile);

    // Readable on the laptop screen: nothing wider than the window.
    expect(await fitsWidth(page)).toBe(true);
    const screenshot = join(temp.dir, 'live-dashboard-1366.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    if (process.env.LOOKOUT_UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      copyFileSync(screenshot, README_SCREENSHOT);
    }

    await page.setViewportSize({ width: 1920, height: 1080 });
    await refreshed(page);
    expect(await fitsWidth(page)).toBe(true);
    await page.screenshot({ path: join(temp.dir, 'live-dashboard-1920.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test('keeps the last data on screen and shows a banner when the engine stops answering', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${engine.url}/?range=5m`);
    await waitFor(page, '[data-panel="rate"][data-state="ok"]');
    await engine.stop();
    await page.waitForSelector('#banner:not([hidden])', { timeout: 20_000 });
    const banner = await page.textContent('#banner');
    expect(banner).toContain('UNREACHABLE');
    expect(banner).toMatch(/Showing data from \d\d:\d\d:\d\d/);
    expect(await page.getAttribute('[data-panel="rate"]', 'data-state')).toBe('ok');
    expect(await page.getAttribute('[data-slo="shop-availability"]', 'data-status')).toBe('RED');
    await page.screenshot({ path: join(temp.dir, 'live-dashboard-failing.png') });
    await page.close();
  }, 60_000);
});

describe.skipIf(!hasChromium)('the live dashboard in headless Chromium, over an empty store', () => {
  const temp = tempDir('lookout-live-empty-');
  let browser: Browser;
  afterAll(async () => {
    await browser?.close();
    temp.remove();
  });

  const expectNoDataPanels = async (page: Page): Promise<string[]> => {
    const panels = await page.$$eval('[data-panel]', (nodes) => nodes.map((node) => ({ panel: node.getAttribute('data-panel'), state: node.getAttribute('data-state'), text: node.querySelector('.nodata')?.textContent ?? '' })));
    expect(panels).toHaveLength(8);
    for (const panel of panels) {
      expect(panel, panel.panel!).toMatchObject({ state: 'nodata', text: expect.stringMatching(/^No data/) });
    }
    return panels.map((panel) => panel.text);
  };

  test('an empty events table: every traffic panel says "no data", every SLO NO DATA, no error anywhere', async () => {
    const eventsFile = join(temp.dir, 'empty.sqlite');
    await writeWithProxySink(eventsFile, []);
    const engine = await startEngineServer({ eventsFile, stateDir: temp.dir, slos: LIVE_SLOS });
    browser ??= await launch();
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${engine.url}/`);
    // Cards and panels are drawn by the same refresh.
    await waitFor(page, '#slo-cards [data-slo]:nth-child(5)');
    const texts = await expectNoDataPanels(page);
    expect(texts[0]).toContain('No requests in this time range');
    const statuses = await page.$$eval('#slo-cards [data-slo]', (nodes) => nodes.map((node) => [node.getAttribute('data-status'), node.querySelector('.badge')!.textContent]));
    expect(statuses).toEqual(Array.from({ length: 5 }, () => ['NODATA', '○ NO DATA']));
    expect(await page.$$('.card .failure')).toHaveLength(0);
    expect(await page.textContent('#transitions')).toContain('No state changes yet');
    expect(await page.isHidden('#banner')).toBe(true);
    expect(await page.textContent('#kpi-requests .value')).toBe('0');
    await page.screenshot({ path: join(temp.dir, 'live-dashboard-empty.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
    await engine.stop();
  }, 60_000);

  test('no events file yet: the traffic panels say the proxy has not created it, not an error', async () => {
    const eventsFile = join(temp.dir, 'not-yet.sqlite');
    const engine = await startEngineServer({ eventsFile, stateDir: join(temp.dir, 'state-2'), slos: LIVE_SLOS });
    browser ??= await launch();
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${engine.url}/`);
    await waitFor(page, '#slo-cards [data-slo]:nth-child(5)');
    const texts = await expectNoDataPanels(page);
    expect(texts.every((text) => text.includes(`no embedded event store at ${eventsFile} yet`))).toBe(true);
    expect(await page.isHidden('#banner')).toBe(true);
    await page.close();
    await engine.stop();
  }, 60_000);
});
