// The public inquiry service (查档) in a real browser, two people at once against the same server
// as the other browser tests: a requester in a context that never signs in (the portal, #/portal)
// and an archivist signed in to the workbench (#/inquiries) in another.
//   - the sign-in page links to the portal; the portal shows no workbench navigation;
//   - the guide (一次告知) is shown in full before the form and says what the API says;
//   - an invalid 公民身份号码 is refused in the page (no request sent), a field the server refuses
//     shows the server's message beside the field;
//   - a submission gives a number and an access code; before approval no record is shown;
//   - the archivist sees the request with its timing and the records under the identifier, and
//     approves; the requester then sees exactly those records, downloads a watermarked copy and
//     the 查档证明 (both PDF), which verifies as genuine on the verify page, a wrong code does not;
//   - a rating is accepted once; a complaint is answered by the archivist and the answer shown;
//   - a second request (as the unit) rejected with a reason shows the reason;
//   - the 利用台账 CSV holds the request; the dashboard's 查档服务 figures equal the API's;
//   - markup in a served record's title stays text; no Content-Security-Policy violation.
//
// Environment:
//   DANGAN_URL             base URL of the server
//   DANGAN_USER            an archivist (inquiry.handle, report, stats);  DANGAN_PASSWORD
//   DANGAN_INQUIRY_NAME    the name and 公民身份号码 of a person with filed records
//   DANGAN_INQUIRY_ID
//   DANGAN_INQUIRY_UNIT    optional: a 统一社会信用代码 of a unit (for the rejected request)
//   DANGAN_XSS_REF         optional: a record of that person whose title is a script injection
//   CHROMIUM, DANGAN_ARTIFACTS (screenshots on failure)
import {
  env, base, check, begin, ok, launch, newPage, checkNoPageErrors, run, signIn as signInAs, getJson,
  download, isPdf, parseCsv,
} from './harness.mjs'

const personName = env('DANGAN_INQUIRY_NAME')
const personId = env('DANGAN_INQUIRY_ID')
const unitCode = process.env.DANGAN_INQUIRY_UNIT || ''
const xssRef = process.env.DANGAN_XSS_REF || ''

const browser = await launch()
const pub = await newPage(browser, { acceptDownloads: true }) // the requester: never signs in
const staff = await newPage(browser, { acceptDownloads: true }) // the archivist

// What the page must show for a server time, written independently of the page's code.
const shownTime = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
const text = async (page, sel) => ((await page.textContent(sel)) || '').trim()

// A 公民身份号码 with the wrong check character (the right one is computed, then changed).
function wrongCheckDigit(id) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; ++i) sum += Number(id[i]) * w[i]
  const right = '10X98765432'[sum % 11]
  check(id[17].toUpperCase() === right, `DANGAN_INQUIRY_ID ${id} is not a valid 公民身份号码 itself`)
  return id.slice(0, 17) + (right === '1' ? '2' : '1')
}

let guide = null
let number = ''
let code = ''
let served = []
let certificate = null

async function portalEntry() {
  begin('the portal is reached from the sign-in page without signing in')
  await pub.goto(base + '/')
  await pub.locator('[data-testid=login-form]').waitFor()
  const link = pub.locator('[data-testid=portal-link]')
  check((await link.textContent()).trim() === '社会公众查档', 'the sign-in page has no 社会公众查档 link')
  await link.click()
  await pub.locator('[data-testid=portal]').waitFor()
  check(pub.url().includes('#/portal'), `the link leads to ${pub.url()}`)
  check((await pub.locator('[data-testid=login-form]').count()) === 0, 'the sign-in form is still shown on the portal')
  check((await pub.locator('[data-testid=nav-search], [data-testid=user-name], .topbar').count()) === 0,
    'the portal shows the workbench navigation')
  // A direct link works as well, and a reload stays on the portal.
  await pub.goto(base + '/#/portal')
  await pub.reload()
  await pub.locator('[data-testid=portal-guide]').waitFor()
  check((await pub.locator('[data-testid=login-form]').count()) === 0, 'a reload of #/portal shows the sign-in form')
  ok('社会公众查档 opens the portal; no sign-in, no workbench navigation')
}

