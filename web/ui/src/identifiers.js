// Check digits of the two identifiers a requester gives, tested in the page before submitting so
// that a typing mistake is caught at once. The server checks again and is the authority.
//   公民身份号码 (GB 11643): 17 digits and a check character, ISO 7064 MOD 11-2.
//   统一社会信用代码 (GB 32100): 18 characters of 0-9 and A-Y without I O S V Z, check MOD 31.
// Each returns '' when valid, otherwise the reason in Chinese.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function idNumberProblem(text) {
  const id = String(text || '').trim().toUpperCase()
  if (!id) return '请填写公民身份号码'
  if (id.length !== 18) return `公民身份号码应为 18 位，现为 ${id.length} 位`
  if (!/^\d{17}[\dX]$/.test(id)) return '公民身份号码前 17 位应为数字，最后一位为数字或 X'
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1880 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date.getTime() > Date.now())
    return `公民身份号码中的出生日期 ${id.slice(6, 14)} 不正确`
  let sum = 0
  for (let i = 0; i < 17; ++i) sum += Number(id[i]) * ID_WEIGHTS[i]
  const check = '10X98765432'[sum % 11]
  if (id[17] !== check) return '公民身份号码校验位不正确，请核对后重新输入'
  return ''
}

export function creditCodeProblem(text) {
  const code = String(text || '').trim().toUpperCase()
  if (!code) return '请填写统一社会信用代码'
  if (code.length !== 18) return `统一社会信用代码应为 18 位，现为 ${code.length} 位`
  for (const ch of code)
    if (!CREDIT_ALPHABET.includes(ch)) return `统一社会信用代码含有不允许的字符“${ch}”`
  let sum = 0
  for (let i = 0; i < 17; ++i) sum += CREDIT_ALPHABET.indexOf(code[i]) * CREDIT_WEIGHTS[i]
  if (code[17] !== CREDIT_ALPHABET[(31 - (sum % 31)) % 31]) return '统一社会信用代码校验位不正确，请核对后重新输入'
  return ''
}
