// The workbench's web targets measured in a real browser (Debian's Chromium driven by
// playwright-core from web/ui/node_modules), several servers side by side in one run:
// scripts/bench/web.sh starts `dangan serve` and an nginx baseline and runs this.
//
// For each round and each target (the order rotates from round to round), in a new browser
// context (empty HTTP cache, and the cache disabled through CDP) with the target's session cookie:
//   first page  load BASE/#/search; "interactive" is the first animation frame after the search
//               box is in the DOM, enabled, and the first page of results (the default listing,
//               [data-testid=hit]) is rendered. Times are the page's own performance.now(), whose
//               origin is the navigation start. The Navigation Timing entry (domInteractive,
//               domContentLoadedEventEnd, loadEventEnd) and the listing request's Resource Timing
//               are kept beside it.
//   typing      then, in the same page, for each query of the round: the box is cleared (and the
//               default listing it brings back awaited), the query is typed with the keyboard
//               (page.keyboard.type, 60 ms between keys: shorter than the front end's 200 ms
//               debounce, so only the whole query is sent), and the time from the last keystroke
//               (the last `input` event's timeStamp) to the first animation frame after the
//               results of that query are in the DOM is taken. fetch() is wrapped in the page to
//               know when the query's request left and when its answer arrived.
// Every displayed answer is checked against the target's own JSON for the same URL (first hit
// and total). Prints each round, then medians and p90 per target, ratios against the last
// target, and `SUMMARY target key value ...` lines for web.sh.
//
// usage: node web_probe.mjs --target NAME=URL [--target NAME=URL ...] [--login NAME ...]
//          [--user U --password P] [--rounds N] [--warmup N] [--out FILE.json]
//        node web_probe.mjs --list-queries      (every query a run may send, a tab, its URL form)
// Environment: CHROMIUM (default /usr/bin/chromium).
import { createRequire } from 'node:module'
import path from 'node:path'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')

// Queries typed per round: one of each list, rotating (two 2-character ones per round).
const QUERIES = {
  1: ['保', '险', '金', '费'],
  2: ['养老', '工伤', '失业', '医疗'],
  4: ['工伤认定', '养老保险', '失业保险', '医疗保险'],
}
const DEBOUNCE_MS = 200 // web/ui/src/views/SearchView.vue: a pause of 200 ms starts the search
const KEY_DELAY_MS = 60

function roundQueries(r) {
  const two = QUERIES[2]
  return [
    two[(2 * r) % two.length],
    QUERIES[1][r % QUERIES[1].length],
    two[(2 * r + 1) % two.length],
    QUERIES[4][r % QUERIES[4].length],
  ]
}

// ---- options -----------------------------------------------------------------------------------
const args = process.argv.slice(2)
if (args.includes('--list-queries')) {
  // With every prefix: a keystroke that comes more than 200 ms after the one before (a loaded
  // machine) sends the prefix typed so far, and the baseline must answer that as well.
  const all = new Set()
  for (const q of [...QUERIES[1], ...QUERIES[2], ...QUERIES[4]]) {
    const cs = [...q]
    for (let k = 1; k <= cs.length; k++) all.add(cs.slice(0, k).join(''))
  }
  // Tab, then the form URLSearchParams sends (UTF-8, upper-case hex; no Han query has a space).
  for (const q of all) console.log(`${q}\t${encodeURIComponent(q)}`)
  process.exit(0)
}
const opt = { targets: [], login: [], user: '', password: '', rounds: 15, warmup: 1, out: '' }
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  const val = () => {
    if (i + 1 >= args.length) die(`${a} needs a value`)
    return args[++i]
  }
  if (a === '--target') {
    const v = val()
    const eq = v.indexOf('=')
    if (eq <= 0) die(`--target takes NAME=URL, got ${v}`)
    opt.targets.push({ name: v.slice(0, eq), base: v.slice(eq + 1).replace(/\/+$/, '') })
  } else if (a === '--login') opt.login.push(val())
  else if (a === '--user') opt.user = val()
  else if (a === '--password') opt.password = val()
  else if (a === '--rounds') opt.rounds = whole(a, val(), 1)
  else if (a === '--warmup') opt.warmup = whole(a, val(), 0)
  else if (a === '--out') opt.out = val()
  else die(`unknown option ${a}`)
}
if (!opt.targets.length) die('no --target')
function die(m) {
  console.error(`web_probe: ${m}`)
  process.exit(2)
}
function whole(name, v, lo) {
  const n = Number(v)
  if (!Number.isInteger(n) || n < lo) die(`${name} needs a whole number >= ${lo}, got ${v}`)
  return n
}

// ---- statistics ----------------------------------------------------------------------------------
function quantile(xs, p) {
  // nearest rank
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return NaN
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]
}
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (!s.length) return NaN
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-')
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-')