async function guideFirst() {
  begin('办事指南 before the form')
  const r = await pub.request.get(base + '/api/v1/public/inquiry-guide')
  check(r.status() === 200, `GET the guide answered ${r.status()}`)
  guide = await r.json()
  await pub.locator('[data-testid=inquiry-form]').waitFor()
  const order = await pub.evaluate(() => {
    const g = document.querySelector('[data-testid=portal-guide]')
    const f = document.querySelector('[data-testid=inquiry-form]')
    return Boolean(g.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING)
  })
  check(order, 'the form comes before the guide')
  const days = await text(pub, '[data-testid=guide-days]')
  check(days.includes(`${guide.promised_working_days} 个工作日`), `the promised time reads "${days}"`)
  const guideText = await text(pub, '[data-testid=portal-guide]')
  for (const t of guide.requester_types) {
    const sel = `[data-testid=${t.online ? 'guide-online' : 'guide-window'}][data-code="${t.code}"]`
    check((await pub.locator(sel).count()) === 1, `the guide does not list ${t.name} as ${t.online ? 'online' : 'at the window'}`)
    const row = await text(pub, sel)
    check(row.includes(t.name), `the guide's row for ${t.code} does not name ${t.name}`)
    for (const d of [...(t.documents || []), ...(t.identifiers || [])])
      check(row.includes(d), `the guide's row for ${t.name} does not say "${d}"`)
  }
  for (const p of guide.purposes) check(guideText.includes(p), `the guide does not list the purpose ${p}`)
  const notices = await pub.$$eval('[data-testid=guide-notice] li', (ls) => ls.map((l) => l.textContent.trim()))
  check(notices.join('\n') === guide.notice.join('\n'), 'the notice list differs from the API\'s')
  const purposes = await pub.$$eval('[data-testid=apply-purpose] option:not([disabled])', (os) => os.map((o) => o.value))
  check(purposes.join() === guide.purposes.join(), `the purposes offered are ${purposes}`)
  ok(`the guide (${guide.requester_types.length} kinds of requester, ${guide.notice.length} notices, ${guide.promised_working_days} working days) precedes the form`)
}

async function fillForm({ type = 'person', name, identifier, purpose, contact }) {
  await pub.check(`[data-testid=type-${type}]`)
  await pub.fill('[data-testid=apply-name]', name)
  await pub.fill('[data-testid=apply-identifier]', identifier)
  await pub.selectOption('[data-testid=apply-purpose]', purpose)
  await pub.fill('[data-testid=apply-contact]', contact)
}

async function refusals() {
  begin('an invalid 公民身份号码 is refused in the page')
  let posts = 0
  const countPosts = (req) => {
    if (req.method() === 'POST' && req.url().endsWith('/api/v1/public/inquiries')) ++posts
  }
  pub.on('request', countPosts)
  await fillForm({ name: personName, identifier: wrongCheckDigit(personId), purpose: guide.purposes[0], contact: '13800138000' })
  await pub.click('[data-testid=apply-submit]')
  const msg = pub.locator('[data-testid=error-identifier]')
  await msg.waitFor()
  check((await msg.textContent()).includes('校验'), `the identifier's message is "${await msg.textContent()}"`)
  await pub.fill('[data-testid=apply-identifier]', personId.slice(0, 16))
  await pub.click('[data-testid=apply-submit]')
  await pub.waitForFunction(() => document.querySelector('[data-testid=error-identifier]')?.textContent.includes('18'))
  if (unitCode) {
    await pub.check('[data-testid=type-unit]')
    await pub.fill('[data-testid=apply-identifier]', unitCode.slice(0, 17) + (unitCode[17] === '0' ? '1' : '0'))
    await pub.click('[data-testid=apply-submit]')
    await pub.waitForFunction(() => document.querySelector('[data-testid=error-identifier]')?.textContent.includes('统一社会信用代码'))
    await pub.check('[data-testid=type-person]')
  }
  await pub.waitForTimeout(300)
  check(posts === 0, `${posts} submissions were sent with an invalid identifier`)
  check(pub.url().includes('#/portal') && !pub.url().includes('status'), 'the page moved on after a refusal')
  ok('wrong check digit, wrong length and a wrong 统一社会信用代码 are refused before sending')

  begin('the server\'s field errors are shown')
  // 21 characters are 63 bytes: valid here, refused by the server (a person's name ≤ 60 bytes).
  await fillForm({ name: '张'.repeat(21), identifier: personId, purpose: guide.purposes[0], contact: '13800138000' })
  const [resp] = await Promise.all([
    pub.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/public/inquiries')),
    pub.click('[data-testid=apply-submit]'),
  ])
  check(resp.status() === 422, `the long name was answered ${resp.status()}`)
  const nameError = pub.locator('[data-testid=error-name]')
  await nameError.waitFor()
  check((await nameError.textContent()).trim().length > 0, 'the server\'s name error is empty')
  check(posts === 1, `${posts} submissions sent`)
  pub.off('request', countPosts)
  ok(`the server's 422 is shown beside the name: "${(await nameError.textContent()).trim()}"`)
}

