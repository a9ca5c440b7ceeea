// The one way the workbench talks to the server: JSON over fetch with the session cookie.
// Every request that changes something carries the session's CSRF token; every request carries
// the purpose of use (利用目的) stated for the sign-in session, once stated, in X-Access-Purpose
// (percent-encoded UTF-8: header values are Latin-1), which the server keeps with each view and
// download. A failure becomes an ApiError whose message is the problem body's `detail` (RFC 9457),
// which the page shows as is.

let csrfToken = ''
let accessPurpose = ''
let onUnauthorized = null

export function setCsrf(token) {
  csrfToken = token || ''
}

export function setAccessPurpose(purpose) {
  accessPurpose = purpose || ''
}

// The header to add to a request made without api()/getBlob() (the page viewer's fetches).
export function purposeHeaders() {
  return accessPurpose ? { 'X-Access-Purpose': encodeURIComponent(accessPurpose) } : {}
}

// Called when a request other than the session check answers 401 (the session ended).
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

export class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === 'object' ? problem : {}
    let message = p.detail || p.title || `服务器返回 ${status}`
    if (Array.isArray(p.errors) && p.errors.length) {
      const parts = p.errors
        .map((e) => [e && e.field, e && e.message].filter(Boolean).join('：'))
        .filter(Boolean)
      if (parts.length && !p.detail) message = parts.join('；')
    }
    super(message)
    this.status = status
    this.problem = p
  }
}

export async function api(method, path, body, { signal, quiet401 = false, headers: extra } = {}) {
  const headers = { Accept: 'application/json', ...purposeHeaders(), ...(extra || {}) }
  const init = { method, headers, credentials: 'same-origin', signal, cache: 'no-store' }
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  let response
  try {
    response = await fetch(path, init)
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError(0, { detail: '无法连接服务器，请检查网络后重试' })
  }
  let data = null
  if (response.status !== 204) {
    const type = response.headers.get('Content-Type') || ''
    if (type.includes('json')) data = await response.json().catch(() => null)
    else await response.text().catch(() => '')
  }
  if (!response.ok) {
    if (response.status === 401 && !quiet401 && onUnauthorized) onUnauthorized()
    throw new ApiError(response.status, data)
  }
  return data
}

// A file (PDF, CSV) fetched with headers a plain link cannot send (the portal's X-Inquiry-Code):
// the Blob, the name the server suggests and the response headers; a failure is an ApiError like
// any other.
export async function getBlob(path, { headers } = {}) {
  let response
  try {
    response = await fetch(path, {
      headers: { ...purposeHeaders(), ...(headers || {}) }, credentials: 'same-origin', cache: 'no-store',
    })
  } catch (e) {
    throw new ApiError(0, { detail: '无法连接服务器，请检查网络后重试' })
  }
  if (!response.ok) {
    const type = response.headers.get('Content-Type') || ''
    const data = type.includes('json') ? await response.json().catch(() => null) : null
    throw new ApiError(response.status, data)
  }
  const cd = response.headers.get('Content-Disposition') || ''
  let name = ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  const plain = /filename="?([^";]+)"?/i.exec(cd)
  try {
    name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : ''
  } catch (e) {
    name = ''
  }
  return { blob: await response.blob(), name, headers: response.headers }
}

export const get = (path, opts) => api('GET', path, undefined, opts)
export const post = (path, body, opts) => api('POST', path, body === undefined ? {} : body, opts)
export const del = (path, opts) => api('DELETE', path, undefined, opts)

// Path parts (档号 hold "·" and "-", file names may hold anything) are always encoded.
export const enc = encodeURIComponent
export const recordPath = (ref) => `/api/v1/records/${enc(ref)}`
