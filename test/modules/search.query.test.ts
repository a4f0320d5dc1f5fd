/**
 * What user input becomes: the analyzed query terms (search.query.ts, the same for every index), and the FTS5
 * expression SQLite's index builds from them (quoted, ANDed). Pure functions: no database, either engine.
 */
import { describe, expect, it } from 'vitest'
import {
  MAX_QUERY_TERMS,
  nameForms,
  namePrefixMatches,
  prefixForms,
  queryTerms,
} from '../../src/modules/search/search.query.js'
import { matchExpression, quoteFtsString } from '../../src/modules/search/search.sqlite.js'

/** The MATCH expression for what a reader typed, or null when it has no term to search for. */
function expressionFor(q: string): string | null {
  const terms = queryTerms(q)
  return terms.length === 0 ? null : matchExpression(terms)
}

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

describe('matchExpression(queryTerms(q))', () => {
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
    expect(expressionFor(q)).toBe(expected)
  })

  it(`keeps at most ${MAX_QUERY_TERMS} distinct words`, () => {
    const q = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ')
    expect(queryTerms(q)).toHaveLength(MAX_QUERY_TERMS)
    expect(expressionFor(q)?.split(' AND ')).toHaveLength(MAX_QUERY_TERMS)
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
