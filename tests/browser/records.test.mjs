// The workbench's page viewer, 浏览 tree and 报表 page in a real browser (Chromium driven by
// playwright-core) against the server run.sh prepared, after the other tests:
//   - the record page of a two-page scan shows page 1 as an image (a blob: URL) whose natural width
//     is the width asked of /pages/{n}?width=W; next/previous (buttons and ←/→) turn the page and
//     revoke the replaced blob: URL; zoom (buttons and +/-) asks for another width; 适合宽度 fits;
//     the OCR text file is shown as text; the searchable PDF is viewed page by page too;
//   - the 浏览 tree's counts are the search API's (classes and years: its facets; items: its totals)
//     and a leaf lists its records, which open their record page;
//   - the 报表 page downloads a 归档文件目录 PDF holding the scan's 档号 (pdftotext), shows the
//     server's detail for a missing year, opens a PDF in a new tab, downloads the annual statistics
//     PDF, the 利用台账 PDF and CSV, and a catalogue CSV;
//   - no Content-Security-Policy violation and no uncaught error.
//
// Environment:
//   DANGAN_URL, DANGAN_USER, DANGAN_PASSWORD   the server and an archivist
//   DANGAN_SCAN_REF     档号 of a filed two-page scan (a TIFF, with its OCR text and searchable PDF)
//   CHROMIUM            the browser (/usr/bin/chromium)
//   DANGAN_ARTIFACTS    if set, a screenshot of the page is written there on failure
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import fs from 'node:fs'
import {
  env, base, user, check, begin, ok, launch, newPage, watch, checkNoPageErrors, run, signIn as signInAs, getJson,
  download as downloadFrom, isPdf, statePurpose,
} from './harness.mjs'

const scanRef = env('DANGAN_SCAN_REF')

const browser = await launch()
const page = await newPage(browser, { acceptDownloads: true, timeout: 20000 })

const enc = encodeURIComponent
const api = (p) => page.request.get(base + p)
const json = (p) => getJson(page, p)
const searchApi = (params) => json(`/api/v1/records?${new URLSearchParams(params)}`)

async function signIn() {
  begin('sign in')
  await signInAs(page)
  ok(`signed in as ${user}`)
}

// ---------------------------------------------------------------- the page viewer
const viewerSel = (name) => `[data-testid=viewer][data-file="${name}"]`

// Waits until the viewer shows `pageNo` at `width` (the request answered, the image decoded) and
// returns what the page shows.
async function shown(name, pageNo, width) {
  const handle = await page.waitForFunction(
    ([sel, n, w]) => {
      const v = document.querySelector(sel)
      if (!v || v.getAttribute('data-loading') !== 'false') return false
      if (n && v.getAttribute('data-page') !== String(n)) return false
      if (w && v.getAttribute('data-width') !== String(w)) return false
      const img = v.querySelector('[data-testid=viewer-image]')
      if (!img || !img.complete || !img.naturalWidth || !img.src.startsWith('blob:')) return false
      const r = img.getBoundingClientRect()
      const frame = v.querySelector('.viewer-frame')
      return {
        page: Number(v.getAttribute('data-page')),
        pages: Number(v.getAttribute('data-pages')),
        width: Number(v.getAttribute('data-width')),
        fit: v.getAttribute('data-fit') === 'true',
        natural: img.naturalWidth,
        src: img.src,
        cssWidth: r.width,
        frameWidth: frame.clientWidth,
        label: v.querySelector('[data-testid=viewer-page-label]').textContent.trim(),
        error: v.querySelector('[data-testid=viewer-error]')?.textContent || '',
      }
    },
    [viewerSel(name), pageNo || 0, width || 0],
  )
  return handle.jsonValue()
}

// Whether a blob: URL still holds its image (loaded as an image: the CSP's connect-src rules out
// fetching it, img-src allows blob:).
const blobAlive = (url) =>
  page.evaluate((u) => new Promise((resolve) => {
    const img = new Image()
    img.onload = () => resolve(true)
    img.onerror = () => resolve(false)
    img.src = u
  }), url)

