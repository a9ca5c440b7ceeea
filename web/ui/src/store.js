// State shared by the pages: who is signed in, the classification scheme (for names of classes,
// items and retention periods) and the short messages (toasts) shown at the top right.
import { reactive } from 'vue'
import { get } from './api.js'

export const store = reactive({
  session: null, // {name, role, role_name, permissions, csrf}
  scheme: null, // {classes:[{code,name,items:[{code,name,retention}]}], retention:[{code,name}]}
  toasts: [],
  purpose: '', // the purpose of use (利用目的) stated for this sign-in session (purpose.js)
  purposeAsking: false, // the dialog that asks for it is open
})

const RETENTION_NAMES = {
  Y: '永久',
  D100: '100年',
  D50: '50年',
  D30: '30年',
  D10: '10年',
  KJ: '会计档案',
}

let toastSeq = 0
export function toast(text, { kind = 'info', reference = '', ms = 4000 } = {}) {
  const id = ++toastSeq
  store.toasts.push({ id, text, kind, reference })
  setTimeout(() => {
    const i = store.toasts.findIndex((t) => t.id === id)
    if (i >= 0) store.toasts.splice(i, 1)
  }, ms)
}

export function can(permission) {
  const p = store.session && store.session.permissions
  return Array.isArray(p) && p.includes(permission)
}

export async function loadScheme() {
  try {
    const s = await get('/api/v1/scheme')
    if (s && Array.isArray(s.classes)) store.scheme = s
  } catch (e) {
    store.scheme = { classes: [] } // names fall back to codes
  }
}

export function allItems() {
  const out = []
  for (const c of (store.scheme && store.scheme.classes) || [])
    for (const i of c.items || []) out.push({ ...i, classCode: c.code, className: c.name })
  return out
}

export function className(code) {
  const c = ((store.scheme && store.scheme.classes) || []).find((x) => x.code === code)
  return c ? c.name : ''
}

export function itemName(code) {
  for (const c of (store.scheme && store.scheme.classes) || [])
    for (const i of c.items || []) if (i.code === code) return i.name
  return ''
}

export function retentionName(code) {
  if (code == null || code === '') return ''
  const list = store.scheme && Array.isArray(store.scheme.retention) ? store.scheme.retention : []
  const r = list.find((x) => x && x.code === code)
  if (r && r.name) return r.name
  if (RETENTION_NAMES[code]) return RETENTION_NAMES[code]
  const m = /^D?(\d+)$/.exec(String(code))
  return m ? `${m[1]}年` : String(code)
}

// "0301 基本养老金待遇核定" or just the code when the scheme does not know it.
export function itemLabel(code) {
  const n = itemName(code)
  return n ? `${code} ${n}` : code || ''
}
