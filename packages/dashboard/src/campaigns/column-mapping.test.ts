import { describe, expect, it } from 'vitest';
import { guessMapping, linkRequests, mappingProblem } from './column-mapping.js';

describe('column mapping', () => {
  it('guesses fields from common column names, each at most once', () => {
    expect(guessMapping(['E-Mail', 'Lang', 'Redirect', 'Name', 'email'])).toEqual([
      'email',
      'language',
      'redirect_url',
      '',
      '',
    ]);
  });

  it('asks for an identifier and refuses a field mapped twice', () => {
    expect(mappingProblem(['language', ''])).toMatch(/email address, the phone number or the user id/);
    expect(mappingProblem(['email', 'email'])).toMatch(/Two columns are mapped to “Email address”/);
    expect(mappingProblem(['', 'phone'])).toBeUndefined();
  });

  it('makes link requests of the mapped, non-empty cells', () => {
    expect(
      linkRequests(
        [
          ['ada@example.com', ' de ', 'x', '15'],
          ['', 'en', 'y', 'soon'],
        ],
        ['email', 'language', '', 'ttl'],
      ),
    ).toEqual([
      { email: 'ada@example.com', language: 'de', ttl: 15 },
      { language: 'en', ttl: 'soon' },
    ]);
  });
});