async function submit() {
  begin('submission gives a number and an access code')
  await fillForm({ name: personName, identifier: personId, purpose: guide.purposes[0], contact: '13800138000' })
  const [resp] = await Promise.all([
    pub.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/public/inquiries')),
    pub.click('[data-testid=apply-submit]'),
  ])
  check(resp.status() === 201, `the submission was answered ${resp.status()}`)
  const made = await resp.json()
  await pub.locator('[data-testid=submitted-banner]').waitFor()
  check(pub.url().includes('#/portal/status'), `after submitting the page is ${pub.url()}`)
  number = await text(pub, '[data-testid=new-number]')
  code = await text(pub, '[data-testid=new-code]')
  check(number === made.number && code === made.access_code, `the page shows ${number} / ${code}, the server said ${made.number}`)
  check(number.length > 0 && code.length >= 6, 'the number or the code is empty')
  const banner = await text(pub, '[data-testid=submitted-banner]')
  check(banner.includes('请妥善保存'), 'the banner does not say 请妥善保存')
  check((await text(pub, '[data-testid=new-due]')).includes(shownTime(made.due_at)), `the promised time is not shown as ${shownTime(made.due_at)}`)

  begin('before approval no record is shown')
  await pub.waitForSelector(`[data-testid=inquiry-status][data-number="${number}"][data-state=submitted]`)
  await pub.locator('[data-testid=status-pending]').waitFor()
  check((await pub.locator('[data-testid=status-record], [data-testid=status-records], [data-testid=certificate]').count()) === 0,
    'records are listed before approval')
  const api = await pub.request.get(`${base}/api/v1/public/inquiries/${encodeURIComponent(number)}`, { headers: { 'X-Inquiry-Code': code } })
  check(api.status() === 200, `the status API answered ${api.status()}`)
  const body = await api.json()
  check(body.state === 'submitted' && !('records' in body), 'the status API reveals records before approval')
  const wrong = await pub.request.get(`${base}/api/v1/public/inquiries/${encodeURIComponent(number)}`, { headers: { 'X-Inquiry-Code': 'x' + code } })
  check(wrong.status() === 404, `a wrong code was answered ${wrong.status()}`)
  // The status page by number and code typed in (a fresh page: nothing remembered).
  await pub.reload()
  await pub.locator('[data-testid=status-form]').waitFor()
  check((await pub.inputValue('[data-testid=status-code]')) === '', 'the access code survives a reload')
  await pub.fill('[data-testid=status-number]', number)
  await pub.fill('[data-testid=status-code]', 'wrong-code')
  await pub.click('[data-testid=status-submit]')
  await pub.locator('[data-testid=status-error]').waitFor()
  await pub.fill('[data-testid=status-code]', code)
  await pub.click('[data-testid=status-submit]')
  await pub.waitForSelector(`[data-testid=inquiry-status][data-number="${number}"][data-state=submitted]`)
  check((await pub.locator('[data-testid=status-record]').count()) === 0, 'records are listed before approval')
  ok(`request ${number}: the status page shows 办理中 and no record; a wrong code is refused`)
}

const signIn = () => signInAs(staff)
const staffJson = (p) => getJson(staff, p)

