// A search snippet comes with each match marked [like this]. It is split into parts here and
// rendered as text nodes (marked parts inside <mark>), never as HTML: the text is the record's.
// An unmatched "[" or "]" is kept as text.
export function splitSnippet(s) {
  const parts = []
  const text = String(s == null ? '' : s)
  let i = 0
  while (i < text.length) {
    const open = text.indexOf('[', i)
    if (open < 0) break
    const close = text.indexOf(']', open + 1)
    if (close < 0) break
    if (open > i) parts.push({ text: text.slice(i, open), mark: false })
    if (close > open + 1) parts.push({ text: text.slice(open + 1, close), mark: true })
    i = close + 1
  }
  if (i < text.length) parts.push({ text: text.slice(i), mark: false })
  return parts
}
