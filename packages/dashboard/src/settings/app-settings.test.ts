import { describe, expect, it } from 'vitest';
import { nullIfEmpty, numberOf } from './app-settings.js';

describe('the settings form’s values as the API takes them', () => {
  it('sends whole numbers as numbers, and anything else as typed, for the API to refuse in its words', () => {
    expect(numberOf('15')).toBe(15);
    expect(numberOf(' 0 ')).toBe(0);
    expect(numberOf('-3')).toBe(-3);
    expect(numberOf('1.5')).toBe('1.5');
    expect(numberOf('ten')).toBe('ten');
    expect(numberOf('')).toBe('');
  });

  it('sends an empty optional field as null (unset)', () => {
    expect(nullIfEmpty('  ')).toBeNull();
    expect(nullIfEmpty(' Acme ')).toBe('Acme');
  });
});
