/**
 * How long a link stays valid, in words for the message: "15 minutes", "3 hours", "7 days". Minutes under two hours,
 * hours under two days, days beyond. Values are rounded down (to the half hour, or the half day under ten days), so
 * a message never promises more time than the link has.
 */
import type { Language } from '../../pages/languages.js';

type Unit = 'minute' | 'hour' | 'day';

const HOUR = 60;
const DAY = 24 * HOUR;

const formats = new Map<string, Intl.NumberFormat>();

function format(language: Language, unit: Unit, value: number): string {
  const key = `${language}:${unit}`;
  let formatter = formats.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(language, {
      style: 'unit',
      unit,
      unitDisplay: 'long',
      maximumFractionDigits: 1,
    });
    formats.set(key, formatter);
  }
  return formatter.format(value);
}

export function expiresInWords(minutes: number, language: Language): string {
  const total = Number.isFinite(minutes) ? Math.max(1, minutes) : 1;
  if (total < 2 * HOUR) {
    const value = Math.max(1, Math.floor(total));
    // Every Polish sentence that carries this says "za …" (accusative); Intl gives the nominative, which differs
    // only in the singular ("1 minuta" → "1 minutę"). Hours and days start at 2, where the forms agree.
    if (language === 'pl' && value === 1) return '1 minutę';
    return format(language, 'minute', value);
  }
  if (total < 2 * DAY) return format(language, 'hour', Math.floor(total / (HOUR / 2)) / 2);
  const days = total / DAY;
  return format(language, 'day', days < 10 ? Math.floor(days * 2) / 2 : Math.floor(days));
}
