/**
 * Debian's chromium for browser tests (playwright-core; no browser downloads here): the UI built
 * first when missing or older than its sources, and a headless persistent context on a fresh
 * profile with nothing talking to the network on its own.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { WEBMAIL_DIST } from '../../src/web/api/web-role.ts';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url);

/** Why browser tests cannot run here, or false. */
export const noBrowser = (): string | false => !existsSync(CHROMIUM) && `${CHROMIUM} is not installed`;

/** No build, or a source file newer than it (a stale build would test old code). */
export function isBuildStale(): boolean {
  const index = join(WEBMAIL_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const src = new URL('src/web/ui/', ROOT).pathname;
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .some((e) => e.isFile() && !e.parentPath.includes('/dist') && statSync(join(e.parentPath, e.name)).mtimeMs > built);
}

export function ensureUiBuilt(): void {
  if (isBuildStale()) execFileSync('npm', ['run', 'build:ui'], { cwd: ROOT, stdio: 'inherit' });
}

export interface Browser {
  ctx: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface LaunchOptions {
  locale?: string;
  width?: number;
  height?: number;
  acceptDownloads?: boolean;
  /** More chromium switches, e.g. '--host-resolver-rules=MAP tracker.test 127.0.0.1'. */
  args?: string[];
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'youju-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, locale: opts.locale ?? 'zh-CN', timezoneId: 'Asia/Shanghai',
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 760 }, acceptDownloads: opts.acceptDownloads ?? false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', ...(opts.args ?? [])],
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  // Generous: the suite runs two files at once on two cores, and a neighbour hashing passwords or
  // starting servers can hold a page's first load for many seconds (two flakes at 15 s in full runs).
  page.setDefaultTimeout(30_000);
  return {
    ctx, page,
    async close() {
      await ctx.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Logs in to the webmail in zh-CN (the login page's default) and waits for the shell (its module links; on a phone the folders are in a drawer). */
export async function loginWebmail(page: Page, base: string, address: string, password: string): Promise<void> {
  await page.goto(`${base}/webmail/`);
  await page.getByLabel('邮箱地址', { exact: true }).fill(address);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('navigation', { name: '模块' }).waitFor();
}

/**
 * Compose's 发送, then 立即发送 in the undo-send countdown; waits for 邮件已发送. On a loaded machine
 * the 5-second countdown can run out before the click: the message then goes on its own, which is
 * as good. If neither comes, the error says what compose shows instead (a field's error, say).
 */
export async function sendNow(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^(send )?发送$/ }).click();
  const now = page.getByRole('button', { name: '立即发送' });
  const sent = page.getByText('邮件已发送', { exact: true });
  try {
    await now.or(sent).first().waitFor();
  } catch (err) {
    const shown = await page.locator('.ant-form-item-explain-error, .ant-notification-notice, .ant-message-notice').allInnerTexts().catch(() => []);
    throw new Error(`no undo-send countdown and no 邮件已发送 after 发送; compose shows: ${JSON.stringify(shown)}`, { cause: err });
  }
  if (await sent.isVisible()) return;
  // The toast shows for 3 s: a click that waits longer could miss it if the countdown ends meanwhile.
  await now.click({ timeout: 1_000 }).catch(() => undefined);
  await sent.waitFor();
}
