/**
 * The strong-password rule (manual part 3 §1.4.2, §1.8.10: weak passwords get accounts brute-forced
 * and the server's IP blacklisted). A password is strong when it has at least 8 characters, mixes
 * at least two of lower-case / upper-case / digits / symbols, and is not a common password, one
 * repeated character, a run like `abcdefgh` or `87654321`, a keyboard row, or the account name.
 * Domains switch the rule on or off with `strongPasswords`; callers decide whether to apply it.
 * Reasons are English sentences for operators and users; they never echo the password.
 */

export const MIN_PASSWORD_LENGTH = 8;

/**
 * Common passwords, compared case-insensitively. Mostly from published breach top lists, with the
 * Chinese favourites (woaini1314, 5201314, qq123456) that those lists rank high.
 */
const COMMON = new Set([
  '123456', '12345678', '123456789', '1234567890', '1234567', '12345', '111111', '000000', '666666',
  '888888', '88888888', '11111111', '00000000', '123123', '123123123', '654321', '987654321', '112233',
  'password', 'password1', 'password12', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pass1234',
  'qwerty', 'qwerty123', 'qwertyuiop', 'qwer1234', 'qwe123456', '1qaz2wsx', '1q2w3e4r', '1q2w3e4r5t',
  'qazwsx', 'qazwsxedc', 'zxcvbnm', 'asdfghjkl', 'asdf1234', 'zaq12wsx', '12qwaszx',
  'abc123', 'abc12345', 'abc123456', 'abcd1234', 'a123456', 'a12345678', 'aa123456', 'aa12345678',
  'admin', 'admin123', 'admin1234', 'admin12345', 'admin888', 'admin@123', 'administrator', 'root', 'root123',
  'letmein', 'welcome', 'welcome1', 'welcome123', 'iloveyou', 'monkey', 'dragon', 'sunshine', 'football',
  'woaini1314', 'woaini520', '5201314', '52013145201314', 'qq123456', 'test1234', 'test123456', 'changeme',
]);

const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890', '1qaz2wsx3edc4rfv', 'qazwsxedcrfv'];

export interface PasswordContext {
  /** The account's local part (or admin username): the password must not contain it. */
  localPart?: string;
  /** The account's domain (ASCII or Unicode): the password must not contain it. */
  domain?: string;
}

/** Null when plain is strong; otherwise the reason it is not. */
export function checkPasswordStrength(plain: string, ctx: PasswordContext = {}): string | null {
  const lower = plain.toLowerCase();
  const chars = [...plain];

  if (COMMON.has(lower)) return 'password is too common';
  if (chars.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  if (chars.every((c) => c === chars[0])) return 'password must not be one repeated character';
  if (isSequence(lower)) return 'password must not be a simple sequence such as abcdefgh or 12345678';
  if (countClasses(plain) < 2) {
    return 'password must mix at least two of: lower-case letters, upper-case letters, digits, symbols';
  }
  const local = ctx.localPart?.toLowerCase();
  // Short local parts (`a@x.cn`) would refuse half of all passwords; three characters is a name.
  if (local && [...local].length >= 3 && lower.includes(local)) return 'password must not contain the account name';
  const domain = ctx.domain?.toLowerCase();
  if (domain && domain.includes('.') && lower.includes(domain)) return 'password must not contain the domain name';
  return null;
}

/** How many of lower / upper / digit / symbol plain uses. Letters without case (e.g. Chinese) count as symbols. */
function countClasses(plain: string): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let other = false;
  for (const c of plain) {
    if (/\p{Ll}/u.test(c)) lower = true;
    else if (/\p{Lu}/u.test(c)) upper = true;
    else if (/\p{Nd}/u.test(c)) digit = true;
    else other = true;
  }
  return Number(lower) + Number(upper) + Number(digit) + Number(other);
}

/** A run of consecutive code points (`abcdefgh`, `98765432`) or a stretch of one keyboard row, either way. */
function isSequence(lower: string): boolean {
  const cps = [...lower].map((c) => c.codePointAt(0)!);
  const step = cps[1]! - cps[0]!;
  if ((step === 1 || step === -1) && cps.every((cp, i) => i === 0 || cp - cps[i - 1]! === step)) return true;
  const reversed = [...lower].reverse().join('');
  return KEYBOARD_ROWS.some((row) => row.includes(lower) || row.includes(reversed));
}