async function viewer() {
  begin(`page viewer on ${scanRef}`)
  const rec = await json(`/api/v1/records/${enc(scanRef)}`)
  const scan = rec.files.find((f) => ['TIFF', 'JPEG', 'PNG'].includes(f.format))
  const text = rec.files.find((f) => f.format === 'TXT')
  const pdf = rec.files.find((f) => f.format === 'PDF')
  check(scan && text && pdf, `${scanRef} lacks a scan, a text or a PDF file: ${rec.files.map((f) => f.format).join(', ')}`)
  const pagePath = (f, n, w) => `/api/v1/records/${enc(scanRef)}/files/${enc(f.name)}/pages/${n}?width=${w}`
  const probe = await api(pagePath(scan, 1, 800))
  check(probe.status() === 200, `GET ${pagePath(scan, 1, 800)} answered ${probe.status()}`)
  const pages = Number(probe.headers()['x-page-count'])
  check(pages >= 2, `${scan.name} has ${pages} pages by X-Page-Count: the test needs a multi-page scan`)
  check((await api(pagePath(scan, pages + 1, 800))).status() === 404, 'a page past the last is not 404')
  check((await api(pagePath(text, 1, 800))).status() === 415, 'a text file viewed as pages is not 415')

  // The viewer's page images are fetched with the purpose of use stated for the session.
  const pagePurposes = []
  page.on('request', (r) => {
    if (/\/pages\/\d+\?width=/.test(r.url())) pagePurposes.push(r.headers()['x-access-purpose'])
  })
  await page.goto(`${base}/#/records/${enc(scanRef)}`)
  await statePurpose(page, '业务办理')
  await page.locator('[data-testid=reader]').waitFor()
  let s = await shown(scan.name, 1)
  check(s.fit, 'the viewer does not start fitted to the width')
  check(s.natural === s.width, `page 1 is ${s.natural} px wide, the viewer asked for ${s.width}`)
  check(s.pages === pages && s.label.includes(`共 ${pages} 页`), `the viewer says ${s.pages} pages ("${s.label}"), X-Page-Count ${pages}`)
  check(Math.abs(s.cssWidth - s.frameWidth) <= 2, `fitted, the page is ${s.cssWidth} px on screen in a ${s.frameWidth} px frame`)
  ok(`${scan.name}: page 1 of ${pages} shown from a blob: URL, ${s.natural} px wide as asked, fitted to ${Math.round(s.cssWidth)} px`)
  check(pagePurposes.length > 0 && pagePurposes.every((p) => p === enc('业务办理')),
    `the page images were fetched with X-Access-Purpose ${pagePurposes.join(', ')}`)
  ok('the page images carry the purpose of use (业务办理)')

  // Next and previous, with the buttons; the replaced blob: URL is revoked.
  check(await page.isDisabled(`${viewerSel(scan.name)} [data-testid=viewer-prev]`), '上一页 is enabled on page 1')
  const first = s.src
  await page.click(`${viewerSel(scan.name)} [data-testid=viewer-next]`)
  s = await shown(scan.name, 2)
  check(s.src !== first && s.natural === s.width, `page 2: src ${s.src}, ${s.natural} px for ${s.width}`)
  check(await blobAlive(s.src), 'the blob: URL of page 2 does not load as an image')
  check(!(await blobAlive(first)), 'the blob: URL of page 1 is still alive after turning the page')
  if (pages === 2) check(await page.isDisabled(`${viewerSel(scan.name)} [data-testid=viewer-next]`), '下一页 is enabled on the last page')
  await page.click(`${viewerSel(scan.name)} [data-testid=viewer-prev]`)
  s = await shown(scan.name, 1)
  ok('下一页 and 上一页 turn the page; the replaced blob: URL is revoked')

  // The keyboard, with the focus in the viewer.
  await page.focus(viewerSel(scan.name))
  await page.keyboard.press('ArrowRight')
  s = await shown(scan.name, 2)
  await page.keyboard.press('ArrowLeft')
  s = await shown(scan.name, 1)
  ok('→ and ← turn the page')

  // Zoom: a larger width asked of the server, shown at that width; then smaller; then fitted.
  const fitted = s.width
  await page.click(`${viewerSel(scan.name)} [data-testid=viewer-zoom-in]`)
  await page.waitForFunction(([sel, w]) => Number(document.querySelector(sel).getAttribute('data-width')) > w, [viewerSel(scan.name), fitted])
  s = await shown(scan.name, 1)
  check(!s.fit && s.width > fitted, `放大 asked for ${s.width} px (was ${fitted})`)
  check(s.natural === s.width, `zoomed in, the page is ${s.natural} px wide, the viewer asked for ${s.width}`)
  check(Math.abs(s.cssWidth - s.width) <= 2, `zoomed in, the page is ${s.cssWidth} px on screen, not ${s.width}`)
  const larger = s.width
  await page.focus(viewerSel(scan.name))
  await page.keyboard.press('-')
  await page.keyboard.press('-')
  await page.waitForFunction(([sel, w]) => Number(document.querySelector(sel).getAttribute('data-width')) < w, [viewerSel(scan.name), fitted])
  s = await shown(scan.name, 1)
  check(s.natural === s.width && s.width < fitted, `zoomed out with -, asked ${s.width} px and got ${s.natural}`)
  await page.keyboard.press('+')
  await page.waitForFunction(([sel, w]) => Number(document.querySelector(sel).getAttribute('data-width')) > w, [viewerSel(scan.name), s.width])
  const plus = await shown(scan.name, 1)
  check(plus.natural === plus.width, `zoomed in with +, asked ${plus.width} px and got ${plus.natural}`)
  await page.click(`${viewerSel(scan.name)} [data-testid=viewer-fit]`)
  s = await shown(scan.name, 1, fitted)
  check(s.fit && Math.abs(s.cssWidth - s.frameWidth) <= 2, `适合宽度 shows the page ${s.cssWidth} px in a ${s.frameWidth} px frame`)
  ok(`放大 asks for ${larger} px, - and + step the width, 适合宽度 asks for ${fitted} px again and fits`)

  // The OCR text, as text.
  await page.click(`[data-testid=viewer-tab][data-file="${text.name}"]`)
  const want = await (await api(`/api/v1/records/${enc(scanRef)}/files/${enc(text.name)}`)).text()
  await page.waitForFunction(
    ([sel, t]) => document.querySelector(`${sel} [data-testid=viewer-text]`)?.textContent === t,
    [viewerSel(text.name), want],
  )
  check(await page.$eval(`${viewerSel(text.name)} [data-testid=viewer-text]`, (p) => p.tagName === 'PRE' && p.children.length === 0),
    'the text is not plain text in a <pre>')
  ok(`${text.name} is shown as text (${want.length} characters)`)

  // The searchable PDF, page by page.
  await page.click(`[data-testid=viewer-tab][data-file="${pdf.name}"]`)
  s = await shown(pdf.name, 1)
  check(s.natural === s.width && s.pages >= 1, `${pdf.name}: ${s.natural} px for ${s.width}, ${s.pages} pages`)
  ok(`${pdf.name} is viewed as page images (${s.pages} pages)`)
}

