import { describe, expect, it } from 'vitest';
import { expiresInWords } from './expires-in.js';

describe('expiresInWords', () => {
  it('speaks English', () => {
    expect(expiresInWords(1, 'en')).toBe('1 minute');
    expect(expiresInWords(15, 'en')).toBe('15 minutes');
    expect(expiresInWords(90, 'en')).toBe('90 minutes');
    expect(expiresInWords(119, 'en')).toBe('119 minutes');
    expect(expiresInWords(120, 'en')).toBe('2 hours');
    expect(expiresInWords(180, 'en')).toBe('3 hours');
    expect(expiresInWords(150, 'en')).toBe('2.5 hours');
    expect(expiresInWords(24 * 60, 'en')).toBe('24 hours');
    expect(expiresInWords(2 * 24 * 60, 'en')).toBe('2 days');
    expect(expiresInWords(7 * 24 * 60, 'en')).toBe('7 days');
    expect(expiresInWords(30 * 24 * 60, 'en')).toBe('30 days');
  });

  it('never promises more time than there is', () => {
    expect(expiresInWords(179, 'en')).toBe('2.5 hours');
    expect(expiresInWords(2 * 24 * 60 - 1, 'en')).toBe('47.5 hours');
    expect(expiresInWords(3 * 24 * 60 - 1, 'en')).toBe('2.5 days');
    expect(expiresInWords(12 * 24 * 60 + 600, 'en')).toBe('12 days');
    expect(expiresInWords(14.9, 'en')).toBe('14 minutes');
  });

  it('gives a sensible answer for odd input', () => {
    expect(expiresInWords(0, 'en')).toBe('1 minute');
    expect(expiresInWords(Number.NaN, 'en')).toBe('1 minute');
  });

  it('speaks German', () => {
    expect(expiresInWords(1, 'de')).toBe('1 Minute');
    expect(expiresInWords(15, 'de')).toBe('15 Minuten');
    expect(expiresInWords(180, 'de')).toBe('3 Stunden');
    expect(expiresInWords(150, 'de')).toBe('2,5 Stunden');
    expect(expiresInWords(7 * 24 * 60, 'de')).toBe('7 Tage');
  });

  it('speaks Chinese', () => {
    expect(expiresInWords(15, 'zh')).toBe('15分钟');
    expect(expiresInWords(180, 'zh')).toBe('3小时');
    expect(expiresInWords(7 * 24 * 60, 'zh')).toBe('7天');
  });

  it('uses the case Polish needs after "za"', () => {
    expect(expiresInWords(1, 'pl')).toBe('1 minutę');
    expect(expiresInWords(2, 'pl')).toBe('2 minuty');
    expect(expiresInWords(15, 'pl')).toBe('15 minut');
    expect(expiresInWords(7 * 24 * 60, 'pl')).toBe('7 dni');
  });
});
