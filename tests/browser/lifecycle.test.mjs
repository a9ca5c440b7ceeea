// The 鉴定销毁 page in a real browser (Chromium driven by playwright-core), an archivist and a
// leader in two browser contexts against the server run.sh prepared (old cases filed among the
// sample ones, so that some records are past their retention period today):
//   - the page is in the navigation of roles with appraise.read only (not of the 查询窗口 user);
//   - 到期档案 starts at today, lists with a far due date what the API lists; a record not yet
//     due cannot be proposed for destruction (the server's detail is shown); two records are
//     proposed for destruction and one for extension (its reason, markup, shown as text);
//   - the archivist has no 同意/不同意 and the server refuses the decision (403); the leader gets
//     the note demanded before rejecting, then approves all three;
//   - a hold on one of the two makes the destruction refused (409 detail shown, nothing
//     destroyed: the record page still opens); the hold is released;
//   - one supervisor, or the same one twice, is refused in the page and by the server (422); a
//     wrong password is refused (403 detail); the passwords are cleared after every attempt;
//   - with the archivist and the leader as 监销人 both are destroyed: the tombstones list them
//     with the 销毁清册, whose record page opens (a PDF among its files); the destroyed record
//     answers 404/410 from the API and its page says so;
//   - the purpose of use (利用目的) is asked before the first record view of each sign-in, sent in
//     X-Access-Purpose with the record's request and a download, and kept with the view and
//     download events (read from the catalogue, read-only);
//   - no Content-Security-Policy violation and no uncaught error.
//
// Environment:
//   DANGAN_URL, DANGAN_USER, DANGAN_PASSWORD      the server and an archivist
//   DANGAN_LEADER_USER, DANGAN_LEADER_PASSWORD    a leader (审核/领导)
//   DANGAN_ARCHIVIST2_USER, DANGAN_ARCHIVIST2_PASSWORD  a second archivist, a supervisor
//   DANGAN_NOSTATS_USER, DANGAN_NOSTATS_PASSWORD  optional: a user without appraise.read
//   DANGAN_ROOT                                   optional: the archive, to read access events from
//   CHROMIUM, DANGAN_ARTIFACTS (screenshots on failure)
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import {
  env, base, user, password, check, begin, ok, launch, newPage, checkNoPageErrors, run, signIn, signOut,
  getJson, statePurpose, download,
} from './harness.mjs'

const leader = env('DANGAN_LEADER_USER')
const leaderPw = env('DANGAN_LEADER_PASSWORD')
const second = env('DANGAN_ARCHIVIST2_USER')
const secondPw = env('DANGAN_ARCHIVIST2_PASSWORD')
const otherUser = process.env.DANGAN_NOSTATS_USER || ''
const otherPw = process.env.DANGAN_NOSTATS_PASSWORD || ''
const root = process.env.DANGAN_ROOT || ''

