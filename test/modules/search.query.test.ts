/** The FTS5 expression built from user input: quoted, ANDed, analyzed like the documents. */
import { describe, expect, it } from 'vitest'
import {
  buildMatchExpression,
  MAX_QUERY_TERMS,
  nameForms,
  namePrefixMatches,
  prefixForms,
  quoteFtsString,
} from '../../src/modules/search/search.query.js'

describe('quoteFtsString', () => {
  it.each([
    ['word', '"word"'],
    ['a"b', '"a""b"'],
    ['""', '""""""'],
    ['', '""'],
  ])('%j → %j', (input, expected) => {
    expect(quoteFtsString(input)).toBe(expected)
  })
})

describe('buildMatchExpression', () => {
  it.each<[string, string | null]>([
    ['إيران', '"اير"'],
    ['الاتفاق النووي', '"اتفاق" AND "نوو"'],
    ['إيران ايران أيران', '"اير"'],
    ['title:إيران', '"title" AND "اير"'],
    ['NEAR(a b)', '"near" AND "a" AND "b"'],
    ['a OR b', '"a" AND "or" AND "b"'],
    ['-x* "y"', '"x" AND "y"'],
    ['Café', '"cafe"'],
    ['"*()-:^', null],
    ['', null],
    ['   ', null],
  ])('%j → %j', (q, expected) => {
    expect(buildMatchExpression(q)).toBe(expected)
  })

  it(`keeps at most ${MAX_QUERY_TERMS} distinct words`, () => {
    const q = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ')
    expect(buildMatchExpression(q)?.split(' AND ')).toHaveLength(MAX_QUERY_TERMS)
  })
})

describe('tag name prefix matching', () => {
  it.each<[string, string, boolean]>([
    ['اير', 'إيران', true],
    ['الإيرانية', 'إيران', true],
    ['نوو', 'الاتفاق النووي', true],
    ['اتفاق نوو', 'الاتفاق النووي', true],
    ['اتفاق روس', 'الاتفاق النووي', false],
    ['med', 'Média', true],
    ['يران', 'إيران', false],
  ])('%j against %j: %s', (q, name, expected) => {
    expect(namePrefixMatches(prefixForms(q), nameForms(name))).toBe(expected)
  })
})
