// Downloads made in the page, within the server's Content-Security-Policy: a Blob handed to an
// <a download> through a blob: URL, and a chart (inline SVG) turned into a PNG by drawing it on a
// canvas from a blob: image (img-src allows blob:) and reading the canvas back with toBlob.

export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  a.hidden = true
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30000)
}

export function downloadText(text, filename, type = 'text/csv;charset=utf-8') {
  downloadBlob(new Blob([text], { type }), filename)
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('图表无法转换为图片'))
    img.src = url
  })
}

// The SVG must carry its look in attributes (fill, font-size, …): the page's style sheet does not
// reach an SVG drawn as an image.
export async function svgToPng(svg, scale = 2) {
  const width = Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width
  const height = Number(svg.getAttribute('height')) || svg.getBoundingClientRect().height
  const copy = svg.cloneNode(true)
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  copy.setAttribute('width', String(width))
  copy.setAttribute('height', String(height))
  const xml = new XMLSerializer().serializeToString(copy)
  const url = URL.createObjectURL(new Blob([xml], { type: 'image/svg+xml;charset=utf-8' }))
  try {
    const img = await loadImage(url)
    const canvas = document.createElement('canvas')
    canvas.width = Math.ceil(width * scale)
    canvas.height = Math.ceil(height * scale)
    const ctx = canvas.getContext('2d')
    ctx.fillStyle = '#ffffff'
    ctx.fillRect(0, 0, canvas.width, canvas.height)
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height)
    return await new Promise((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('图片生成失败'))), 'image/png'),
    )
  } finally {
    URL.revokeObjectURL(url)
  }
}
