// The public inquiry portal's state (查档, no account): the guide (一次告知) read once, and the
// request being followed — its number and access code. The code is kept in memory only (not in
// the address, not in storage): it is the requester's key, and the page may be on a shared screen.
import { reactive } from 'vue'
import { enc, get } from './api.js'

export const portal = reactive({
  guide: null,
  guideError: '',
  number: '',
  code: '',
  submitted: null, // the answer to the submission just made: {number, access_code, due_at, …}
})

let guideLoading = null
export function loadGuide() {
  if (portal.guide) return Promise.resolve(portal.guide)
  if (!guideLoading)
    guideLoading = get('/api/v1/public/inquiry-guide')
      .then((g) => {
        portal.guide = g
        portal.guideError = ''
        return g
      })
      .catch((e) => {
        portal.guideError = e.message
        guideLoading = null
        return null
      })
  return guideLoading
}

export const inquiryPath = (number) => `/api/v1/public/inquiries/${enc(number)}`
export const codeHeaders = () => ({ 'X-Inquiry-Code': portal.code })

export const STATE_NAMES = { submitted: '办理中', approved: '已提供', rejected: '不予提供' }
export const TIMING = {
  near_due: { name: '临近', kind: 'near' },
  overdue: { name: '超时', kind: 'late' },
  late: { name: '超时', kind: 'late' },
}

// The server's field messages are English; the usual ones are said in Chinese.
const MESSAGES = {
  'is required': '此项必须填写',
  'must be text': '格式不正确',
  'holds control characters': '含有不允许的控制字符',
  'is not valid UTF-8': '含有无法识别的字符',
  'must be person or unit': '请选择参保个人或参保单位',
  'is not a valid 公民身份号码 (check digit)': '公民身份号码不正确（校验位不符）',
  'is not a valid 统一社会信用代码 (check digit)': '统一社会信用代码不正确（校验位不符）',
  'must be one of the rating scale': '请选择评价',
}
export const sayField = (message) => MESSAGES[message] || String(message || '')
