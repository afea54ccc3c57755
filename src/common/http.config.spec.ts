import express from 'express';
import { ConfigurationError } from '../config/env-readers.js';
import { isTrustedProxyEntry, readHttpConfig } from './http.config.js';

function trustProxy(value: string): boolean | number | string {
  return readHttpConfig({ TRUST_PROXY: value }, 'development').trustProxy;
}

/** Whether Express itself takes the value (it compiles `trust proxy` when it is set). */
function expressAccepts(value: boolean | number | string): boolean {
  try {
    express().set('trust proxy', value);
    return true;
  } catch {
    return false;
  }
}

describe('TRUST_PROXY', () => {
  it.each([
    ['false', false],
    ['FALSE', false],
    ['true', true],
    ['True', true],
    ['0', 0],
    ['2', 2],
    ['32', 32],
    ['loopback', 'loopback'],
    ['Loopback, LinkLocal,uniquelocal', 'loopback, linklocal, uniquelocal'],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
    [' 10.0.0.1 ,, 192.168.0.0/16 ,', '10.0.0.1, 192.168.0.0/16'],
    ['10.0.0.0/255.0.0.0', '10.0.0.0/255.0.0.0'],
    ['fc00::/7, ::1, FE80::1/10', 'fc00::/7, ::1, fe80::1/10'],
    ['::ffff:10.0.0.1, ::ffff:10.0.0.0/104', '::ffff:10.0.0.1, ::ffff:10.0.0.0/104'],
  ])('accepts %j as %j, which Express accepts too', (value, expected) => {
    expect(trustProxy(value)).toEqual(expected);
    expect(expressAccepts(trustProxy(value))).toBe(true);
  });

  it.each([
    'foo',
    'yes',
    '33',
    '99999999999999999999',
    '-1',
    '1.5',
    ',',
    'loopback, foo',
    '10.0.0.256',
    '10.0.0',
    '010.0.0.1',
    '10.0.0.0/0',
    '10.0.0.0/33',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '10.0.0.0/255.0.255.0',
    '10.0.0.0/0.0.0.0',
    'fc00::/129',
    'fc00::/ffff::',
    'fe80::1%eth0',
    '::1.2.3.4',
    '64:ff9b::1.2.3.4',
    'localhost',
    '*',
  ])('refuses %j with one line naming TRUST_PROXY', (value) => {
    let problem: unknown;
    try {
      trustProxy(value);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(ConfigurationError);
    expect((problem as ConfigurationError).variable).toBe('TRUST_PROXY');
    expect((problem as ConfigurationError).message).not.toContain('\n');
  });

  it('never accepts an entry that Express would refuse at start-up', () => {
    const octets = ['0', '1', '10', '127', '255', '256', '01', '0x1'];
    const prefixes = ['', '/0', '/1', '/8', '/24', '/32', '/33', '/64', '/128', '/129', '/x'];
    const addresses = [
      ...octets.map((octet) => `${octet}.0.0.1`),
      '::',
      '::1',
      '1::',
      'fe80::1',
      '::ffff:1.2.3.4',
      '::ffff:0:1.2.3.4',
      '1:2:3:4:5:6:1.2.3.4',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      ':::1',
      'fe80::1%1',
    ];
    const checked: string[] = [];
    for (const address of addresses) {
      for (const prefix of prefixes) {
        const entry = `${address}${prefix}`;
        if (isTrustedProxyEntry(entry)) {
          checked.push(entry);
          expect([entry, expressAccepts(entry)]).toEqual([entry, true]);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(40);
  });
});
