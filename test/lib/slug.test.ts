// Table-driven tests for slugify (the contract's Slugs section), parseIdOrSlug and the -2, -3 candidates.
import { describe, expect, it } from 'vitest'
import { BadRequestError } from '../../src/lib/errors.js'
import { firstFreeSlug, givenSlug, isIdLike, parseIdOrSlug, slugify } from '../../src/lib/slug.js'
import { SAMPLE_SLUG, SAMPLE_TITLE } from '../helpers/data.js'

describe('slugify', () => {
  it.each([
    ['the sample title', SAMPLE_TITLE, SAMPLE_SLUG],
    ['Arabic kept in Arabic', 'بوتين في إيران', 'بوتين-في-إيران'],
    ['tashkeel removed', 'مُحَمَّدٌ رَسُولُ', 'محمد-رسول'],
    ['superscript alef removed', 'هٰذا', 'هذا'],
    ['tatweel removed', 'الـــرئيس', 'الرئيس'],
    ['hamza forms kept (only marks go)', 'أإآ', 'أإآ'],
    ['Latin lower-cased', 'Hello World', 'hello-world'],
    ['mixed scripts', 'Sahifa صحيفة 2026', 'sahifa-صحيفة-2026'],
    ['a run of spaces and punctuation becomes one hyphen', 'a  ,;:!? b', 'a-b'],
    ['Arabic punctuation', 'سوريا، العراق؛ لبنان؟', 'سوريا-العراق-لبنان'],
    ['quotes and brackets', '«قمة» (طهران) [2017]', 'قمة-طهران-2017'],
    ['symbols', 'A & B + C = D', 'a-b-c-d'],
    ['existing hyphens collapse', 'a - -- b', 'a-b'],
    ['underscores become hyphens', 'snake_case_title', 'snake-case-title'],
    ['ends trimmed', '  --«مرحبا»--  ', 'مرحبا'],
    ['Arabic-Indic digits kept', 'الجزء ٣', 'الجزء-٣'],
    ['NFC: a decomposed é composes', 'Cafe\u0301', 'café'],
    ['accents kept', 'Élysée Palace', 'élysée-palace'],
    ['emoji dropped', 'breaking 🔥 news', 'breaking-news'],
    ['nothing usable', '!!! ؟؟؟', ''],
    ['only tashkeel', 'ًٌٍ', ''],
    ['digits alone stay digits', '2017', '2017'],
  ])('%s', (_label, input, expected) => {
    expect(slugify(input)).toBe(expected)
  })

  it('is idempotent', () => {
    for (const input of [SAMPLE_TITLE, 'Hello, World!', 'مُحَمَّد الـــرئيس']) {
      expect(slugify(slugify(input))).toBe(slugify(input))
    }
  })

  const word = (i: number) => `كلمة${i}`

  it('keeps a slug of exactly 120 code points whole', () => {
    const slug = `${'ب'.repeat(60)}-${'ت'.repeat(59)}`
    expect(Array.from(slug)).toHaveLength(120)
    expect(slugify(slug)).toBe(slug)
  })

  it('cuts at the last hyphen when the limit falls inside a word', () => {
    const full = Array.from({ length: 30 }, (_, i) => word(i)).join('-')
    const slug = slugify(full)
    expect(Array.from(slug).length).toBeLessThanOrEqual(120)
    expect(full.startsWith(`${slug}-`)).toBe(true)
    expect(slug.endsWith('-')).toBe(false)
  })

  it('keeps 120 code points when the limit falls just before a hyphen', () => {
    const slug = slugify(`${'ب'.repeat(120)}-tail`)
    expect(slug).toBe('ب'.repeat(120))
  })

  it('counts code points, not UTF-16 units', () => {
    // U+1D400 is one code point but two UTF-16 units.
    const bold = '\u{1D400}'
    const slug = slugify(`${bold.repeat(100)}-${bold.repeat(10)}`)
    expect(Array.from(slug)).toHaveLength(111)
  })

  it('hard-cuts a single word longer than 120 code points', () => {
    expect(Array.from(slugify('ب'.repeat(300)))).toHaveLength(120)
  })
})

describe('parseIdOrSlug', () => {
  it.each([
    ['1', { id: 1 }],
    ['0042', { id: 42 }],
    [SAMPLE_SLUG, { slug: SAMPLE_SLUG }],
    [encodeURIComponent(SAMPLE_SLUG), { slug: SAMPLE_SLUG }],
    ['Hello-World', { slug: 'hello-world' }],
    ['مُحَمَّد', { slug: 'محمد' }],
    ['100%-real', { slug: '100-real' }],
    ['abc1', { slug: 'abc1' }],
  ])('reads %s', (input, expected) => {
    expect(parseIdOrSlug(input)).toEqual(expected)
  })
})

describe('isIdLike, firstFreeSlug and givenSlug', () => {
  it.each([
    ['123', true],
    ['12a', false],
    ['١٢٣', false],
    ['', false],
  ])('isIdLike(%j) is %s', (value, expected) => {
    expect(isIdLike(value)).toBe(expected)
  })

  it('takes the first free of base, base-2, base-3, …', () => {
    const taken = new Set(['خبر', 'خبر-2'])
    expect(firstFreeSlug('خبر', (slug) => taken.has(slug))).toBe('خبر-3')
    expect(firstFreeSlug('رأي', (slug) => taken.has(slug))).toBe('رأي')
  })

  it('never takes a base of digits alone', () => {
    expect(firstFreeSlug('2017', () => false)).toBe('2017-2')
  })

  it('normalizes a given slug, and refuses one with nothing usable or only digits, naming the field', () => {
    expect(givenSlug('  Hello World! ', 'slug')).toBe('hello-world')
    for (const bad of ['!!!', '2024']) {
      expect(() => givenSlug(bad, 'tags.1')).toThrow(BadRequestError)
      try {
        givenSlug(bad, 'tags.1')
      } catch (error) {
        expect((error as BadRequestError).errors).toEqual([{ path: 'tags.1', message: expect.any(String) }])
      }
    }
  })
})
