import { z } from 'zod';

// Phone numbers as E.164 (+8613812345678). A mainland mobile number may be typed as people
// write it (138 1234 5678, +86 138-1234-5678, 008613812345678); other countries with their
// country code.

const CN_MOBILE = /^1[3-9]\d{9}$/;

/** A typed number in E.164, or undefined when it is not a phone number. */
export function normalisePhone(typed: string): string | undefined {
  const compact = typed.trim().replace(/[\s\-().\u3000]/g, '');
  if (compact.length > 24) return undefined;
  const international = compact.startsWith('+')
    ? compact.slice(1)
    : compact.startsWith('00')
      ? compact.slice(2)
      : undefined;
  if (international === undefined) return CN_MOBILE.test(compact) ? `+86${compact}` : undefined;
  if (!/^[1-9]\d{7,14}$/.test(international)) return undefined;
  // +86 numbers must be mobiles: codes go by SMS.
  if (international.startsWith('86') && !CN_MOBILE.test(international.slice(2))) return undefined;
  return `+${international}`;
}

/** A phone number as typed, to E.164. */
export const PhoneNumber = z
  .string()
  .max(40)
  .transform((typed, ctx) => {
    const phone = normalisePhone(typed);
    if (!phone) {
      ctx.addIssue({
        code: 'custom',
        message: '请填写手机号，如 13812345678 / a mobile number, e.g. 13812345678',
      });
      return z.NEVER;
    }
    return phone;
  });

/** The number as shown back to the person: only its last four digits. */
export function maskPhone(phone: string): string {
  const local = phone.startsWith('+86') ? phone.slice(3) : phone;
  return `${local.slice(0, 3)}****${local.slice(-4)}`;
}
