/**
 * Deterministic formatting for dates and money. Written out by hand rather than with Intl so the
 * text of a regulated letter does not change with the ICU data of whichever Node version renders it.
 * Locale: British English; dates are calendar dates, so there is no time zone to shift them.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** `YYYY-MM-DD` that names a real day, or undefined. */
export function parseIsoDate(value: unknown): CalendarDate | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return { year, month, day };
}

/** "Monday 8 March 2027", or "8 March 2027" without the weekday. */
export function formatLongDate(date: CalendarDate, options: { weekday: boolean }): string {
  const month = MONTHS[date.month - 1] ?? '';
  const text = `${date.day} ${month} ${date.year}`;
  if (!options.weekday) return text;
  const weekday = WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()] ?? '';
  return `${weekday} ${text}`;
}

/** Amounts this large are a data error, and toFixed would switch to exponent notation. */
const MAX_AMOUNT = 1e15;

/**
 * "GBP 87,650" or "GBP 1,234.50": the ISO currency code rather than a symbol, because "$" alone does
 * not say which dollar, and an offer must not be ambiguous about pay.
 */
export function formatMoney(amount: number, currency: string): string | undefined {
  if (!Number.isFinite(amount) || Math.abs(amount) >= MAX_AMOUNT) return undefined;
  if (!/^[A-Z]{3}$/.test(currency)) return undefined;
  const fixed = Math.abs(amount).toFixed(Number.isInteger(amount) ? 0 : 2);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = amount < 0 ? '-' : '';
  return `${currency} ${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}
