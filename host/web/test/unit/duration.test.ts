import { describe, expect, it } from 'vitest';
import { formatDuration, parseNniDuration, toNniDuration } from '../../src/duration';

describe('parseNniDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5h', 5_400_000],
    [' 10 M ', 600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseNniDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'h', '10x', '-5m', '1h30m', '0m'])('refuses %j with the accepted form', (text) => {
    expect(() => parseNniDuration(text)).toThrow(/s, m, h or d|longer than 0/);
  });
});

describe('toNniDuration', () => {
  it('uses the largest exact unit', () => {
    expect(toNniDuration(7_200_000)).toBe('2h');
    expect(toNniDuration(5_400_000)).toBe('90m');
    expect(toNniDuration(86_400_000 * 2)).toBe('2d');
    expect(toNniDuration(45_000)).toBe('45s');
  });
  it('round-trips through the parser', () => {
    for (const ms of [1000, 61_000, 3_600_000, 5_400_000]) {
      expect(parseNniDuration(toNniDuration(ms))).toBe(ms);
    }
  });
});

describe('formatDuration', () => {
  it('reads naturally at every scale', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_000)).toBe('12s');
    expect(formatDuration(185_000)).toBe('3m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
    expect(formatDuration(90_000_000)).toBe('1d 01h');
  });
  it('is empty for an absent duration', () => {
    expect(formatDuration(null)).toBe('');
  });
});