// ---- the page side: installed before any of the page's own scripts --------------------------------
function probeInit() {
  const P = (window.__probe = {
    ready: 0, readyFrame: 0, // first page: box + results in the DOM, then the next frame
    want: null, lastInput: 0, inputs: 0, req: 0, resp: 0, shown: 0, frame: 0, prefixes: 0,
  })
  const frameInto = (key) => requestAnimationFrame(() => { P[key] = performance.now() })
  const origFetch = window.fetch
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : (input && input.url) || ''
    let q = null
    if (url.indexOf('/api/v1/records?') >= 0) q = new URL(url, location.href).searchParams.get('q') || ''
    if (q !== null && P.want !== null && q === P.want && !P.req) P.req = performance.now()
    if (q !== null && P.want && q !== P.want) P.prefixes++ // a search for a part of the query
    const p = origFetch.apply(this, arguments)
    if (q !== null)
      p.then(() => { if (P.want !== null && q === P.want && P.req && !P.resp) P.resp = performance.now() }, () => {})
    return p
  }
  document.addEventListener('input', (e) => { P.lastInput = e.timeStamp; P.inputs++ }, true)
  const check = () => {
    if (!P.ready) {
      const box = document.querySelector('[data-testid=search-input]')
      if (box && !box.disabled && document.querySelector('[data-testid=hit]')) {
        P.ready = performance.now()
        frameInto('readyFrame')
      }
    }
    if (P.want !== null && P.resp && !P.shown) {
      // The answer is rendered when the "正在检索" part of the count is gone (result and the
      // loading flag change in the same tick), or an empty or error message shows.
      const count = document.querySelector('[data-testid=result-count]')
      const done = (count && !count.querySelector('span')) || document.querySelector('.results .empty, .results [role=alert]')
      if (done) {
        P.shown = performance.now()
        frameInto('frame')
      }
    }
  }
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true })
}

// ---- the browser ---------------------------------------------------------------------------------
const require = createRequire(path.join(repo, 'web/ui/package.json'))
const { chromium } = require('playwright-core')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const contextOptions = { locale: 'zh-CN', viewport: { width: 1400, height: 1000 } }