// ---------------------------------------------------------------- browse
async function treeNodes(level, extra = '') {
  return page.$$eval(`[data-testid=tree-node][data-level=${level}]${extra}`, (ns) =>
    ns.map((n) => ({ key: n.getAttribute('data-key'), count: Number(n.getAttribute('data-count')) })))
}
const asMap = (list) => Object.fromEntries(list.map((n) => [n.key, n.count]))
const same = (a, b) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).map(([k, v]) => [k, Number(v)]).sort())

async function browse() {
  begin('browse 全宗 → 门类 → 年度 → 事项')
  const rec = await json(`/api/v1/records/${enc(scanRef)}`)
  const { class: cls, year, item } = rec.parts
  await page.click('[data-testid=nav-browse]')
  await page.locator('[data-testid=tree-node][data-level=fonds]').waitFor()
  const all = await searchApi({ size: 1 })
  check(!all.facets_are_sample, 'the facets are a sample: the test archive is too large for this check')
  const root = (await treeNodes('fonds'))[0]
  check(root.count === all.total, `the 全宗 node counts ${root.count}, the search API ${all.total}`)
  check(root.key === scanRef.split('-')[0], `the 全宗 node is ${root.key}, the 档号 begins ${scanRef.split('-')[0]}`)
  const classes = asMap(await treeNodes('class'))
  check(same(classes, all.facets.class), `the classes ${JSON.stringify(classes)} differ from the facets ${JSON.stringify(all.facets.class)}`)
  ok(`全宗 ${root.key}: ${root.count} records in ${Object.keys(classes).length} classes, as the search API's facets`)

  // Every class's years.
  for (const c of Object.keys(classes)) {
    await page.click(`[data-testid=tree-node][data-level=class][data-key="${c}"]`)
    await page.waitForFunction((k) => document.querySelector(`[data-testid=tree-node][data-level=year][data-class="${k}"]`), c)
    const years = asMap(await treeNodes('year', `[data-class="${c}"]`))
    const facet = (await searchApi({ class: c, size: 1 })).facets.year
    check(same(years, facet), `class ${c}: years ${JSON.stringify(years)}, the facets ${JSON.stringify(facet)}`)
    await page.waitForFunction((k) => {
      const hs = [...document.querySelectorAll('[data-testid=browse-hit]')]
      return hs.length && hs.every((h) => h.getAttribute('data-class') === k)
    }, c)
    const listed = await page.$eval('[data-testid=browse-count]', (p) => Number(p.getAttribute('data-total')))
    check(listed === classes[c], `selecting class ${c} lists ${listed} records, its node counts ${classes[c]}`)
  }
  ok('each class lists its records, and its years are the search API\'s year facets')

  // The scan's year: its items, each count the search API's total.
  // Selecting the year opens it.
  await page.click(`[data-testid=tree-node][data-level=year][data-class="${cls}"][data-key="${year}"]`)
  await page.waitForFunction(([c, y]) => document.querySelector(`[data-testid=tree-node][data-level=item][data-class="${c}"][data-year="${y}"]`), [cls, String(year)])
  const items = asMap(await treeNodes('item', `[data-class="${cls}"][data-year="${year}"]`))
  const hits = await searchApi({ class: cls, year, size: 100, facets: 'false' })
  const want = {}
  for (const h of hits.hits) want[h.item] = (want[h.item] || 0) + 1
  check(hits.total === hits.hits.length, 'too many records in the year for this check')
  check(same(items, want), `${cls}/${year}: items ${JSON.stringify(items)}, the search API ${JSON.stringify(want)}`)
  for (const [i, n] of Object.entries(items)) {
    const t = (await searchApi({ class: cls, year, item: i, size: 1, facets: 'false' })).total
    check(t === n, `${cls}/${year}/${i}: the node counts ${n}, the search API ${t}`)
  }
  ok(`${cls}/${year}: items ${JSON.stringify(items)}, each the search API's total`)

  // The leaf lists its records, each opening the record page.
  await page.click(`[data-testid=tree-node][data-level=item][data-class="${cls}"][data-year="${year}"][data-key="${item}"]`)
  await page.waitForFunction(
    ([c, y, i]) => {
      const hs = [...document.querySelectorAll('[data-testid=browse-hit]')]
      return hs.length && hs.every((h) => h.getAttribute('data-class') === c && h.getAttribute('data-year') === y && h.getAttribute('data-item') === i)
    },
    [cls, String(year), item],
  )
  check(page.url().includes(`item=${item}`), `the selection is not in the URL: ${page.url()}`)
  const refs = await page.$$eval('[data-testid=browse-hit-link]', (as) => as.map((a) => a.textContent.trim()))
  check(refs.length === Math.min(items[item], 20), `the leaf ${item} lists ${refs.length} records, its node counts ${items[item]}`)
  check(refs.includes(scanRef), `the leaf ${item} does not list ${scanRef}: ${refs.join(', ')}`)
  await page.click(`[data-testid=browse-hit-link]:text-is("${scanRef}")`)
  await page.waitForFunction((r) => document.querySelector('[data-testid=record-reference]')?.textContent.trim() === r, scanRef)
  ok(`the leaf ${item} lists ${refs.length} records; ${scanRef} opens its record page`)

  // A deep link opens the path to its node.
  await page.goto(`${base}/#/browse?class=${cls}&year=${year}&item=${item}`)
  await page.locator(`[data-testid=tree-node][data-level=item][data-key="${item}"].active`).waitFor()
  ok('a link to a leaf opens the tree down to it')
}

