// The statistics page (#/dashboard, 统计) in a real browser against the same running server as
// workbench.test.mjs: every figure in its tables equals what GET /api/v1/stats/… answers (fetched
// with the page's own cookie), each chart has one bar per table row, the CSV export downloads the
// same figures, the PNG export is a PNG, the year filter asks the server for that year's intake,
// a user without the `stats` permission sees no 统计, and no Content-Security-Policy violation.
// run.sh runs it after the workbench test.
//
// Environment:
//   DANGAN_URL              base URL of the server (http://127.0.0.1:PORT)
//   DANGAN_USER             a user whose role has `stats`;  DANGAN_PASSWORD its password
//   DANGAN_NOSTATS_USER     optional: a user whose role has no `stats`;  DANGAN_NOSTATS_PASSWORD
//   CHROMIUM                the browser (/usr/bin/chromium)
//   DANGAN_ARTIFACTS        if set, a screenshot of the page is written there on failure
// Exits 0 when every assertion holds, 1 with the failed one named otherwise.
import {
  base, user, password, check, begin, ok, launch, newPage, checkNoPageErrors, run, signIn as signInAs, signOut as leave,
  getJson, download as downloadFrom, parseCsv as parseRows,
} from './harness.mjs'

const noStatsUser = process.env.DANGAN_NOSTATS_USER || ''
const noStatsPassword = process.env.DANGAN_NOSTATS_PASSWORD || ''

const browser = await launch()
const page = await newPage(browser, { acceptDownloads: true })

const apiJson = (p) => getJson(page, p)

// --- how a figure must be written (independently of the page's own code)
const grouped = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
function checkCount(text, n, where) {
  check(text === grouped(n), `${where}: shows "${text}", expected ${grouped(n)}`)
}
const UNIT = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5 }
function checkBytes(text, n, where) {
  const m = /^([\d,]+(?:\.\d)?) (B|KB|MB|GB|TB|PB)$/.exec(text)
  check(m, `${where}: "${text}" is not a size like "1.5 MB"`)
  const v = Number(m[1].replace(/,/g, ''))
  const unit = UNIT[m[2]]
  if (m[2] === 'B') {
    check(v === n, `${where}: shows ${text} for ${n} bytes`)
    return
  }
  check(v >= 1 && (v < 1024 || m[2] === 'PB'), `${where}: ${text} is not in the right unit for ${n} bytes`)
  check(Math.abs(v * unit - n) <= 0.05 * unit + 1e-9, `${where}: shows ${text} for ${n} bytes`)
}

// The table of one panel as the page shows it: rows and footer, each cell's text and raw value.
async function readPanel(id) {
  return page.$eval(`[data-testid=stat-panel][data-panel="${id}"]`, (panel) => {
    const cells = (tr) => {
      const out = {}
      for (const td of tr.querySelectorAll('td[data-col]'))
        out[td.getAttribute('data-col')] = {
          text: td.textContent.trim(),
          value: td.hasAttribute('data-value') ? Number(td.getAttribute('data-value')) : null,
        }
      return out
    }
    const head = [...panel.querySelectorAll('thead th')].map((th) => th.textContent.trim())
    const rows = [...panel.querySelectorAll('[data-testid=stat-row]')].map((tr) => ({
      key: tr.getAttribute('data-key'),
      cells: cells(tr),
    }))
    const foot = panel.querySelector('[data-testid=stat-total]')
    const bars = [...panel.querySelectorAll('svg [data-testid=chart-bar]')].map((g) => ({
      key: g.getAttribute('data-key'),
      total: Number(g.getAttribute('data-total')),
      segments: [...g.querySelectorAll('[data-testid=chart-segment]')].map((r) => ({
        value: Number(r.getAttribute('data-value')),
        width: Number(r.getAttribute('width')),
      })),
    }))
    return { head, rows, footer: foot ? cells(foot) : null, bars, svgs: panel.querySelectorAll('svg').length }
  })
}

function checkFigure(cell, n, kind, where) {
  check(cell, `${where}: no such cell`)
  check(cell.value === n, `${where}: data-value ${cell.value}, the API says ${n}`)
  if (kind === 'bytes') checkBytes(cell.text, n, where)
  else checkCount(cell.text, n, where)
}