let failed = false
try {
  // Sign in once per target that needs it; every round's context starts from that cookie.
  for (const t of opt.targets) {
    t.state = undefined
    if (opt.login.includes(t.name)) {
      const ctx = await browser.newContext(contextOptions)
      const r = await ctx.request.post(t.base + '/api/v1/session', { data: { name: opt.user, password: opt.password } })
      if (r.status() !== 200) throw new Error(`${t.name}: signing in as ${opt.user} answered ${r.status()}: ${await r.text()}`)
      t.state = await ctx.storageState()
      await ctx.close()
    }
    // The answers the page should end up showing, from the target itself.
    const ctx = await browser.newContext({ ...contextOptions, storageState: t.state })
    t.expect = {}
    for (const q of ['', ...new Set([...QUERIES[1], ...QUERIES[2], ...QUERIES[4]])]) {
      const params = new URLSearchParams()
      if (q) params.set('q', q)
      params.set('page', '1')
      params.set('size', '20')
      const r = await ctx.request.get(`${t.base}/api/v1/records?${params}`)
      if (r.status() !== 200) throw new Error(`${t.name}: GET /api/v1/records?${params} answered ${r.status()}`)
      const j = await r.json()
      t.expect[q] = { total: j.total, lower: !!j.total_is_lower_bound, first: j.hits.length ? j.hits[0].reference : '' }
    }
    await ctx.close()
    t.loads = []
    t.typed = []
    t.mismatches = []
    t.badResponses = []
  }

  const expectedShown = async (page, t, q) => {
    const e = t.expect[q]
    const shown = await page.evaluate(() => ({
      first: (document.querySelector('[data-testid=hit-link]') || {}).textContent || '',
      count: ((document.querySelector('[data-testid=result-count]') || {}).textContent || '').trim(),
    }))
    const ok = shown.first.trim() === e.first && shown.count.includes(String(e.total))
    if (!ok) t.mismatches.push(`query "${q}": shown first ${shown.first} "${shown.count}", expected ${e.first} total ${e.total}`)
    return ok
  }

  const waitProbe = (page, key) =>
    page.waitForFunction((k) => window.__probe && window.__probe[k] > 0, key, { timeout: 120000, polling: 50 })

  async function visit(t, r, timed) {
    const context = await browser.newContext({ ...contextOptions, storageState: t.state })
    await context.addInitScript(probeInit)
    const page = await context.newPage()
    page.on('response', (resp) => {
      if (resp.status() >= 400) t.badResponses.push(`${resp.status()} ${resp.url()}`)
    })
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })

    await page.goto(t.base + '/#/search', { waitUntil: 'commit' })
    await waitProbe(page, 'readyFrame')
    await page.waitForFunction(() => performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0, null, { timeout: 60000, polling: 50 })
    const load = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      const res = performance.getEntriesByType('resource')
      const listing = res.find((e) => e.name.includes('/api/v1/records?'))
      const session = res.find((e) => e.name.includes('/api/v1/session'))
      const scripts = res.filter((e) => e.initiatorType === 'script' || /\.js(\?|$)/.test(e.name))
      return {
        ready: window.__probe.ready,
        interactive: window.__probe.readyFrame,
        domInteractive: nav.domInteractive,
        domContentLoaded: nav.domContentLoadedEventEnd,
        loadEventEnd: nav.loadEventEnd,
        scriptsEnd: scripts.length ? Math.max(...scripts.map((e) => e.responseEnd)) : NaN,
        sessionEnd: session ? session.responseEnd : NaN,
        listingStart: listing ? listing.startTime : NaN,
        listingEnd: listing ? listing.responseEnd : NaN,
        listingMs: listing ? listing.responseEnd - listing.startTime : NaN,
        transferBytes: res.reduce((s, e) => s + (e.transferSize || 0), 0) + (nav.transferSize || 0),
      }
    })
    await expectedShown(page, t, '')
    if (timed) t.loads.push(load)

    const box = page.locator('[data-testid=search-input]')
    const typedNow = []
    for (const q of roundQueries(r)) {
      if ((await box.inputValue()) !== '') {
        await page.evaluate(() => Object.assign(window.__probe, { want: '', req: 0, resp: 0, shown: 0, frame: 0 }))
        await box.fill('')
        await waitProbe(page, 'frame')
      }
      await sleep(300)
      await page.evaluate((w) =>
        Object.assign(window.__probe, { want: w, req: 0, resp: 0, shown: 0, frame: 0, lastInput: 0, inputs: 0, prefixes: 0 }), q)
      await box.focus()
      await page.keyboard.type(q, { delay: KEY_DELAY_MS })
      await waitProbe(page, 'frame')
      const p = await page.evaluate(() => ({ ...window.__probe }))
      const s = {
        q,
        chars: [...q].length,
        inputs: p.inputs,
        prefixes: p.prefixes,
        fromKey: p.frame - p.lastInput, // last keystroke -> first frame with the results
        fromKeyDom: p.shown - p.lastInput,
        debounce: p.req - p.lastInput, // last keystroke -> the request leaves (the 200 ms pause)
        answer: p.resp - p.req, // request -> response headers (network + server)
        render: p.frame - p.resp, // response -> painted frame (body, JSON, Vue, layout)
        fromRequest: p.frame - p.req,
      }
      s.ok = await expectedShown(page, t, q)
      if (s.inputs !== s.chars) t.mismatches.push(`query "${q}": ${s.inputs} input events for ${s.chars} characters`)
      typedNow.push(s)
      if (timed) t.typed.push(s)
    }
    await context.close()
    return { load, typed: typedNow }
  }

  const names = opt.targets.map((t) => t.name)
  const width = Math.max(...names.map((n) => n.length))
  for (let r = 0; r < opt.warmup + opt.rounds; r++) {
    const timed = r >= opt.warmup
    const k = r % opt.targets.length
    const order = [...opt.targets.slice(k), ...opt.targets.slice(0, k)]
    for (const t of order) {
      const { load, typed } = await visit(t, r, timed)
      const label = timed ? `round ${r - opt.warmup + 1}` : `warm-up ${r + 1}`
      console.log(
        `${label.padEnd(9)} ${t.name.padEnd(width)} first page ${f1(load.interactive)} ms ` +
          `(DOM ${f1(load.ready)}, domInteractive ${f1(load.domInteractive)}, loadEventEnd ${f1(load.loadEventEnd)}, ` +
          `listing answer ${f1(load.listingMs)} ms); typed: ` +
          typed.map((s) => `${s.q} ${f1(s.fromKey)}${s.prefixes ? '*' : ''}${s.ok ? '' : '!'}`).join(', ') + ' ms',
      )
    }
  }

  // ---- report --------------------------------------------------------------------------------------
  const out = { rounds: opt.rounds, warmup: opt.warmup, debounce_ms: DEBOUNCE_MS, key_delay_ms: KEY_DELAY_MS, targets: {} }
  const stat = (xs) => ({ p50: median(xs), p90: quantile(xs, 0.9), n: xs.filter(Number.isFinite).length })
  for (const t of opt.targets) {
    const L = (k) => stat(t.loads.map((x) => x[k]))
    const T = (k, filter = () => true) => stat(t.typed.filter(filter).map((x) => x[k]))
    t.s = {
      first: L('interactive'), firstDom: L('ready'), domInteractive: L('domInteractive'),
      dcl: L('domContentLoaded'), loadEventEnd: L('loadEventEnd'), scriptsEnd: L('scriptsEnd'),
      sessionEnd: L('sessionEnd'), listingStart: L('listingStart'), listingMs: L('listingMs'),
      transfer: L('transferBytes'),
      typed: T('fromKey'), typedDom: T('fromKeyDom'), debounce: T('debounce'), answer: T('answer'),
      render: T('render'), fromRequest: T('fromRequest'),
      typed1: T('fromKey', (x) => x.chars === 1), typed2: T('fromKey', (x) => x.chars === 2),
      typed4: T('fromKey', (x) => x.chars === 4),
      answer1: T('answer', (x) => x.chars === 1), answer2: T('answer', (x) => x.chars === 2),
      answer4: T('answer', (x) => x.chars === 4),
    }
    t.s.minusDebounce = stat(t.typed.map((x) => x.fromKey - DEBOUNCE_MS))
    out.targets[t.name] = { stats: t.s, loads: t.loads, typed: t.typed, mismatches: t.mismatches, bad_responses: t.badResponses }
  }
  const pp = (s) => `p50 ${f1(s.p50)} p90 ${f1(s.p90)}`
  console.log('')
  for (const t of opt.targets) {
    const s = t.s
    console.log(`${t.name}: ${s.first.n} first loads, ${s.typed.n} typed queries`)
    console.log(`  first page interactive (navigation start -> box and results painted): ${pp(s.first)} ms`)
    console.log(`    results in the DOM ${pp(s.firstDom)}; domInteractive ${pp(s.domInteractive)}; ` +
      `DOMContentLoaded ${pp(s.dcl)}; loadEventEnd ${pp(s.loadEventEnd)}`)
    console.log(`    scripts fetched by ${f1(s.scriptsEnd.p50)}; session answered by ${f1(s.sessionEnd.p50)}; ` +
      `listing sent at ${f1(s.listingStart.p50)}, answered in ${pp(s.listingMs)} ms; ${Math.round(s.transfer.p50)} bytes transferred`)
    console.log(`  typed query -> results painted, from the last keystroke: ${pp(s.typed)} ms ` +
      `(1 char ${pp(s.typed1)}; 2 chars ${pp(s.typed2)}; 4 chars ${pp(s.typed4)})`)
    console.log(`    minus the ${DEBOUNCE_MS} ms debounce: ${pp(s.minusDebounce)}; measured: keystroke -> request ${pp(s.debounce)}, ` +
      `request -> answer ${pp(s.answer)} (1 char ${f1(s.answer1.p50)}, 2 ${f1(s.answer2.p50)}, 4 ${f1(s.answer4.p50)}), ` +
      `answer -> painted ${pp(s.render)}`)
    const withPrefix = t.typed.filter((x) => x.prefixes > 0).length
    if (withPrefix) {
      console.log(`  ${withPrefix} of ${t.typed.length} typed queries also sent a search for a prefix ` +
        `(keystrokes more than ${DEBOUNCE_MS} ms apart on a loaded machine)`)
    }
    if (t.mismatches.length) {
      console.log(`  WARNING: ${t.mismatches.length} displayed answers differ from the target's JSON, e.g. ${t.mismatches[0]}`)
    }
    if (t.badResponses.length) {
      console.log(`  WARNING: ${t.badResponses.length} responses >= 400, e.g. ${t.badResponses[0]}`)
    }
  }
  const base = opt.targets[opt.targets.length - 1]
  for (const t of opt.targets.slice(0, -1)) {
    const ratio = (k, q = 'p50') => t.s[k][q] / base.s[k][q]
    console.log(`ratio ${t.name}/${base.name} (p50): first page ${f2(ratio('first'))}x, typed from last keystroke ` +
      `${f2(ratio('typed'))}x, request -> painted ${f2(ratio('fromRequest'))}x; p90: first page ${f2(ratio('first', 'p90'))}x, ` +
      `typed ${f2(ratio('typed', 'p90'))}x`)
  }
  for (const t of opt.targets) {
    const s = t.s
    console.log(`SUMMARY ${t.name} first_p50 ${f1(s.first.p50)} first_p90 ${f1(s.first.p90)} typed_p50 ${f1(s.typed.p50)} ` +
      `typed_p90 ${f1(s.typed.p90)} nodebounce_p50 ${f1(s.minusDebounce.p50)} nodebounce_p90 ${f1(s.minusDebounce.p90)} ` +
      `request_p50 ${f1(s.fromRequest.p50)} listing_p50 ${f1(s.listingMs.p50)} mismatches ${t.mismatches.length} bad ${t.badResponses.length}`)
  }
  if (opt.out) fs.writeFileSync(opt.out, JSON.stringify(out, null, 1))
} catch (e) {
  failed = true
  console.error(`web_probe: ${e && e.stack ? e.stack : e}`)
} finally {
  await browser.close()
}
process.exit(failed ? 1 : 0)