const FAR = '2100-01-01'
const YEARS = { D10: 10, D30: 30, D50: 50, D100: 100, Y: 1e9 }
const enc = encodeURIComponent
const pad = (n) => String(n).padStart(2, '0')
const now = new Date()
const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`

const browser = await launch()
const arch = await newPage(browser, { acceptDownloads: true, timeout: 20000 }) // the archivist
const lead = await newPage(browser, { timeout: 20000 }) // the leader (first the 查询窗口 user)

// The purpose each page's record requests carried (GET /api/v1/records/{档号}[/files/…]).
const sent = []
for (const [who, page] of [['arch', arch], ['lead', lead]])
  page.on('request', (r) => {
    const p = new URL(r.url()).pathname
    if (p.startsWith('/api/v1/records/') && r.method() === 'GET')
      sent.push({ who, path: decodeURIComponent(p), purpose: r.headers()['x-access-purpose'] || '' })
  })

// A request from inside the page, with its session cookie and CSRF token: {status, data}.
async function apiFrom(page, method, p, body) {
  return page.evaluate(async ([method, p, body]) => {
    const s = await (await fetch('/api/v1/session', { credentials: 'same-origin' })).json()
    const headers = { Accept: 'application/json', 'X-CSRF-Token': s.csrf }
    if (body !== null) headers['Content-Type'] = 'application/json'
    const r = await fetch(p, { method, headers, credentials: 'same-origin', body: body === null ? undefined : JSON.stringify(body) })
    let data = null
    try {
      data = await r.json()
    } catch (e) {
      data = null
    }
    return { status: r.status, data }
  }, [method, p, body === undefined ? null : body])
}

async function tab(page, code) {
  await page.click(`[data-testid=lifecycle-tab][data-tab=${code}]`)
  await page.waitForSelector(`[data-testid=lifecycle-panel][data-tab=${code}]`)
}

async function openLifecycle(page) {
  const link = page.locator('[data-testid=nav-lifecycle]')
  await link.waitFor()
  check((await link.textContent()).trim() === '鉴定销毁', 'the nav link is not named 鉴定销毁')
  await link.click()
  await page.waitForSelector('[data-testid=lifecycle-panel][data-tab=due]')
}

const text = async (page, sel) => ((await page.textContent(sel)) || '').trim()
const rowSel = (kind, ref) => `[data-testid=${kind}-row][data-reference="${ref}"]`

async function recordOpens(page, ref) {
  await page.goto(`${base}/#/records/${enc(ref)}`)
  await page.waitForFunction(
    (r) => document.querySelector('[data-testid=record-reference]')?.textContent.trim() === r ||
      document.querySelector('[data-testid=purpose-dialog]'),
    ref,
  )
}
async function waitRecord(page, ref) {
  await page.waitForFunction((r) => document.querySelector('[data-testid=record-reference]')?.textContent.trim() === r, ref)
}

// The access events (view, download) of a record, from the catalogue opened read-only.
const EVENTS_PY = `
import json, sqlite3, sys
db = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
rows = db.execute("SELECT actor, action, detail FROM events WHERE reference = ? AND action IN ('view', 'download') ORDER BY seq", (sys.argv[2],)).fetchall()
print(json.dumps([{'actor': a, 'action': b, 'detail': c} for a, b, c in rows], ensure_ascii=False))
`
function accessEvents(ref) {
  const out = execFileSync('python3', ['-c', EVENTS_PY, path.join(root, 'catalogue.db'), ref], { encoding: 'utf-8' })
  return JSON.parse(out).map((e) => {
    let d = {}
    try {
      d = JSON.parse(e.detail)
    } catch (x) {
      d = {}
    }
    return { ...e, detail: d }
  })
}
async function eventWith(ref, action, actor, purpose) {
  for (let i = 0; i < 40; ++i) {
    const found = accessEvents(ref).find((e) => e.action === action && e.actor === actor && e.detail.purpose === purpose)
    if (found) return found
    await new Promise((r) => setTimeout(r, 100))
  }
  return null
}

let due = [] // the API's list for FAR
let destroyRefs = []
let extendRef = ''
let extendTo = ''
let youngRef = ''

async function navigation() {
  begin('the page is shown to roles with appraise.read only')
  if (otherUser) {
    await signIn(lead, otherUser, otherPw)
    check((await lead.locator('[data-testid=nav-lifecycle]').count()) === 0, `${otherUser} (no appraise.read) sees 鉴定销毁`)
    await lead.goto(`${base}/#/lifecycle`)
    await lead.locator('[data-testid=lifecycle-forbidden]').waitFor()
    const r = await lead.request.get(`${base}/api/v1/appraisals/due`)
    check(r.status() === 403, `GET /api/v1/appraisals/due as ${otherUser} answered ${r.status()}, not 403`)
    await signOut(lead)
    ok(`${otherUser} has no 鉴定销毁 link, the page says so, the API answers 403`)
  }
  await signIn(arch)
  await openLifecycle(arch)
  ok(`${user} (archivist) opens 鉴定销毁`)
}