// One bar per row, in the rows' order, each as long as its figure (zero is no bar).
function checkBars(id, shown, values) {
  check(shown.svgs === 1, `${id}: ${shown.svgs} charts in the panel`)
  check(shown.bars.length === shown.rows.length,
    `${id}: the chart has ${shown.bars.length} bars for ${shown.rows.length} table rows`)
  shown.bars.forEach((b, i) => {
    check(b.key === shown.rows[i].key, `${id}: bar ${i} is ${b.key}, row ${i} is ${shown.rows[i].key}`)
    const want = values(shown.rows[i])
    check(b.segments.length === want.length, `${id}: bar ${b.key} has ${b.segments.length} parts, not ${want.length}`)
    b.segments.forEach((s, j) => {
      check(s.value === want[j], `${id}: bar ${b.key} part ${j} is ${s.value}, not ${want[j]}`)
      check(want[j] > 0 ? s.width > 0 : s.width === 0, `${id}: bar ${b.key} part ${j} has width ${s.width} for ${want[j]}`)
    })
  })
  const max = Math.max(0, ...shown.bars.map((b) => b.total))
  if (max > 0) {
    const widths = shown.bars.map((b) => b.segments.reduce((a, s) => a + s.width, 0))
    const unit = Math.max(...widths) / max
    shown.bars.forEach((b, i) =>
      check(Math.abs(widths[i] - b.total * unit) < 0.5, `${id}: bar ${b.key} is not to scale`))
  }
}

async function openDashboard(query = '') {
  await page.goto(`${base}/#/dashboard${query}`)
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=stat-panel]').length === 7)
}

const signIn = (name, pw) => signInAs(page, name, pw)
const signOut = () => leave(page)

// --- CSV: a byte order mark, then rows ending with CRLF
function parseCsv(text) {
  check(text.charCodeAt(0) === 0xfeff, 'the CSV does not start with a UTF-8 byte order mark')
  return parseRows(text.slice(1), { crlfOnly: true })
}

const download = (id, button) =>
  downloadFrom(page, () => page.click(`[data-testid=stat-panel][data-panel="${id}"] [data-testid=${button}]`),
    `${id}: the ${button} download`)

// The CSV holds the table: a heading per column, then each row and the 合计, numbers raw.
async function checkCsv(id, shown) {
  const { name, bytes } = await download(id, 'export-csv')
  check(name.endsWith('.csv'), `${id}: the CSV download is named ${name}`)
  const rows = parseCsv(bytes.toString('utf8'))
  check(rows.length >= 1, `${id}: the CSV is empty`)
  const [head, ...body] = rows
  check(head.length === shown.head.length, `${id}: the CSV has ${head.length} columns, the table ${shown.head.length}`)
  const tableRows = shown.footer ? [...shown.rows.map((r) => r.cells), shown.footer] : shown.rows.map((r) => r.cells)
  check(body.length === tableRows.length, `${id}: the CSV has ${body.length} rows, the table ${tableRows.length}`)
  const cols = Object.keys(tableRows[0] || {})
  body.forEach((line, i) => {
    cols.forEach((col, j) => {
      const cell = tableRows[i][col]
      if (cell.value === null)
        check(line[j] === cell.text, `${id} CSV row ${i + 1} column ${j + 1}: "${line[j]}", the table shows "${cell.text}"`)
      else
        check(line[j] === String(cell.value), `${id} CSV row ${i + 1} column ${j + 1}: "${line[j]}", not ${cell.value}`)
    })
  })
  ok(`${id}: the CSV download ${name} holds the ${body.length} rows with the same figures`)
}

async function checkPng(id) {
  const { name, bytes } = await download(id, 'export-png')
  check(name.endsWith('.png'), `${id}: the PNG download is named ${name}`)
  const magic = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  check(bytes.length > 33 && magic.every((b, i) => bytes[i] === b), `${id}: the PNG download is not a PNG`)
  check(bytes.toString('latin1', 12, 16) === 'IHDR', `${id}: the PNG has no IHDR chunk first`)
  const width = bytes.readUInt32BE(16)
  const height = bytes.readUInt32BE(20)
  const svg = await page.$eval(`[data-testid=stat-panel][data-panel="${id}"] svg`, (s) => ({
    w: Number(s.getAttribute('width')), h: Number(s.getAttribute('height')),
  }))
  check(width > 0 && height > 0 && Math.abs(width / height - svg.w / svg.h) < 0.02,
    `${id}: the PNG is ${width}×${height}, the chart ${svg.w}×${svg.h}`)
  ok(`${id}: the PNG download ${name} is a ${width}×${height} PNG (${bytes.length} bytes)`)
}

