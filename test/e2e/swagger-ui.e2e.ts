/**
 * Swagger UI as an editor uses it, in headless Chromium: authorize with a token, create an Arabic article through
 * "Try it out", see the 201, and find the article at its Arabic slug. Leaves test-results/swagger-ui.png.
 */
import { mkdirSync } from 'node:fs'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../helpers/server.js'

// Debian's chromium package; playwright's own browser download cannot run here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SCREENSHOT = 'test-results/swagger-ui.png'

const article = {
  title: 'مكتبة الإسكندرية تفتح أبوابها للقرّاء من جديد',
  body: 'أعادت **مكتبة الإسكندرية** فتح قاعات القراءة بعد أعمال ترميم استمرت عامين.',
  author: 'مراسل صحيفة',
  status: 'published',
  tags: ['ثقافة', 'مصر'],
}
// The spec's slug rules: tashkeel removed, spaces to `-`, Arabic kept.
const expectedSlug = 'مكتبة-الإسكندرية-تفتح-أبوابها-للقراء-من-جديد'

/** Runs in the page: an element's top in page coordinates, which a full-page clip takes. */
function pageTop(element: { getBoundingClientRect(): { top: number } }): number {
  return element.getBoundingClientRect().top + (globalThis as unknown as { scrollY: number }).scrollY
}

describe('Swagger UI at /docs', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  // What the /docs CSP blocked, as Chromium reports it: Swagger UI must need nothing the policy refuses.
  const violations: string[] = []

  beforeAll(async () => {
    server = await startServer()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'ar' })
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('creates an Arabic article through "Try it out" with a token, answered 201 and served at its slug', async () => {
    await page.goto(`${server.baseUrl}/docs`)
    await page.getByRole('heading', { name: /Sahifa API/ }).waitFor()

    // Authorize: the bearer token goes into the dialog, as an editor pastes it.
    await page.locator('button.authorize').first().click()
    const dialog = page.locator('.dialog-ux .modal-ux')
    await dialog.locator('#auth-bearer-value').fill(server.adminToken)
    await dialog.getByRole('button', { name: 'Apply credentials' }).click()
    await dialog.locator('button', { hasText: 'Logout' }).waitFor()
    await dialog.locator('button', { hasText: 'Close' }).click()

    // The createArticle operation, opened, "Try it out", the body typed in, Execute.
    const operation = page.locator('#operations-articles-createArticle')
    await operation.locator('.opblock-summary').click()
    await operation.getByRole('button', { name: 'Try it out' }).click()
    await operation.locator('textarea.body-param__text').fill(JSON.stringify(article, null, 2))
    await operation.getByRole('button', { name: 'Execute' }).click()

    const live = operation.locator('.live-responses-table .response')
    await live.first().waitFor()
    expect(await live.locator('.response-col_status').first().textContent()).toBe('201')
    const shown = JSON.parse(
      (await live.locator('.response-col_description pre').first().textContent()) ?? '',
    )
    expect(shown).toMatchObject({ slug: expectedSlug, title: article.title, status: 'published' })

    // The picture an editor sees: the operation, the body typed in, and the server's 201.
    // Page coordinates, from the Authorize button (now locked) down to the status and the start of the body.
    const [top, answer] = await Promise.all([
      page.locator('.scheme-container').evaluate(pageTop),
      live.locator('.response-col_status').first().evaluate(pageTop),
    ])
    mkdirSync('test-results', { recursive: true })
    await page.screenshot({
      path: SCREENSHOT,
      fullPage: true,
      clip: { x: 0, y: top, width: 1280, height: answer - top + 240 },
    })

    // The article is then served to anyone at its Arabic slug, percent-encoded as a browser sends it.
    const served = await fetch(`${server.baseUrl}/v1/articles/${encodeURIComponent(expectedSlug)}`)
    expect(served.status).toBe(200)
    expect(await served.json()).toMatchObject({ id: shown.id, slug: expectedSlug, title: article.title })
    expect(violations).toEqual([])
  })
})