async function dueList() {
  begin('到期档案 with a far due date')
  const start = await arch.inputValue('[data-testid=due-by]')
  check(start === today, `到期日 starts at ${start}, not today ${today}`)
  const api = await getJson(arch, `/api/v1/appraisals/due?due_by=${FAR}`)
  due = api.records
  check(api.due_by === FAR, `the API answered due_by ${api.due_by}`)
  await arch.fill('[data-testid=due-by]', FAR)
  await arch.click('[data-testid=due-search]')
  await arch.waitForFunction(
    (n) => document.querySelector('[data-testid=due-count]')?.getAttribute('data-count') === String(n) &&
      document.querySelectorAll('[data-testid=due-row]').length === n,
    due.length,
  )
  const shown = await arch.$$eval('[data-testid=due-row]', (rs) => rs.map((r) => r.getAttribute('data-reference')))
  check(JSON.stringify([...shown].sort()) === JSON.stringify(due.map((r) => r.reference).sort()),
    `the page lists ${shown.length} records, not the API's ${due.length}`)
  for (const r of due) check(r.due_on <= FAR, `${r.reference} is due on ${r.due_on}, after ${FAR}`)
  const row = arch.locator(rowSel('due', due[0].reference))
  const cells = await row.textContent()
  check(cells.includes(due[0].due_on) && cells.includes(String(due[0].year)), `the row of ${due[0].reference} lacks its year or due date`)
  check((await row.locator('[data-testid=due-link]').getAttribute('href')).includes(`#/records/${enc(due[0].reference)}`),
    'the 档号 does not link to the record page')

  const ready = due.filter((r) => r.due_on <= today && !r.held && !r.open)
  const d10 = ready.filter((r) => r.retention === 'D10')
  check(d10.length >= 2 && ready.length >= 3, `only ${ready.length} records are due today (${d10.length} of 10 years): run.sh files old cases for this`)
  destroyRefs = d10.slice(0, 2).map((r) => r.reference)
  const ext = ready.find((r) => !destroyRefs.includes(r.reference))
  extendRef = ext.reference
  const young = due.find((r) => r.due_on > today && !r.open)
  youngRef = young ? young.reference : ''
  ok(`${due.length} records due by ${FAR} as the API lists them; ${ready.length} due today: destroy ${destroyRefs.join(', ')}, extend ${extendRef}`)
}

