// The purpose of use (利用目的) of a sign-in session: asked once, before the first record is
// viewed or downloaded, shown in the top bar (where it can be changed) and sent with every request
// (api.js, X-Access-Purpose), so that each access in the audit trail says why it was made.
// It lasts as long as the sign-in: kept in sessionStorage for a reload of the same session,
// forgotten on signing in again and on signing out.
import { setAccessPurpose } from './api.js'
import { store } from './store.js'

export const PURPOSES = ['工作查考', '业务办理', '审计检查', '编史修志', '学术研究']
export const OTHER_PREFIX = '其他：'
export const OTHER_MAX = 60 // characters: 3 bytes each in UTF-8, the server takes 200 bytes

const KEY = 'dangan.purpose'
let waiting = []

function remember(name, purpose) {
  try {
    if (purpose) sessionStorage.setItem(KEY, JSON.stringify({ name, purpose }))
    else sessionStorage.removeItem(KEY)
  } catch (e) {
    // storage may be unavailable (private mode): the purpose is then asked again after a reload
  }
}

function apply(purpose) {
  store.purpose = purpose || ''
  setAccessPurpose(store.purpose)
}

// A reload of a session still open: its purpose, if it was stated for the same person.
export function restorePurpose(session) {
  let saved = null
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) || 'null')
  } catch (e) {
    saved = null
  }
  apply(saved && session && saved.name === session.name && typeof saved.purpose === 'string' ? saved.purpose : '')
}

// A new sign-in, or signing out: the purpose must be stated again.
export function forgetPurpose() {
  apply('')
  remember('', '')
  store.purposeAsking = false
  const w = waiting
  waiting = []
  for (const resolve of w) resolve('')
}

// Opens the dialog; resolves with the purpose chosen, or '' when it was cancelled.
export function askPurpose() {
  store.purposeAsking = true
  return new Promise((resolve) => waiting.push(resolve))
}

// The purpose already stated, or the one the dialog gets ('' if cancelled).
export function ensurePurpose() {
  return store.purpose ? Promise.resolve(store.purpose) : askPurpose()
}

export function choosePurpose(purpose) {
  const p = String(purpose || '').trim()
  if (!p) return
  apply(p)
  remember(store.session ? store.session.name : '', p)
  store.purposeAsking = false
  const w = waiting
  waiting = []
  for (const resolve of w) resolve(p)
}

export function cancelPurpose() {
  store.purposeAsking = false
  const w = waiting
  waiting = []
  for (const resolve of w) resolve(store.purpose || '')
}
