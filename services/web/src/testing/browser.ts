import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { CHROMIUM_ARGS } from '@yishi/projection';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type Stack, startStack } from './stack.ts';

// Browser tests drive Debian's Chromium (installed by .ci/run) with playwright-core: no
// browser download. axe-core runs inside each checked page.

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core');

export const ARTIFACTS = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../test-artifacts/web',
);

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** With the flags the projection service prints its PDFs with. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
} as const;

/** A browser context for one person; CSP is bypassed only so axe-core can be injected. */
export function newContext(browser: Browser, phone = false): Promise<BrowserContext> {
  return browser.newContext({
    ...(phone ? PHONE : { viewport: { width: 1100, height: 900 } }),
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    bypassCSP: true,
  });
}

/**
 * Signs in on the console as a person would: the phone number, the code the development banner
 * shows, and when the registry gives several capacities, the one whose label contains
 * `capacity` (e.g. `以书记员身份`).
 */
export async function signIn(
  page: Page,
  webUrl: string,
  phone: string,
  capacity?: string,
): Promise<void> {
  await page.goto(`${webUrl}/`);
  await page.getByLabel('手机号').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  const banner = page.locator('[data-dev-code]');
  await banner.waitFor();
  const code = (await banner.getAttribute('data-dev-code')) ?? '';
  await page.getByLabel('验证码').fill(code);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
  if (capacity && new URL(page.url()).pathname === '/capacity') {
    await page.getByRole('button', { name: capacity }).click();
    await page.waitForLoadState('domcontentloaded');
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2 A/AA rules) and returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(options: unknown): Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run({
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return result.violations;
  });
  return (violations as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
}

/** Keeps a screenshot of the screen as a test artifact. */
/** What a loaded <img> says of its picture (0 by 0 until it has loaded one). */
export function pictureSize(img: Locator): Promise<{ width: number; height: number }> {
  // Typed here without the DOM's types, which the tests' tsconfig leaves out.
  return img.evaluate((el) => {
    const { naturalWidth, naturalHeight } = el as unknown as Record<string, number>;
    return { width: naturalWidth ?? 0, height: naturalHeight ?? 0 };
  });
}

export async function keepScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A browser test file's running services and Chromium (set once `beforeAll` has run). */
export interface BrowserStack {
  /** Whether Chromium is installed: the file's tests are skipped where it is not. */
  readonly available: boolean;
  stack: Stack;
  browser: Browser;
}

/**
 * Starts the services and Chromium before a file's tests and stops both after them; call it at
 * the top of the file and take `stack` and `browser` from it inside each test.
 */
export function browserStack(): BrowserStack {
  const env = { available: existsSync(CHROMIUM) } as BrowserStack;
  beforeAll(async () => {
    if (!env.available) return;
    env.stack = await startStack(await testDatabaseUrl());
    env.browser = await launchBrowser();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.stack?.stop();
  });
  return env;
}