async function propose() {
  begin('proposals')
  const form = arch.locator('[data-testid=propose-form]')
  await form.waitFor()
  const pick = async (refs) => {
    for (const r of refs) await arch.check(`${rowSel('due', r)} [data-testid=due-check]`)
  }
  const decide = (d) => arch.check(`[data-testid=propose-decision][data-decision=${d}]`)

  if (youngRef) {
    check((await arch.locator(`${rowSel('due', youngRef)} [data-testid=due-not-yet]`).count()) === 1, `${youngRef} has no 未到期 mark`)
    await pick([youngRef])
    await decide('destroy')
    await arch.fill('[data-testid=propose-reason]', '保管期满')
    await arch.click('[data-testid=propose-submit]')
    const err = arch.locator('[data-testid=propose-error]')
    await err.waitFor()
    const msg = (await err.textContent()).trim()
    check(msg.length > 0, 'no error for a record not yet due')
    check((await arch.getAttribute(rowSel('due', youngRef), 'data-open')) === null, `${youngRef} got a proposal though not due`)
    await arch.uncheck(`${rowSel('due', youngRef)} [data-testid=due-check]`)
    ok(`a record not yet due is refused for destruction: "${msg}"`)
  }

  await pick(destroyRefs)
  await decide('destroy')
  await arch.fill('[data-testid=propose-reason]', '保管期满，经鉴定无继续保存价值')
  check((await text(arch, '[data-testid=propose-submit]')).includes('2 件'), 'the submit button does not count 2 records')
  await arch.click('[data-testid=propose-submit]')
  await arch.waitForFunction(
    (sels) => sels.every((s) => document.querySelector(s)?.getAttribute('data-open') === 'proposed'),
    destroyRefs.map((r) => rowSel('due', r)),
  )
  check(!(await arch.isChecked(`${rowSel('due', destroyRefs[0])} [data-testid=due-check]`)), 'a proposed record is still checked')
  check(await arch.isDisabled(`${rowSel('due', destroyRefs[0])} [data-testid=due-check]`), 'a record with an open proposal can be checked again')

  const ext = due.find((r) => r.reference === extendRef)
  await pick([extendRef])
  await decide('extend')
  const options = await arch.$$eval('[data-testid=propose-retention] option', (os) => os.map((o) => o.value))
  extendTo = options.find((c) => YEARS[c] > YEARS[ext.retention] && c !== 'Y') || options.find((c) => c === 'Y')
  check(extendTo, `no longer period than ${ext.retention} to extend to among ${options}`)
  await arch.selectOption('[data-testid=propose-retention]', extendTo)
  await arch.fill('[data-testid=propose-reason]', '<img src=x onerror="window.__xss=3">仍有查考价值')
  await arch.click('[data-testid=propose-submit]')
  await arch.waitForFunction((s) => document.querySelector(s)?.getAttribute('data-open') === 'proposed', rowSel('due', extendRef))

  const proposed = (await getJson(arch, '/api/v1/appraisals?state=proposed')).appraisals
  for (const r of destroyRefs) {
    const a = proposed.find((x) => x.reference === r)
    check(a && a.decision === 'destroy' && a.proposed_by === user, `${r}: no destroy proposal by ${user} on the server`)
  }
  const e = proposed.find((x) => x.reference === extendRef)
  check(e && e.decision === 'extend' && e.new_retention === extendTo, `${extendRef}: the server has ${JSON.stringify(e)}`)
  ok(`destroy proposed for ${destroyRefs.join(', ')}, extension of ${extendRef} from ${ext.retention} to ${extendTo}`)
}

async function archivistCannotDecide() {
  begin('the archivist cannot approve')
  await tab(arch, 'appraisals')
  await arch.waitForSelector(rowSel('appraisal', extendRef))
  check((await arch.locator('[data-testid=decide-form]').count()) === 0, 'the archivist sees the decision form')
  check((await arch.locator('[data-testid=appraisal-check]').count()) === 0, 'the archivist can check appraisals')
  const row = arch.locator(rowSel('appraisal', extendRef))
  check((await row.textContent()).includes('<img src=x onerror="window.__xss=3">'), 'the reason is not shown as text')
  check((await arch.locator('img[src=x]').count()) === 0 && (await arch.evaluate(() => window.__xss)) === undefined,
    'the reason was rendered as HTML')
  const ids = (await getJson(arch, '/api/v1/appraisals?state=proposed')).appraisals.map((a) => a.id)
  const r = await apiFrom(arch, 'POST', '/api/v1/appraisals/decisions', { ids, approve: true, note: '' })
  check(r.status === 403, `the archivist's decision answered ${r.status}, not 403`)
  ok('no 同意/不同意 for the archivist; the server refuses the decision (403); the reason stays text')
}