const TIMING_BADGE = { near_due: '临近', overdue: '超时', late: '超时', on_time: '' }
const RANK = { overdue: 0, late: 0, near_due: 1, on_time: 2 }

async function approve() {
  begin('the archivist sees the request and approves')
  await signIn()
  const link = staff.locator('[data-testid=nav-inquiries]')
  await link.waitFor()
  check((await link.textContent()).trim() === '查档申请', 'the nav link is not named 查档申请')
  await link.click()
  const row = staff.locator(`[data-testid=inquiry-row][data-number="${number}"]`)
  await row.waitFor()
  const list = await staffJson('/api/v1/inquiries?state=submitted')
  const item = list.items.find((q) => q.number === number)
  check(item, 'the API does not list the request as submitted')
  check((await row.getAttribute('data-timing')) === item.timing, `the row's timing is ${await row.getAttribute('data-timing')}, the API's ${item.timing}`)
  const badge = row.locator('[data-testid=inquiry-timing]')
  const want = TIMING_BADGE[item.timing]
  check(want ? (await badge.textContent()).trim() === want : (await badge.count()) === 0,
    `the timing badge for ${item.timing} is wrong`)
  check((await row.textContent()).includes(shownTime(item.due_at)), 'the row does not show the promised time')
  const timings = await staff.$$eval('[data-testid=inquiry-row]', (rs) => rs.map((r) => r.getAttribute('data-timing')))
  for (let i = 1; i < timings.length; ++i)
    check(RANK[timings[i - 1]] <= RANK[timings[i]], `the list is not overdue first: ${timings}`)
  ok(`the request is listed (timing ${item.timing}${want ? `, badge ${want}` : ''}), ${timings.length} open requests overdue first`)

  await row.click()
  const detailSel = `[data-testid=inquiry-detail][data-number="${number}"]`
  await staff.waitForSelector(`${detailSel}[data-state=submitted]`)
  const detail = await staffJson(`/api/v1/inquiries/${encodeURIComponent(number)}`)
  check(detail.matches.length > 0, 'no record matches the requester: nothing to test')
  check((await text(staff, '[data-testid=detail-name]')) === personName, 'the detail does not name the requester')
  check((await text(staff, '[data-testid=detail-identifier]')) === personId, 'the detail does not show the identifier')
  check((await text(staff, '[data-testid=detail-purpose]')) === guide.purposes[0], 'the detail does not show the purpose')
  check((await text(staff, '[data-testid=detail-contact]')) === '13800138000', 'the detail does not show the contact')
  const shown = await staff.$$eval('[data-testid=inquiry-match]', (rs) => rs.map((r) => ({
    ref: r.getAttribute('data-reference'),
    checked: r.querySelector('[data-testid=match-check]').checked,
    mismatch: !!r.querySelector('[data-testid=name-mismatch]'),
  })))
  check(shown.map((s) => s.ref).join() === detail.matches.map((m) => m.reference).join(),
    `the page lists ${shown.map((s) => s.ref)}, the API ${detail.matches.map((m) => m.reference)}`)
  detail.matches.forEach((m, i) => {
    check(shown[i].mismatch === !m.name_matches, `${m.reference}: 姓名不一致 shown ${shown[i].mismatch}, name_matches ${m.name_matches}`)
    check(shown[i].checked === !!m.name_matches, `${m.reference}: checked ${shown[i].checked}`)
  })
  if (xssRef) check(shown.some((s) => s.ref === xssRef), `the injection record ${xssRef} is not among the matches`)
  served = detail.matches.filter((m) => m.name_matches).map((m) => m.reference)
  check(served.length > 0, 'no match has the requester\'s name')
  // Identity checked (the test plays the archivist who called the requester): copies online.
  await staff.check('[data-testid=inquiry-copies]')
  await staff.click('[data-testid=inquiry-approve]')
  await staff.waitForSelector(`${detailSel}[data-state=approved]`)
  const after = await staffJson(`/api/v1/inquiries/${encodeURIComponent(number)}`)
  check(after.state === 'approved', `the request is ${after.state} after approving`)
  check([...after.served].sort().join() === [...served].sort().join(), `served ${after.served}, checked ${served}`)
  check(after.certificate && after.certificate.serial, 'no certificate was issued')
  check((await staff.locator('[data-testid=match-served]').count()) === served.length, 'the served records are not marked 已提供')
  ok(`approved: ${served.length} records served, certificate ${after.certificate.serial}`)
}