// --- the figures
function holdingsLabel(id, row, r) {
  check(row.cells.name && row.cells.name.text.length > 0, `${id}: row ${r.key} has no name`)
  if (id === 'holdings-class')
    check(row.cells.name.text === `${r.key} ${r.label}`.trim() || (!r.label && row.cells.name.text.startsWith(r.key)),
      `${id}: row ${r.key} is named "${row.cells.name.text}", the API says "${r.label}"`)
  if (id === 'holdings-retention' && r.label)
    check(row.cells.name.text === r.label, `${id}: row ${r.key} is named "${row.cells.name.text}", the API says "${r.label}"`)
  if (id === 'holdings-year') check(row.cells.name.text === r.key, `${id}: row ${r.key} is named "${row.cells.name.text}"`)
}

async function checkHoldings(holdings) {
  const totals = await page.$eval('[data-testid=dashboard-totals]', (el) => ({
    records: el.querySelector('[data-testid=total-records]').textContent.trim(),
    pages: el.querySelector('[data-testid=total-pages]').textContent.trim(),
    bytes: el.querySelector('[data-testid=total-bytes]').textContent.trim(),
  }))
  checkCount(totals.records, holdings.total.records, 'total 件')
  checkCount(totals.pages, holdings.total.pages, 'total pages')
  checkBytes(totals.bytes, holdings.total.bytes, 'total bytes')
  for (const [id, list] of [['holdings-class', holdings.by_class], ['holdings-year', holdings.by_year],
    ['holdings-retention', holdings.by_retention]]) {
    const shown = await readPanel(id)
    check(shown.rows.length === list.length, `${id}: ${shown.rows.length} rows, the API has ${list.length}`)
    list.forEach((r, i) => {
      const row = shown.rows[i]
      check(row.key === r.key, `${id}: row ${i} is ${row.key}, the API's is ${r.key}`)
      holdingsLabel(id, row, r)
      for (const [col, kind] of [['records', 'count'], ['pages', 'count'], ['bytes', 'bytes']])
        checkFigure(row.cells[col], r.holdings[col], kind, `${id} ${r.key} ${col}`)
    })
    check(shown.footer, `${id}: no 合计 row`)
    for (const [col, kind] of [['records', 'count'], ['pages', 'count'], ['bytes', 'bytes']])
      checkFigure(shown.footer[col], holdings.total[col], kind, `${id} 合计 ${col}`)
    checkBars(id, shown, (row) => [row.cells.records.value])
    ok(`${id}: ${list.length} rows and 合计 equal the API's; ${shown.bars.length} bars`)
  }
  // The chart shows 容量 when asked; the table stays.
  const id = 'holdings-class'
  await page.click(`[data-testid=stat-panel][data-panel="${id}"] [data-testid=chart-metric]:has-text("容量")`)
  await page.waitForFunction((pid) => {
    const p = document.querySelector(`[data-testid=stat-panel][data-panel="${pid}"]`)
    return p.querySelector('svg[data-testid=chart]')?.getAttribute('aria-label')?.includes('容量')
  }, id)
  const shown = await readPanel(id)
  checkBars(id, shown, (row) => [row.cells.bytes.value])
  ok(`${id}: the chart switches to 容量, bars still one per row`)
  await page.click(`[data-testid=stat-panel][data-panel="${id}"] [data-testid=chart-metric]:has-text("件数")`)
}

function intakeExpected(intake) {
  const months = new Map()
  for (const m of intake.months) {
    if (!months.has(m.month)) months.set(m.month, { channels: {}, records: 0, pages: 0, bytes: 0 })
    const e = months.get(m.month)
    e.channels[m.channel] = (e.channels[m.channel] || 0) + m.intake.records
    e.records += m.intake.records
    e.pages += m.intake.pages
    e.bytes += m.intake.bytes
  }
  return months
}