async function leaderApproves() {
  begin('the leader approves')
  await signIn(lead, leader, leaderPw)
  await openLifecycle(lead)
  // ← / → move between the tabs.
  await lead.focus('[data-testid=lifecycle-tab][data-tab=due]')
  await lead.keyboard.press('ArrowRight')
  await lead.waitForSelector('[data-testid=lifecycle-panel][data-tab=appraisals]')
  check(await lead.evaluate(() => document.activeElement?.getAttribute('data-tab') === 'appraisals'), '→ did not move the focus to 鉴定意见')
  const mine = [...destroyRefs, extendRef]
  for (const r of mine) await lead.check(`${rowSel('appraisal', r)} [data-testid=appraisal-check]`)
  await lead.click('[data-testid=decide-reject]')
  await lead.locator('[data-testid=decide-note-error]').waitFor()
  const still = (await getJson(lead, '/api/v1/appraisals?state=proposed')).appraisals.map((a) => a.reference)
  check(mine.every((r) => still.includes(r)), 'a rejection without a note changed something')
  await lead.fill('[data-testid=decide-note]', '同意')
  await lead.click('[data-testid=decide-approve]')
  await lead.waitForFunction((sels) => sels.every((s) => !document.querySelector(s)), mine.map((r) => rowSel('appraisal', r)))
  const all = (await getJson(lead, '/api/v1/appraisals')).appraisals
  for (const r of destroyRefs) {
    const a = all.find((x) => x.reference === r && x.decision === 'destroy')
    check(a && a.state === 'approved' && a.decided_by === leader, `${r}: ${JSON.stringify(a)}`)
  }
  const e = all.find((x) => x.reference === extendRef && x.decision === 'extend')
  check(e && ['approved', 'executed'].includes(e.state), `the extension is ${e && e.state}`)
  await tab(lead, 'destroy')
  await lead.waitForSelector('[data-testid=tombstone-list][data-loaded=true]')
  check((await lead.locator('[data-testid=destroy-form]').count()) === 0, 'the leader (no destroy) sees the destruction form')
  ok(`a rejection needs a note; ${leader} approved the three (extension ${e.state}); the leader has no 执行销毁`)
}

async function fillSupervisors(a, b) {
  await arch.fill('[data-testid=supervisor-name-1]', a ? a[0] : '')
  await arch.fill('[data-testid=supervisor-password-1]', a ? a[1] : '')
  await arch.fill('[data-testid=supervisor-name-2]', b ? b[0] : '')
  await arch.fill('[data-testid=supervisor-password-2]', b ? b[1] : '')
}
async function passwordsCleared() {
  const v = [await arch.inputValue('[data-testid=supervisor-password-1]'), await arch.inputValue('[data-testid=supervisor-password-2]')]
  check(v[0] === '' && v[1] === '', 'a supervisor password is left in the form after the request')
  for (const i of [1, 2])
    check((await arch.getAttribute(`[data-testid=supervisor-password-${i}]`, 'autocomplete')) === 'off', 'a supervisor password field lets the browser fill it')
}
// Checks the two records, names the supervisors, goes through the confirmation; the error shown
// ('' on success).
async function attemptDestroy(a, b) {
  await tab(arch, 'destroy')
  for (const r of destroyRefs) await arch.waitForSelector(rowSel('destroy', r))
  for (const r of destroyRefs) await arch.check(`${rowSel('destroy', r)} [data-testid=destroy-check]`)
  await fillSupervisors(a, b)
  await arch.click('[data-testid=destroy-start]')
  await arch.waitForSelector('[data-testid=destroy-confirm], [data-testid=destroy-error]')
  if (await arch.locator('[data-testid=destroy-error]').count()) return { stage: 'form', error: await text(arch, '[data-testid=destroy-error]') }
  const listed = await text(arch, '[data-testid=destroy-confirm]')
  check(destroyRefs.every((r) => listed.includes(r)), 'the confirmation does not list both records')
  await arch.click('[data-testid=destroy-execute]')
  await arch.waitForSelector('[data-testid=destroy-result], [data-testid=destroy-error]')
  await arch.locator('[data-testid=destroy-confirm]').waitFor({ state: 'detached' })
  const error = (await arch.locator('[data-testid=destroy-error]').count()) ? await text(arch, '[data-testid=destroy-error]') : ''
  return { stage: 'server', error }
}

async function stillThere() {
  for (const r of destroyRefs) {
    const res = await arch.request.get(`${base}/api/v1/records/${enc(r)}`)
    check(res.status() === 200, `${r} answers ${res.status()} after a refused destruction`)
  }
  const t = (await getJson(arch, '/api/v1/destructions')).tombstones.map((x) => x.reference)
  check(!destroyRefs.some((r) => t.includes(r)), 'a tombstone exists after a refused destruction')
}