async function served_() {
  begin('the requester sees exactly the served records')
  await pub.click('[data-testid=status-refresh]')
  await pub.waitForSelector(`[data-testid=inquiry-status][data-number="${number}"][data-state=approved]`)
  const refs = await pub.$$eval('[data-testid=status-record]', (rs) => rs.map((r) => r.getAttribute('data-reference')))
  check(refs.length === served.length && [...refs].sort().join() === [...served].sort().join(),
    `the status page lists ${refs}, served were ${served}`)
  if (xssRef && refs.includes(xssRef)) {
    const title = await text(pub, `[data-testid=status-record][data-reference="${xssRef}"] td:nth-child(2)`)
    check(title.includes('<script>'), `the injection title is not shown as text: "${title}"`)
  }
  for (const p of [pub, staff]) check(await p.evaluate(() => window.__xss === undefined), 'a record title ran as script')
  ok(`${refs.length} records listed, as served; markup in titles shown as text`)

  begin('a watermarked copy and the 查档证明 download as PDF')
  const first = pub.locator('[data-testid=file-download]').first()
  check((await pub.locator('[data-testid=file-download]').count()) > 0, 'no file to download')
  const copy = await download(pub, () => first.click())
  check(isPdf(copy.bytes), `the copy ${copy.name} is not a PDF (${copy.bytes.toString('latin1', 0, 8)})`)
  check(copy.name.endsWith('.pdf'), `the copy is named ${copy.name}`)
  ok(`watermarked copy ${copy.name}: ${copy.bytes.length} bytes of PDF`)
  certificate = {
    serial: await text(pub, '[data-testid=certificate-serial]'),
    code: await text(pub, '[data-testid=certificate-code]'),
  }
  check(certificate.serial && certificate.code, 'the certificate\'s serial or code is not shown')
  const cert = await download(pub, () => pub.click('[data-testid=certificate-download]'))
  check(isPdf(cert.bytes), `the 查档证明 ${cert.name} is not a PDF`)
  ok(`查档证明 ${certificate.serial}: ${cert.name}, ${cert.bytes.length} bytes of PDF`)
}

async function verify() {
  begin('the certificate verifies on the verify page')
  await pub.click('[data-testid=certificate-verify-link]')
  await pub.locator('[data-testid=verify-form]').waitFor()
  check((await pub.inputValue('[data-testid=verify-serial]')) === certificate.serial, 'the serial is not filled in')
  await pub.fill('[data-testid=verify-code]', certificate.code)
  await pub.click('[data-testid=verify-submit]')
  await pub.waitForSelector('[data-testid=verify-result][data-genuine=true]')
  const wrong = certificate.code.slice(0, -1) + (certificate.code.endsWith('0') ? '1' : '0')
  await pub.fill('[data-testid=verify-code]', wrong)
  await pub.click('[data-testid=verify-submit]')
  await pub.waitForSelector('[data-testid=verify-result][data-genuine=false]')
  const api = await pub.request.get(`${base}/api/v1/reports/certificates/${encodeURIComponent(certificate.serial)}/verification?code=${encodeURIComponent(wrong)}`)
  check(api.status() === 200 && (await api.json()).genuine === false, 'the API takes the wrong code for genuine')
  await pub.fill('[data-testid=verify-serial]', 'NO-SUCH-SERIAL')
  await pub.fill('[data-testid=verify-code]', certificate.code)
  await pub.click('[data-testid=verify-submit]')
  await pub.waitForSelector('[data-testid=verify-result][data-genuine=false]')
  ok('genuine with its code; not with a wrong code or an unknown serial')
}

async function openStatus() {
  await pub.click('[data-testid=portal-nav-status]')
  await pub.waitForSelector(`[data-testid=inquiry-status][data-number="${number}"]`)
}