async function checkIntake(intake, label) {
  const id = 'intake'
  const shown = await readPanel(id)
  const want = intakeExpected(intake)
  const months = [...want.keys()].sort()
  check(shown.rows.length === months.length, `${id}${label}: ${shown.rows.length} months shown, the API has ${months.length}`)
  const channelCols = Object.keys((shown.rows[0] || { cells: {} }).cells).filter((c) => c.startsWith('ch:'))
  for (const c of ['business', 'capture', 'manual'])
    check(shown.rows.length === 0 || channelCols.includes(`ch:${c}`), `${id}: no column for the ${c} channel`)
  const sums = { records: 0, pages: 0, bytes: 0 }
  const channelSums = {}
  months.forEach((month, i) => {
    const row = shown.rows[i]
    const e = want.get(month)
    check(row.key === month && row.cells.month.text === month, `${id}: row ${i} is ${row.key}, not ${month}`)
    for (const c of channelCols) {
      const n = e.channels[c.slice(3)] || 0
      checkFigure(row.cells[c], n, 'count', `${id} ${month} ${c}`)
      channelSums[c] = (channelSums[c] || 0) + n
    }
    for (const ch of Object.keys(e.channels)) check(channelCols.includes(`ch:${ch}`), `${id}: channel ${ch} is not shown`)
    checkFigure(row.cells.records, e.records, 'count', `${id} ${month} 合计件数`)
    checkFigure(row.cells.pages, e.pages, 'count', `${id} ${month} pages`)
    checkFigure(row.cells.bytes, e.bytes, 'bytes', `${id} ${month} bytes`)
    sums.records += e.records
    sums.pages += e.pages
    sums.bytes += e.bytes
  })
  if (months.length) {
    check(shown.footer, `${id}: no 合计 row`)
    for (const c of channelCols) checkFigure(shown.footer[c], channelSums[c], 'count', `${id} 合计 ${c}`)
    checkFigure(shown.footer.records, sums.records, 'count', `${id} 合计 件`)
    checkFigure(shown.footer.pages, sums.pages, 'count', `${id} 合计 pages`)
    checkFigure(shown.footer.bytes, sums.bytes, 'bytes', `${id} 合计 bytes`)
  }
  // Stacked: one bar per month, one part per channel.
  checkBars(id, shown, (row) => channelCols.map((c) => row.cells[c].value))
  ok(`${id}${label}: ${months.length} months × ${channelCols.length} channels equal the API's; one stacked bar per month`)
  return { shown, months, sums }
}

const ACTIONS = ['view', 'download', 'certify']
async function checkUtilization(utilization, year = '') {
  const id = 'utilization'
  const shown = await readPanel(id)
  const want = new Map()
  for (const m of utilization.months) {
    if (year && !m.month.startsWith(`${year}-`)) continue
    if (!want.has(m.month)) want.set(m.month, {})
    want.get(m.month)[m.action] = m
  }
  const months = [...want.keys()].sort()
  check(shown.rows.length === months.length, `${id}: ${shown.rows.length} months shown, the API has ${months.length}`)
  months.forEach((month, i) => {
    const row = shown.rows[i]
    check(row.key === month, `${id}: row ${i} is ${row.key}, not ${month}`)
    for (const a of ACTIONS) {
      const m = want.get(month)[a] || { events: 0, records: 0 }
      checkFigure(row.cells[`${a}:events`], m.events, 'count', `${id} ${month} ${a} events`)
      checkFigure(row.cells[`${a}:records`], m.records, 'count', `${id} ${month} ${a} records`)
    }
  })
  checkBars(id, shown, (row) => ACTIONS.map((a) => row.cells[`${a}:events`].value))
  ok(`${id}: ${months.length} months of views, downloads and certificates equal the API's`)
  return shown
}

async function checkFixity(fixity) {
  const id = 'fixity'
  const shown = await readPanel(id)
  const keys = ['intact', 'damaged', 'never_checked']
  check(shown.rows.map((r) => r.key).join() === keys.join(), `${id}: rows ${shown.rows.map((r) => r.key)}`)
  keys.forEach((k, i) => checkFigure(shown.rows[i].cells.records, fixity[k], 'count', `${id} ${k}`))
  checkFigure(shown.footer.records, keys.reduce((a, k) => a + fixity[k], 0), 'count', `${id} 合计`)
  checkBars(id, shown, (row) => [row.cells.records.value])
  const last = (await page.textContent('[data-testid=fixity-last-checked]')).trim()
  if (fixity.last_checked_at)
    check(last.startsWith(fixity.last_checked_at.slice(0, 10)), `${id}: last check shown as "${last}", the API says ${fixity.last_checked_at}`)
  const damaged = await page.$$eval('[data-testid=damaged-records] a', (as) => as.map((a) => a.textContent.trim()))
  check(damaged.join() === (fixity.damaged_records || []).join(), `${id}: damaged records listed ${damaged}, the API says ${fixity.damaged_records}`)
  ok(`${id}: intact ${fixity.intact}, damaged ${fixity.damaged}, never checked ${fixity.never_checked} as the API says`)
}

