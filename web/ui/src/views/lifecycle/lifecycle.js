// What the four parts of the 鉴定销毁 page share: the names of decisions and states, the periods
// an extension may choose, today's date, and the server's field errors by field.
import { computed, ref } from 'vue'
import { retentionName, store } from '../../store.js'

export const DECISIONS = { keep: '继续保存（永久）', extend: '延长保管期限', destroy: '销毁' }
export const STATES = { proposed: '待审批', approved: '已同意', rejected: '不同意', executed: '已执行' }

export function decisionText(a) {
  if (!a) return ''
  if (a.decision === 'extend' && a.new_retention) return `延长保管期限至${retentionName(a.new_retention)}`
  return DECISIONS[a.decision] || a.decision || ''
}

// The periods a record's retention may be extended to: the scheme's (GET /api/v1/scheme lists
// them), without 会计档案 (KJ, a rule rather than a period); 10年, 30年 and 永久 if it lists none.
export function extendPeriods() {
  const list = (store.scheme && Array.isArray(store.scheme.retention) ? store.scheme.retention : [])
    .filter((r) => r && r.code && r.code !== 'KJ')
    .map((r) => r.code)
  return list.length ? list : ['D10', 'D30', 'Y']
}

// The check boxes of a table whose checkable rows are `rows` (a computed), each known by
// `key(row)`: which are checked, whether all are, the 全选 box, and after a reload keeping only
// the checks of rows still checkable.
export function useSelection(rows, key) {
  const picked = ref({}) // key → checked
  const chosenRows = computed(() => rows.value.filter((r) => picked.value[key(r)]))
  const allPicked = computed(() => rows.value.length > 0 && chosenRows.value.length === rows.value.length)
  function toggleAll(e) {
    const next = {}
    if (e.target.checked) for (const r of rows.value) next[key(r)] = true
    picked.value = next
  }
  function keepSelectable() {
    const keep = {}
    for (const r of rows.value) if (picked.value[key(r)]) keep[key(r)] = true
    picked.value = keep
  }
  return { picked, chosenRows, allPicked, toggleAll, keepSelectable }
}

// Today in the browser's zone as YYYY-MM-DD (the default of 到期日).
export function today() {
  const d = new Date()
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

// The problem's field errors ({field: message}), for showing beside the fields.
export function fieldErrors(e) {
  const out = {}
  const list = e && e.problem && Array.isArray(e.problem.errors) ? e.problem.errors : []
  for (const x of list) if (x && x.field) out[x.field] = x.message || ''
  return out
}

// The error to show: the problem's detail, then its field errors when the detail does not name them.
export function problemText(e) {
  const msg = (e && e.message) || '操作失败'
  const errs = e && e.problem && Array.isArray(e.problem.errors) ? e.problem.errors : []
  const parts = errs.map((x) => [x && x.field, x && x.message].filter(Boolean).join('：')).filter(Boolean)
  const extra = parts.filter((p) => !msg.includes(p))
  return extra.length ? `${msg}（${extra.join('；')}）` : msg
}
