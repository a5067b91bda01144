// Renders the Orleans Dashboard in Debian's Chromium, headless, and waits until the page shows every expected text
// (values it can only have read from the silos' live data). Loopback only: any other request is refused.
//   node Tests/Dashboard/render-dashboard.mjs <dashboard url> <screenshot.png> <expected text>...
// Prints one JSON line: whether every text appeared, the page's text, and the requests refused or failed.
import { chromium } from 'playwright-core';

const [url, screenshot, ...expected] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
const result = { rendered: false, text: '', refused: [], failed: [] };
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.route('**/*', route => {
    const requested = new URL(route.request().url());
    if (requested.hostname === '127.0.0.1') {
      return route.continue();
    }
    result.refused.push(requested.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('requestfailed', request => result.failed.push(request.url()));
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction(
      texts => texts.every(text => document.body.innerText.includes(text)), expected, { timeout: 60_000, polling: 250 });
    result.rendered = true;
  } finally {
    result.text = await page.evaluate(() => document.body.innerText);
    await page.screenshot({ path: screenshot, fullPage: true });
  }
} catch (error) {
  result.error = String(error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