let holdId = 0
async function holdBlocks() {
  begin('a hold blocks the destruction')
  const [held] = destroyRefs
  await tab(arch, 'holds')
  await arch.waitForSelector('[data-testid=hold-list][data-loaded=true]')
  await arch.check('[data-testid=hold-kind-reference]')
  await arch.fill('[data-testid=hold-reference]', held)
  await arch.fill('[data-testid=hold-reason]', '涉及信访案件，暂缓销毁')
  await arch.click('[data-testid=hold-submit]')
  await arch.waitForSelector(`${rowSel('hold', held)}[data-active=true]`)
  holdId = Number(await arch.getAttribute(rowSel('hold', held), 'data-id'))
  const holds = (await getJson(arch, '/api/v1/holds')).holds
  check(holds.some((h) => h.id === holdId && h.active && h.reference === held), `the server has no active hold ${holdId} on ${held}`)
  // A hold on a query (class 01 of 1990: neither record): an invalid 公民身份号码 is refused in the
  // page, then the hold is placed on the class and year.
  await arch.check('[data-testid=hold-kind-query]')
  await arch.selectOption('[data-testid=hold-class]', '01')
  await arch.fill('[data-testid=hold-year]', '1990')
  await arch.fill('[data-testid=hold-person]', '110101199001011234')
  await arch.fill('[data-testid=hold-reason]', '审计检查')
  const before = (await getJson(arch, '/api/v1/holds')).holds.length
  await arch.click('[data-testid=hold-submit]')
  await arch.waitForSelector('[data-testid=hold-form] em.error')
  check((await getJson(arch, '/api/v1/holds')).holds.length === before, 'a hold with an invalid 公民身份号码 was placed')
  await arch.fill('[data-testid=hold-person]', '')
  await arch.click('[data-testid=hold-submit]')
  await arch.waitForFunction((n) => document.querySelectorAll('[data-testid=hold-row][data-active=true]').length === n + 1, before)
  const q = (await getJson(arch, '/api/v1/holds')).holds.find((h) => !h.reference && h.class === '01' && h.year === 1990)
  check(q, 'the server has no hold on class 01 of 1990')
  const scope = await text(arch, `[data-testid=hold-row][data-id="${q.id}"]`)
  check(scope.includes('门类 01') && scope.includes('1990'), `the query hold is shown as "${scope}"`)
  ok(`a query hold (门类 01, 1990) is placed as #${q.id} after an invalid 公民身份号码 was refused in the page`)

  await tab(arch, 'due')
  await arch.fill('[data-testid=due-by]', FAR)
  await arch.click('[data-testid=due-search]')
  await arch.waitForSelector(`${rowSel('due', held)}[data-held=true] [data-testid=due-held]`)
  ok(`hold ${holdId} placed on ${held}; 到期档案 shows it 保全中`)

  const r = await attemptDestroy([second, secondPw], [leader, leaderPw])
  check(r.stage === 'server' && r.error.length > 0, `the destruction of a held record was not refused (${JSON.stringify(r)})`)
  await passwordsCleared()
  await stillThere()
  await recordOpens(arch, held)
  // The first record view of the archivist's session: the purpose is asked, then sent.
  await statePurpose(arch, '鉴定前核对')
  await waitRecord(arch, held)
  ok(`refused: "${r.error}"; nothing destroyed, ${held} still opens`)
}