// ---------------------------------------------------------------- reports
const download = (button) =>
  downloadFrom(page, () => page.click(`[data-testid=${button}]`), `the ${button} download`)
function pdfText(bytes) {
  const file = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'dangan-pdf-')), 'report.pdf')
  fs.writeFileSync(file, bytes)
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  }
}

async function reports() {
  begin('报表')
  const rec = await json(`/api/v1/records/${enc(scanRef)}`)
  const { class: cls, year } = rec.parts
  await page.click('[data-testid=nav-reports]')
  await page.locator('[data-testid=report-catalogue]').waitFor()

  // 归档文件目录 of the scan's year and class.
  await page.fill('[data-testid=catalogue-year]', String(year))
  await page.selectOption('[data-testid=catalogue-class]', cls)
  let f = await download('catalogue-download')
  check(isPdf(f.bytes), `the catalogue download ${f.name} is not a PDF`)
  check(f.name.endsWith('.pdf'), `the catalogue download is named ${f.name}`)
  const text = pdfText(f.bytes)
  check(text.includes(scanRef), `the catalogue PDF of ${year}/${cls} does not hold ${scanRef}`)
  ok(`归档文件目录 ${year}/${cls} downloads as ${f.name} (${f.bytes.length} bytes) holding ${scanRef}`)

  // Without a year: the server's detail.
  const problem = await (await api('/api/v1/reports/catalogue')).json()
  await page.fill('[data-testid=catalogue-year]', '')
  await page.click('[data-testid=catalogue-download]')
  const err = page.locator('[data-testid=report-error][data-report=catalogue]')
  await err.waitFor()
  const errText = (await err.textContent()).trim()
  check(problem.detail && errText === problem.detail, `without a year the page says "${errText}", the server "${problem.detail}"`)
  ok(`without a year the page shows the server's detail: "${errText}"`)

  // Opened in a new tab (a blob: URL).
  await page.fill('[data-testid=catalogue-year]', String(year))
  const [tab] = await Promise.all([page.waitForEvent('popup'), page.click('[data-testid=catalogue-open]')])
  watch(tab)
  await tab.waitForURL(/^blob:/, { timeout: 20000 }).catch(() => {})
  check(tab.url().startsWith('blob:'), `the opened tab is at ${tab.url()}, not a blob: URL`)
  check((await page.locator('[data-testid=report-error][data-report=catalogue]').count()) === 0, 'an error is shown after opening the catalogue')
  await tab.close()
  ok('打开 shows the PDF in a new tab from a blob: URL')

  // The annual statistics table.
  await page.fill('[data-testid=statistics-year]', String(year))
  f = await download('statistics-download')
  check(isPdf(f.bytes), `the statistics download ${f.name} is not a PDF`)
  ok(`年度统计表 ${year} downloads as ${f.name}`)

  // 利用台账: PDF and CSV (the CSV as the server sends it).
  f = await download('ledger-pdf')
  check(isPdf(f.bytes), `the ledger PDF download ${f.name} is not a PDF`)
  const csv = await download('ledger-csv')
  const server = await (await api('/api/v1/inquiries.csv')).body()
  check(csv.name.endsWith('.csv'), `the ledger CSV is named ${csv.name}`)
  check(csv.bytes.equals(server), 'the ledger CSV downloaded differs from GET /api/v1/inquiries.csv')
  const lines = csv.bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean)
  check(lines[0].includes('申请编号'), `the ledger CSV heading is "${lines[0]}"`)
  ok(`利用台账 downloads as a PDF and as ${csv.name} (${lines.length - 1} rows, as the server's)`)

  // A catalogue query as CSV.
  await page.selectOption('[data-testid=records-class]', cls)
  await page.fill('[data-testid=records-year]', String(year))
  f = await download('records-csv')
  const rows = f.bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean)
  const total = (await searchApi({ class: cls, year, size: 1, facets: 'false' })).total
  check(rows.length - 1 === total, `the catalogue CSV has ${rows.length - 1} rows, the search API ${total}`)
  check(rows.some((r) => r.startsWith(scanRef + ',')), `the catalogue CSV does not list ${scanRef}`)
  await page.locator('[data-testid=records-rows]').waitFor()
  ok(`目录导出 ${cls}/${year} downloads ${f.name} with ${total} rows`)
}

await run('records', browser, [['records-failure.png', page]], async () => {
  await signIn()
  await viewer()
  await browse()
  await reports()
  checkNoPageErrors()
})
