// Number formats of the statistics page: counts with thousands separators ("12,345"), byte sizes
// in binary units ("132.0 KB"), and CSV text (RFC 4180, UTF-8 with a BOM so that spreadsheet
// programs read the Chinese headings).

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function formatCount(n) {
  const v = Number(n)
  return Number.isFinite(v) ? counts.format(v) : ''
}

const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB']
export function formatBytes(n) {
  let v = Number(n)
  if (!Number.isFinite(v)) return ''
  if (Math.abs(v) < 1024) return `${counts.format(v)} B`
  let u = -1
  do {
    v /= 1024
    ++u
  } while (Math.abs(v) >= 1024 && u < UNITS.length - 1)
  return `${v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${UNITS[u]}`
}

export function formatValue(kind, v) {
  if (kind === 'bytes') return formatBytes(v)
  if (kind === 'count') return formatCount(v)
  if (kind === 'number') return formatNumber(v)
  return v == null ? '' : String(v)
}

// One CSV field. Text that a spreadsheet would take for a formula (=, +, -, @ first) is prefixed
// with an apostrophe; numbers are written as they are.
function csvField(v, numeric) {
  if (v == null) return ''
  let s = String(v)
  if (!numeric && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

// columns: [{key, label, kind}]; rows: [{cells: {key: value}}]. Numbers stay raw (bytes in bytes).
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvField(c.csvLabel || c.label, false)).join(',')]
  for (const r of rows)
    lines.push(columns.map((c) => csvField(r.cells[c.key], c.kind === 'count' || c.kind === 'bytes' || c.kind === 'number')).join(','))
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

// A server time ("2025-02-12T16:30:00+08:00") as "2025-02-12 16:30": the archive's own zone.
export function formatTime(s) {
  if (!s) return ''
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(String(s))
  return m ? `${m[1]} ${m[2]}` : String(s)
}

// Figures that may have a fraction (hours), at most one decimal.
const decimals = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
export function formatNumber(n) {
  const v = Number(n)
  return Number.isFinite(v) ? decimals.format(v) : ''
}