async function rateAndComplain() {
  begin('服务评价 once')
  await openStatus()
  const options = await pub.$$eval('[data-testid=rating-option]', (bs) => bs.map((b) => b.getAttribute('data-rating')))
  check(options.join() === guide.ratings.join(), `the rating buttons are ${options}`)
  const rating = guide.ratings[0]
  await pub.click(`[data-testid=rating-option][data-rating="${rating}"]`)
  await pub.fill('[data-testid=rating-comment]', '办理及时')
  await pub.click('[data-testid=rating-submit]')
  await pub.locator('[data-testid=rating-done]').waitFor()
  check((await text(pub, '[data-testid=rating-value]')) === rating, 'the rating shown is not the one given')
  check((await pub.locator('[data-testid=rating-form]').count()) === 0, 'the rating form is still offered')
  const again = await pub.request.post(`${base}/api/v1/public/inquiries/${encodeURIComponent(number)}/rating`, {
    headers: { 'X-Inquiry-Code': code }, data: { rating: guide.ratings[guide.ratings.length - 1], comment: '' },
  })
  check(again.status() === 409, `a second rating was answered ${again.status()}`)
  ok(`rated ${rating}; the form is gone and a second rating is refused (409)`)

  begin('投诉 and the archivist\'s answer')
  const complaint = '下载的复制件 <b>看不清</b>，请核实。'
  await pub.fill('[data-testid=complaint-input]', complaint)
  await pub.click('[data-testid=complaint-submit]')
  await pub.locator('[data-testid=complaint-waiting]').waitFor()
  check((await text(pub, '[data-testid=complaint-text]')) === complaint, 'the complaint is not shown as written')
  check((await pub.locator('[data-testid=complaint-form]').count()) === 0, 'the complaint form is still offered')

  await staff.goto(`${base}/#/inquiries/${encodeURIComponent(number)}?state=approved`)
  await staff.click('[data-testid=inquiries-refresh]')
  const row = staff.locator(`[data-testid=inquiry-row][data-number="${number}"]`)
  await row.waitFor()
  await row.locator('[data-testid=inquiry-complaint-open]').waitFor()
  await staff.waitForSelector(`[data-testid=inquiry-detail][data-number="${number}"] [data-testid=detail-complaint-text]`)
  check((await text(staff, '[data-testid=detail-complaint-text]')) === complaint, 'the archivist does not see the complaint as written')
  const answer = '已重新生成复制件，请再次下载。'
  await staff.fill('[data-testid=answer-input]', answer)
  await staff.click('[data-testid=answer-submit]')
  await staff.locator('[data-testid=detail-answer]').waitFor()
  await row.locator('[data-testid=inquiry-complaint-open]').waitFor({ state: 'detached' })

  await pub.click('[data-testid=status-refresh]')
  await pub.locator('[data-testid=complaint-answer]').waitFor()
  check((await text(pub, '[data-testid=complaint-answer]')) === answer, 'the requester does not see the answer')
  ok('the complaint reaches the archivist, whose answer the requester reads')
}

async function rejected() {
  if (!unitCode) return
  begin('a request rejected with a reason')
  await pub.click('[data-testid=portal-nav-apply]')
  await pub.locator('[data-testid=inquiry-form]').waitFor()
  await fillForm({ type: 'unit', name: '测试单位', identifier: unitCode, purpose: guide.purposes[guide.purposes.length - 1], contact: 'hr@example.com' })
  await pub.click('[data-testid=apply-submit]')
  await pub.locator('[data-testid=submitted-banner]').waitFor()
  const second = await text(pub, '[data-testid=new-number]')
  check(second && second !== number, 'the second request has no new number')
  await staff.goto(`${base}/#/inquiries/${encodeURIComponent(second)}`)
  await staff.waitForSelector(`[data-testid=inquiry-detail][data-number="${second}"][data-state=submitted]`)
  const reason = '申请单位名称与统一社会信用代码登记的名称不一致，请携带单位介绍信到窗口办理。'
  await staff.fill('[data-testid=inquiry-reason]', reason)
  await staff.click('[data-testid=inquiry-reject]')
  await staff.waitForSelector(`[data-testid=inquiry-detail][data-number="${second}"][data-state=rejected]`)
  await pub.click('[data-testid=status-refresh]')
  await pub.waitForSelector(`[data-testid=inquiry-status][data-number="${second}"][data-state=rejected]`)
  check((await text(pub, '[data-testid=status-reason]')) === reason, 'the requester does not see the reason')
  check((await pub.locator('[data-testid=status-record]').count()) === 0, 'a rejected request lists records')
  ok(`request ${second} rejected; the requester reads the reason`)
}

