import { describe, expect, it } from 'vitest';
import { smsSegments } from './sms-segments.js';

describe('smsSegments', () => {
  it('counts GSM-7 text: 160 in one message, 153 per part after that', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', length: 0, segments: 0, perSegment: 160 });
    expect(smsSegments('a'.repeat(160))).toEqual({
      encoding: 'GSM-7',
      length: 160,
      segments: 1,
      perSegment: 160,
    });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 });
    expect(smsSegments('a'.repeat(306))).toMatchObject({ segments: 2 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ segments: 3 });
    // German and French letters of the GSM alphabet stay GSM-7.
    expect(smsSegments('Über die Brücke: Ça, é, à, ñ')).toMatchObject({ encoding: 'GSM-7' });
  });

  it('counts the extension characters twice and never splits them', () => {
    expect(smsSegments('€'.repeat(80))).toMatchObject({ length: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toMatchObject({ length: 162, segments: 2 });
    // 152 plain characters and a euro: 154 places; the euro does not fit the first part's last place.
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(10)}`)).toMatchObject({ length: 164, segments: 2 });
    expect(smsSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toMatchObject({ length: 306, segments: 3 });
  });

  it('sends anything else as UCS-2: 70 in one message, 67 per part', () => {
    expect(smsSegments('你'.repeat(70))).toEqual({
      encoding: 'UCS-2',
      length: 70,
      segments: 1,
      perSegment: 70,
    });
    expect(smsSegments('你'.repeat(71))).toMatchObject({ segments: 2, perSegment: 67 });
    expect(smsSegments(`Łódź ${'a'.repeat(65)}`)).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(smsSegments('a'.repeat(134))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments(`${'a'.repeat(133)}ł`)).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('keeps a surrogate pair in one part', () => {
    expect(smsSegments('😀'.repeat(35))).toMatchObject({ length: 70, segments: 1 });
    // 66 units and an emoji of two: the emoji goes to the second part.
    expect(smsSegments(`${'ł'.repeat(66)}😀${'ł'.repeat(3)}`)).toMatchObject({ length: 71, segments: 2 });
    expect(smsSegments(`${'ł'.repeat(66)}😀${'ł'.repeat(66)}`)).toMatchObject({ length: 134, segments: 3 });
  });
});