async function dashboard() {
  begin('statistics page')
  await signIn(user, password)
  const session = await apiJson('/api/v1/session')
  check((session.permissions || []).includes('stats'), `${user} has no stats permission`)
  const link = page.locator('[data-testid=nav-dashboard]')
  await link.waitFor()
  check((await link.textContent()).trim() === '统计', 'the nav link is not named 统计')
  await link.click()
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=stat-panel]').length === 7)
  check(page.url().includes('#/dashboard'), `the 统计 link leads to ${page.url()}`)
  ok('the 统计 link opens #/dashboard with seven panels')

  const [holdings, intake, utilization, fixity] = await Promise.all([
    apiJson('/api/v1/stats/holdings'), apiJson('/api/v1/stats/intake'),
    apiJson('/api/v1/stats/utilization'), apiJson('/api/v1/stats/fixity'),
  ])
  check(holdings.total.records > 0, 'the archive holds nothing: the test has nothing to compare')
  await checkHoldings(holdings)
  const { months } = await checkIntake(intake, '')
  check(months.length > 0, 'no intake months: the test has nothing to compare')
  check(intake.months.some((m) => m.channel === 'capture') && intake.months.some((m) => m.channel === 'business'),
    'the archive has no intake through both capture and business: the stacked chart is not tested')
  await checkUtilization(utilization)
  check(utilization.months.length > 0, 'no utilization months: the workbench test viewed records, which should count')
  await checkFixity(fixity)

  begin('exports')
  for (const id of ['holdings-class', 'holdings-year', 'holdings-retention', 'intake', 'utilization', 'fixity', 'inquiries'])
    await checkCsv(id, await readPanel(id))
  await checkPng('intake')
  await checkPng('holdings-class')

  begin('year filter')
  const year = months[months.length - 1].slice(0, 4)
  const options = await page.$$eval('[data-testid=year-filter] option', (os) => os.map((o) => o.value))
  check(options.includes(year), `the year filter offers ${options.join(', ')}, not ${year}`)
  await page.selectOption('[data-testid=year-filter]', year)
  await page.waitForFunction((y) => location.hash.includes(`year=${y}`) &&
    document.querySelector('[data-testid=stat-panel][data-panel=intake] h2')?.textContent.includes(y), year)
  const yearly = await apiJson(`/api/v1/stats/intake?from=${year}-01&to=${year}-12`)
  await page.waitForFunction((n) =>
    document.querySelectorAll('[data-testid=stat-panel][data-panel=intake] [data-testid=stat-row]').length === n,
  intakeExpected(yearly).size)
  await checkIntake(yearly, ` ${year}`)
  await checkUtilization(utilization, year)
  await checkCsv('intake', await readPanel('intake'))
  // A year nothing was filed in: no rows, no bars.
  await openDashboard('?year=1999')
  const empty = await apiJson('/api/v1/stats/intake?from=1999-01&to=1999-12')
  check(empty.months.length === 0, 'the server knows intake in 1999')
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=stat-panel][data-panel=intake] h2')?.textContent.includes('1999'))
  const none = await readPanel('intake')
  check(none.rows.length === 0 && none.bars.length === 0, `1999 shows ${none.rows.length} intake rows`)
  ok('a year with no intake shows none')
  await signOut()
}

async function noStats() {
  if (!noStatsUser) return
  begin('no stats permission')
  await signIn(noStatsUser, noStatsPassword)
  const session = await apiJson('/api/v1/session')
  check(!(session.permissions || []).includes('stats'), `${noStatsUser} has the stats permission`)
  check((await page.locator('[data-testid=nav-dashboard]').count()) === 0, `${noStatsUser} is shown the 统计 link`)
  await page.goto(`${base}/#/dashboard`)
  await page.locator('[data-testid=dashboard-forbidden]').waitFor()
  check((await page.locator('[data-testid=stat-panel]').count()) === 0, 'panels shown without the stats permission')
  const r = await page.request.get(`${base}/api/v1/stats/holdings`)
  check(r.status() === 403, `GET /api/v1/stats/holdings without stats answered ${r.status()}`)
  ok(`${noStatsUser} sees no 统计 link and no figures`)
  await signOut()
}

await run('dashboard', browser, [['dashboard-failure.png', page]], async () => {
  await dashboard()
  await noStats()
  checkNoPageErrors()
})
