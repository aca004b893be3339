import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, chromium, Locator, Page } from 'playwright-core';
import { ADMIN, startTestApp, TestApp } from '../helpers/test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output');

/**
 * An administrator's path through Swagger UI in a real browser: log in through the login operation (the token
 * lands in Authorize by itself), create a user with "Try it out", disable it, and see that user's login refused.
 */
jest.setTimeout(60_000);

describe('Swagger UI as the admin console', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Opens an operation, presses "Try it out", fills its body and parameters, executes, and returns the response. */
  async function run(
    operationId: string,
    input: { body?: object; params?: Record<string, string> },
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const block: Locator = page.locator(`[id$="-${operationId}"]`);
    if (!(await block.evaluate((element) => element.classList.contains('is-open')))) {
      await block.locator('.opblock-summary-control').click();
    }
    const tryOut = block.getByRole('button', { name: 'Try it out' });
    if (await tryOut.count()) {
      await tryOut.click();
    }
    for (const [name, value] of Object.entries(input.params ?? {})) {
      await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    if (input.body) {
      await block.locator('textarea.body-param__text').fill(JSON.stringify(input.body));
    }
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    const text = await block
      .locator('.live-responses-table .response-col_description pre.microlight')
      .first()
      .textContent();
    const result = {
      status: Number((await status.textContent())?.trim()),
      body: JSON.parse(text ?? '{}') as Record<string, unknown>,
    };
    await block.locator('.btn-clear').click();
    return result;
  }

  /** Keeps a screenshot of the page in test-output/ when a step fails. */
  async function withScreenshot(name: string, steps: () => Promise<void>): Promise<void> {
    try {
      await steps();
    } catch (error) {
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: true });
      throw error;
    }
  }

  it('logs in, authorizes, creates and disables a user, and that user is refused with account_disabled', () =>
    withScreenshot('swagger-ui-admin-path', async () => {
      await page.goto(`${baseUrl}/docs`);
      await page.locator('.information-container').waitFor();

      const loginResult = await run('AuthController_login', {
        body: { username: ADMIN.username, password: ADMIN.password },
      });
      expect(loginResult.status).toBe(200);
      // The token went into Authorize by itself: the Authorize button shows a closed padlock.
      await page.locator('.auth-wrapper .authorize.locked').waitFor();

      const created = await run('UsersController_create', {
        body: { username: 'browser.user', password: 'a browser passphrase', confirmPassword: 'a browser passphrase' },
      });
      expect(created.status).toBe(201);
      const id = String(created.body.id);

      const disabled = await run('UsersController_disable', { params: { id } });
      expect(disabled).toMatchObject({ status: 200, body: { enabled: false } });

      const refused = await run('AuthController_login', {
        body: { username: 'browser.user', password: 'a browser passphrase' },
      });
      expect(refused).toMatchObject({ status: 403, body: { code: 'account_disabled' } });
    }));
});