async function ledger() {
  begin('利用台账 CSV')
  const link = staff.locator('[data-testid=ledger-csv]')
  await link.waitFor()
  const { name, bytes } = await download(staff, () => link.click())
  const csv = bytes.toString('utf8')
  check(csv.charCodeAt(0) === 0xfeff, 'the ledger has no byte order mark')
  const rows = parseCsv(csv.slice(1))
  check(rows[0][0] === '申请编号', `the ledger's first heading is ${rows[0][0]}`)
  const line = rows.find((r) => r[0] === number)
  check(line, `the ledger ${name} does not hold ${number}`)
  check(line.includes(guide.ratings[0]), 'the ledger line does not hold the rating')
  ok(`${name}: ${rows.length - 1} requests, ${number} among them`)
}

async function dashboard() {
  begin('the dashboard\'s 查档服务 figures')
  await staff.goto(`${base}/#/dashboard`)
  const panel = '[data-testid=stat-panel][data-panel=inquiries]'
  await staff.locator(panel).waitFor()
  const stats = await staffJson('/api/v1/stats/inquiries')
  check(stats.requests >= 1 && stats.approved >= 1, 'the figures do not count the test\'s request')
  const cells = await staff.$$eval(`${panel} [data-testid=stat-row]`, (rs) => rs.map((r) => {
    const v = r.querySelector('td[data-col=value]')
    return { key: r.getAttribute('data-key'), value: Number(v.getAttribute('data-value')), text: v.textContent.trim() }
  }))
  const byKey = new Map(cells.map((c) => [c.key, c]))
  for (const [k, v] of Object.entries(stats)) {
    if (k === 'ratings') continue
    const c = byKey.get(k)
    check(c, `the panel has no row for ${k}`)
    check(c.value === v, `${k}: the panel says ${c.value}, the API ${v}`)
    check(c.text.replace(/,/g, '') === String(v), `${k}: shown as "${c.text}" for ${v}`)
  }
  for (const r of stats.ratings) {
    const c = byKey.get(`rating:${r.rating}`)
    check(c && c.value === r.count, `rating ${r.rating}: the panel says ${c && c.value}, the API ${r.count}`)
  }
  check(stats.ratings.find((r) => r.rating === guide.ratings[0]).count >= 1, 'the rating given is not counted')
  const bars = await staff.$$eval(`${panel} [data-testid=chart-bar]`, (bs) => bs.map((b) => [b.getAttribute('data-key'), Number(b.getAttribute('data-total'))]))
  check(bars.length === stats.ratings.length, `the chart has ${bars.length} bars for ${stats.ratings.length} ratings`)
  stats.ratings.forEach((r, i) => check(bars[i][0] === `rating:${r.rating}` && bars[i][1] === r.count, `bar ${i} is ${bars[i]}`))
  const png = await download(staff, () => staff.click(`${panel} [data-testid=export-png]`))
  check(png.bytes.toString('latin1', 1, 4) === 'PNG', 'the PNG export is not a PNG')
  const csv = await download(staff, () => staff.click(`${panel} [data-testid=export-csv]`))
  const lines = parseCsv(csv.bytes.toString('utf8').slice(1))
  check(lines.length === cells.length + 1, `the CSV has ${lines.length - 1} rows, the table ${cells.length}`)
  ok(`${cells.length} figures equal /api/v1/stats/inquiries; ${bars.length} rating bars; CSV and PNG export`)
}

await run('inquiry', browser, [['inquiry-portal-failure.png', pub], ['inquiry-staff-failure.png', staff]], async () => {
  await portalEntry()
  await guideFirst()
  await refusals()
  await submit()
  await approve()
  await served_()
  await verify()
  await rateAndComplain()
  await rejected()
  await ledger()
  await dashboard()
  checkNoPageErrors('either page')
})