async function purposeKept() {
  begin('the purpose of use goes with views and downloads')
  const [held] = destroyRefs
  const purpose = '其他：鉴定前核对'
  const views = sent.filter((s) => s.who === 'arch' && s.path === `/api/v1/records/${held}`)
  check(views.length > 0 && views.every((s) => s.purpose === enc(purpose)), `the record was requested with ${views.map((s) => s.purpose)}`)
  const link = arch.locator('[data-testid=file-link]').first()
  const name = (await link.textContent()).trim()
  const file = await download(arch, () => link.click(), 'the file download')
  check(file.bytes.length > 0 && file.name === name, `the download is ${file.name} (${file.bytes.length} bytes), not ${name}`)
  const dl = sent.filter((s) => s.who === 'arch' && s.path === `/api/v1/records/${held}/files/${name}`)
  check(dl.length > 0 && dl.every((s) => s.purpose === enc(purpose)), `the file was requested with ${dl.map((s) => s.purpose)}`)
  if (root) {
    check(await eventWith(held, 'view', user, purpose), `no view event of ${held} by ${user} with purpose ${purpose}`)
    check(await eventWith(held, 'download', user, purpose), `no download event of ${held} by ${user} with purpose ${purpose}`)
    ok(`the view and the download of ${held} are logged with "${purpose}"`)
  } else ok('the record and file requests carry X-Access-Purpose (DANGAN_ROOT unset: the events were not read)')
}

async function release() {
  begin('the hold is released')
  await arch.goto(`${base}/#/lifecycle/holds`)
  await arch.waitForSelector('[data-testid=lifecycle-panel][data-tab=holds]')
  const row = `[data-testid=hold-row][data-id="${holdId}"]`
  await arch.click(`${row} [data-testid=hold-release]`)
  await arch.click(`${row} [data-testid=hold-release-confirm]`)
  await arch.waitForSelector(row, { state: 'detached' })
  await arch.check('[data-testid=holds-show-released]')
  await arch.waitForSelector(`${row}[data-active=false]`)
  const holds = (await getJson(arch, '/api/v1/holds?all=true')).holds
  check(holds.some((h) => h.id === holdId && !h.active && h.released_by === user), `hold ${holdId} is not released by ${user} on the server`)
  ok(`hold ${holdId} released; shown among the released ones`)
}

async function supervisorsChecked() {
  begin('two different supervisors, each with the right password')
  const one = await attemptDestroy([user, password], null)
  check(one.stage === 'form' && one.error.includes('两名'), `one supervisor was not refused in the page: ${JSON.stringify(one)}`)
  const same = await attemptDestroy([user, password], [user, password])
  check(same.stage === 'form' && same.error.length > 0, `the same supervisor twice was not refused: ${JSON.stringify(same)}`)
  const ids = (await getJson(arch, '/api/v1/appraisals?state=approved')).appraisals
    .filter((a) => destroyRefs.includes(a.reference) && a.decision === 'destroy').map((a) => a.id)
  check(ids.length === 2, `the server has ${ids.length} approved destructions of the two`)
  const api1 = await apiFrom(arch, 'POST', '/api/v1/destructions', { ids, supervisors: [{ name: user, password }] })
  check(api1.status === 422, `one supervisor: the server answered ${api1.status}, not 422`)
  const api2 = await apiFrom(arch, 'POST', '/api/v1/destructions', { ids, supervisors: [{ name: user, password }, { name: user, password }] })
  check(api2.status === 422, `the same supervisor twice: the server answered ${api2.status}, not 422`)
  ok(`one supervisor or the same one twice: refused in the page ("${one.error}") and by the server (422)`)

  // The archivist carrying it out cannot be one of its supervisors.
  const self = await apiFrom(arch, 'POST', '/api/v1/destructions', { ids, supervisors: [{ name: user, password }, { name: leader, password: leaderPw }] })
  check(self.status === 422, `the archivist supervising their own destruction: the server answered ${self.status}, not 422`)
  const wrong = await attemptDestroy([leader, leaderPw], [second, 'not-the-password-1'])
  check(wrong.stage === 'server' && wrong.error.length > 0, `a wrong password was not refused: ${JSON.stringify(wrong)}`)
  await passwordsCleared()
  await stillThere()
  ok(`a wrong password of ${second} is refused: "${wrong.error}"; passwords cleared, nothing destroyed`)
}

