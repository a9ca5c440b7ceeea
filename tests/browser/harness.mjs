// What the real-browser tests (workbench, dashboard, inquiry, records .test.mjs) share: Debian's
// Chromium driven by playwright-core (from web/ui/node_modules), their environment, the
// check/begin/ok reporting, pages that record Content-Security-Policy violations, console errors
// and uncaught errors, signing in and out, stating the purpose of use (利用目的) the workbench asks
// for before the first record is viewed, JSON fetched with a page's cookie, downloads, CSV, and
// the run that reports the failed step, takes screenshots and closes the browser.
//
// Environment read here (run.sh sets it):
//   DANGAN_URL        base URL of the server (http://127.0.0.1:PORT)
//   DANGAN_USER       a user of the workbench;  DANGAN_PASSWORD its password
//   CHROMIUM          the browser (/usr/bin/chromium)
//   DANGAN_ARTIFACTS  if set, screenshots of the pages are written there on failure
import { createRequire } from 'node:module'
import path from 'node:path'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const repo = path.resolve(here, '../..')
const require = createRequire(path.join(repo, 'web/ui/package.json'))
const { chromium } = require('playwright-core')

// The test's name in messages: "workbench.test" for tests/browser/workbench.test.mjs.
const testName = path.basename(process.argv[1] || 'browser.test').replace(/\.mjs$/, '')

// The environment variable `name` (or `def`); exits 2 when neither is set.
export function env(name, def) {
  const v = process.env[name] ?? def
  if (v === undefined || v === '') {
    console.error(`${testName}: ${name} is not set`)
    process.exit(2)
  }
  return v
}
export const base = env('DANGAN_URL').replace(/\/+$/, '')
export const user = env('DANGAN_USER')
export const password = env('DANGAN_PASSWORD')

// --- reporting
export class Failure extends Error {}
export function check(cond, message) {
  if (!cond) throw new Failure(message)
}
let step = ''
export function begin(name) {
  step = name
  console.log(`-- ${name}`)
}
export const ok = (what) => console.log(`ok   ${what}`)

// --- the browser and its pages
const consoleErrors = []
const cspErrors = []
const pageErrors = []

// Records what `page` reports: CSP violations, console errors, uncaught errors.
export function watch(page) {
  page.on('console', (m) => {
    const text = m.text()
    if (/Content[ -]Security[ -]Policy/i.test(text)) cspErrors.push(text)
    if (m.type() === 'error') consoleErrors.push(text)
  })
  page.on('pageerror', (e) => pageErrors.push(String(e && e.message ? e.message : e)))
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

// A page in a context of its own (its own cookies), watched; `options` go to newContext
// (acceptDownloads, …) except `timeout`, the page's default timeout.
export async function newPage(browser, { timeout = 15000, ...options } = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 1000 }, ...options })
  const page = await context.newPage()
  page.setDefaultTimeout(timeout)
  watch(page)
  return page
}

// No CSP violation and no uncaught error in any watched page (`where`: "the page", "either page").
export function checkNoPageErrors(where = 'the page') {
  begin('content security policy')
  check(cspErrors.length === 0, `Content-Security-Policy violations: ${cspErrors.join(' | ')}`)
  check(pageErrors.length === 0, `uncaught errors in the page: ${pageErrors.join(' | ')}`)
  ok(`no CSP violation and no uncaught error in ${where}`)
}

// Runs the test's steps: on a failure names the step, lists the console errors and writes a
// screenshot of each page in `shots` ([file name, page], …) to DANGAN_ARTIFACTS; closes the browser
// either way and exits 1 on a failure, otherwise prints "`title` browser test: all passed".
export async function run(title, browser, shots, steps) {
  let failed = false
  try {
    await steps()
  } catch (e) {
    failed = true
    console.error(`FAIL [${step}]: ${e instanceof Failure ? e.message : e && e.stack ? e.stack : e}`)
    if (consoleErrors.length) console.error(`console errors seen:\n  ${consoleErrors.join('\n  ')}`)
    if (process.env.DANGAN_ARTIFACTS) {
      fs.mkdirSync(process.env.DANGAN_ARTIFACTS, { recursive: true })
      for (const [file, page] of shots) {
        const shot = path.join(process.env.DANGAN_ARTIFACTS, file)
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
        console.error(`screenshot: ${shot}`)
      }
    }
  } finally {
    await browser.close()
  }
  if (failed) process.exit(1)
  console.log(`${title} browser test: all passed`)
}

// --- the workbench
// Signs in on the sign-in page (as `name`, default DANGAN_USER) and waits for the top bar.
export async function signIn(page, name = user, pw = password) {
  await page.goto(base + '/')
  await page.locator('[data-testid=login-form]').waitFor()
  await page.fill('[data-testid=login-name]', name)
  await page.fill('[data-testid=login-password]', pw)
  await page.click('[data-testid=login-submit]')
  await page.locator('[data-testid=user-name]').waitFor()
}

// Answers the dialog asking for the purpose of use (利用目的), which opens before the first record
// view of a sign-in session: `purpose` is one of the listed purposes, or any other text (chosen as
// 其他 and written out, sent as "其他：text"). Returns the purpose the top bar then shows.
export const PURPOSES = ['工作查考', '业务办理', '审计检查', '编史修志', '学术研究']
export async function statePurpose(page, purpose = '工作查考') {
  const dialog = page.locator('[data-testid=purpose-dialog]')
  await dialog.waitFor()
  if (PURPOSES.includes(purpose)) await page.selectOption('[data-testid=purpose-select]', purpose)
  else {
    await page.selectOption('[data-testid=purpose-select]', 'other')
    await page.fill('[data-testid=purpose-other]', purpose)
  }
  await page.click('[data-testid=purpose-confirm]')
  await dialog.waitFor({ state: 'detached' })
  const shown = await page.getAttribute('[data-testid=purpose-current]', 'data-purpose')
  const want = PURPOSES.includes(purpose) ? purpose : `其他：${purpose}`
  check(shown === want, `the top bar shows the purpose "${shown}", not "${want}"`)
  return shown
}

export async function signOut(page) {
  await page.click('[data-testid=sign-out]')
  await page.locator('[data-testid=login-form]').waitFor()
}

// GET `p` with the page's cookie: must answer 200; its JSON.
export async function getJson(page, p) {
  const r = await page.request.get(base + p)
  check(r.status() === 200, `GET ${p} with the page's cookie answered ${r.status()}`)
  return r.json()
}

// The file downloaded when `click()` is done on `page`: { name, bytes }. `what` names it in the
// failure ("the catalogue-download download").
export async function download(page, click, what = 'the download') {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()])
  const failure = await dl.failure()
  check(!failure, `${what} failed: ${failure}`)
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) }
}

export const isPdf = (bytes) => bytes.length > 8 && bytes.toString('latin1', 0, 5) === '%PDF-'

// The rows of a CSV text (no byte order mark): quoted fields may hold commas, quotes and line
// breaks. Rows end with CRLF, or with a lone LF or CR too unless `crlfOnly`.
export function parseCsv(s, { crlfOnly = false } = {}) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < s.length; ++i) {
    const c = s[i]
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { field += '"'; ++i } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' } else if (c === '\r' && s[i + 1] === '\n') {
      ++i
      row.push(field); rows.push(row); row = []; field = ''
    } else if (!crlfOnly && (c === '\n' || c === '\r')) {
      row.push(field); rows.push(row); row = []; field = ''
    } else field += c
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row) }
  return rows
}
