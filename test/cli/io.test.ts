import { describe, expect, it } from 'vitest';
import { table } from '../../src/cli/io.js';
import { wrapWords } from '../../src/cli/wrap.js';

describe('table', () => {
  const rows = [
    ['short', '1', 'alpha, beta, gamma, delta, epsilon, zeta, eta, theta, iota, kappa, lambda, mu'],
    ['a-much-longer-name', '12', 'one'],
  ];

  it('lays cells out in columns as wide as their widest cell', () => {
    expect(table(['name', 'v', 'fields'], rows.slice(1))).toEqual([
      'name                v   fields',
      '------------------  --  ------',
      'a-much-longer-name  12  one',
    ]);
  });

  it('with maxWidth, wraps the last column under itself and never prints a wider line', () => {
    const lines = table(['name', 'v', 'fields'], rows, { maxWidth: 50 });
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(50);
    expect(lines).toEqual([
      'name                v   fields',
      '------------------  --  --------------------------',
      'short               1   alpha, beta, gamma, delta,',
      '                        epsilon, zeta, eta, theta,',
      '                        iota, kappa, lambda, mu',
      'a-much-longer-name  12  one',
    ]);
  });
});

describe('wrapWords', () => {
  it('breaks at spaces, and cuts only a word longer than a line, marking the cut', () => {
    expect(wrapWords('aa bb cc', 5)).toEqual(['aa bb', 'cc']);
    expect(wrapWords('abcdefghij k', 6)).toEqual(['abcde…', 'k']);
    expect(wrapWords('', 10)).toEqual(['']);
  });
});
