/** The address rules of webhooks, on every spelling of the ranges they refuse (the HTTP tests cover the wiring). */
import { describe, expect, it } from 'vitest'
import { isForbiddenAddress, urlProblem } from '../../src/modules/webhooks/webhooks.address.js'

describe('isForbiddenAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    'fe80::1%eth0',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true)
  })

  it.each(['8.8.8.8', '1.1.1.1', '100.128.0.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false)
    },
  )
})

describe('urlProblem', () => {
  it('refuses http, credentials and private literals unless private addresses are allowed', () => {
    expect(urlProblem('https://hooks.example.com/x', false)).toBeNull()
    expect(urlProblem('http://hooks.example.com/x', false)).toBe('Must use https')
    expect(urlProblem('https://2130706433/', false)).toMatch(/loopback/) // 127.0.0.1 as one number
    expect(urlProblem('https://0x7f.1/', false)).toMatch(/loopback/)
    expect(urlProblem('https://LOCALHOST./', false)).toMatch(/loopback/)
    expect(urlProblem('https://api.localhost/', false)).toMatch(/loopback/)
    expect(urlProblem('https://u:p@hooks.example.com/', true)).toMatch(/user name/)
    expect(urlProblem('ftp://hooks.example.com/', true)).toBe('Expected an https URL')
    expect(urlProblem('http://127.0.0.1:8080/', true)).toBeNull()
  })
})