async function destroy() {
  begin('destruction with two supervisors')
  const r = await attemptDestroy([second, secondPw], [leader, leaderPw])
  check(r.stage === 'server' && r.error === '', `the destruction failed: ${r.error}`)
  await passwordsCleared()
  const result = await text(arch, '[data-testid=destroy-result]')
  check(destroyRefs.every((x) => result.includes(x)), `the result does not name both records: ${result}`)
  const register = await text(arch, '[data-testid=destroy-result-register]')
  check(register.length > 0, 'the result names no 销毁清册')

  await arch.waitForFunction((sels) => sels.every((s) => document.querySelector(s)), destroyRefs.map((x) => rowSel('tombstone', x)))
  const api = (await getJson(arch, '/api/v1/destructions')).tombstones
  for (const x of destroyRefs) {
    const t = api.find((y) => y.reference === x)
    check(t, `no tombstone of ${x} on the server`)
    check(t.proposed_by === user && t.approved_by === leader, `${x}: proposed by ${t.proposed_by}, approved by ${t.approved_by}`)
    check([second, leader].every((s) => t.supervisors.includes(s)), `${x}: supervised by ${t.supervisors}`)
    check(t.register_reference === register, `${x}: register ${t.register_reference}, the page said ${register}`)
    const row = rowSel('tombstone', x)
    check((await text(arch, `${row} [data-testid=tombstone-register]`)) === register, `the tombstone of ${x} does not link ${register}`)
    check((await text(arch, row)).includes(`${second}、${leader}`) || (await text(arch, row)).includes(`${leader}、${second}`), `the tombstone of ${x} does not name both supervisors`)
  }
  ok(`both destroyed; tombstones list them with 销毁清册 ${register}`)

  // Gone from the API and from the record page.
  for (const x of destroyRefs) {
    const res = await apiFrom(arch, 'GET', `/api/v1/records/${enc(x)}`)
    check(res.status === 404 || res.status === 410, `GET /api/v1/records/${x} answers ${res.status} after the destruction`)
  }
  await arch.goto(`${base}/#/records/${enc(destroyRefs[1])}`)
  await arch.waitForSelector('[data-testid=record-error][data-status=gone]')
  ok(`the destroyed records answer 404/410; the record page says "${await text(arch, '[data-testid=record-error]')}"`)

  // The 销毁清册 opens from the tombstones list, with a PDF among its files.
  await arch.goto(`${base}/#/lifecycle/destroy`)
  await arch.click(`${rowSel('tombstone', destroyRefs[0])} [data-testid=tombstone-register]`)
  await waitRecord(arch, register)
  const files = await arch.$$eval('[data-testid=file-link]', (as) => as.map((a) => a.textContent.trim()))
  check(files.some((f) => /\.pdf$/i.test(f)), `the 销毁清册 ${register} has no PDF: ${files}`)
  // The leader's first record view asks for the leader's purpose.
  await tab(lead, 'holds') // back to 销毁: its lists are read again
  await tab(lead, 'destroy')
  await lead.click(`${rowSel('tombstone', destroyRefs[0])} [data-testid=tombstone-register]`)
  await statePurpose(lead, '审计检查')
  await waitRecord(lead, register)
  const leads = sent.filter((s) => s.who === 'lead' && s.path === `/api/v1/records/${register}`)
  check(leads.length > 0 && leads.every((s) => s.purpose === enc('审计检查')), `the leader's request carried ${leads.map((s) => s.purpose)}`)
  ok(`the 销毁清册 ${register} opens (files ${files.join(', ')}), for the leader with purpose 审计检查`)
}

await run('lifecycle', browser, [['lifecycle-archivist.png', arch], ['lifecycle-leader.png', lead]], async () => {
  await navigation()
  await dueList()
  await propose()
  await archivistCannotDecide()
  await leaderApproves()
  await holdBlocks()
  await purposeKept()
  await release()
  await supervisorsChecked()
  await destroy()
  checkNoPageErrors('either page')
})
