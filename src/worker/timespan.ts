/**
 * Parses a .NET TimeSpan string as the Functions host reads host.json: `[-][d.]hh:mm[:ss[.fffffff]]`,
 * or a bare whole number, which .NET reads as **days** (so `"2000"` is 2000 days, not 2 s).
 * Returns milliseconds, or undefined when the text is not a TimeSpan.
 */
export function parseTimeSpanMs(text: string): number | undefined {
  const s = text.trim();
  const days = /^(-)?(\d+)$/.exec(s);
  if (days) return (days[1] ? -1 : 1) * Number(days[2]) * 86_400_000;
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(s);
  if (!m) return undefined;
  const [, minus, d = '0', hh = '0', mm = '0', ss = '0', fraction = ''] = m;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = Number(ss);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const ms =
    Number(d) * 86_400_000 +
    hours * 3_600_000 +
    minutes * 60_000 +
    seconds * 1000 +
    Math.round(Number(`0.${fraction || '0'}`) * 1000);
  return minus ? -ms : ms;
}
